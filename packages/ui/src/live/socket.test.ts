import type { WsEvent } from '@praktor/protocol';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { backoffDelay, type ConnectionState, openLiveSocket } from './socket';

/** Stands in for the browser's WebSocket: the test opens, feeds and drops it. */
class FakeSocket {
  static all: FakeSocket[] = [];
  onopen: (() => void) | null = null;
  onmessage: ((msg: { data: unknown }) => void) | null = null;
  onclose: (() => void) | null = null;
  closed = false;

  constructor(readonly url: string) {
    FakeSocket.all.push(this);
  }

  close() {
    this.closed = true;
    this.onclose?.();
  }

  open() {
    this.onopen?.();
  }

  drop() {
    this.onclose?.();
  }

  send(data: unknown) {
    this.onmessage?.({ data });
  }
}

const latest = () => FakeSocket.all.at(-1) as FakeSocket;

function watch() {
  const seen = {
    events: [] as WsEvent[],
    states: [] as ConnectionState[],
    reopens: 0,
    failures: 0,
    invalid: [] as string[],
  };
  const close = openLiveSocket('ws://test/api/ws', {
    onEvent: (e) => seen.events.push(e),
    onState: (s) => seen.states.push(s),
    onReopen: () => {
      seen.reopens += 1;
    },
    onConnectFailed: () => {
      seen.failures += 1;
    },
    onInvalid: (p) => seen.invalid.push(p),
  });
  return { seen, close };
}

describe('backoffDelay', () => {
  it('doubles from 1 s and stays at 10 s', () => {
    expect([0, 1, 2, 3, 4, 5, 20].map(backoffDelay)).toEqual([
      1000, 2000, 4000, 8000, 10_000, 10_000, 10_000,
    ]);
  });
});

describe('openLiveSocket', () => {
  beforeEach(() => {
    vi.useFakeTimers();
    FakeSocket.all = [];
    vi.stubGlobal('WebSocket', FakeSocket);
  });

  afterEach(() => {
    vi.unstubAllGlobals();
    vi.useRealTimers();
  });

  it('hands over valid events and reports anything else', () => {
    const { seen, close } = watch();
    latest().open();
    latest().send(JSON.stringify({ type: 'delta', timestamp: 1, agent_id: 'a', message_id: 2, text: 'x' }));
    latest().send('not json');
    latest().send(JSON.stringify({ type: 'delta', timestamp: 1 }));
    expect(seen.events).toHaveLength(1);
    expect(seen.invalid).toHaveLength(2);
    expect(seen.invalid[0]).toMatch(/^not JSON/);
    close();
  });

  it('reconnects with backoff after drops and failed attempts, and says when events may have been missed', () => {
    const { seen, close } = watch();
    latest().open();
    expect(seen.states).toEqual(['connecting', 'open']);
    latest().drop();
    expect(seen.states.at(-1)).toBe('reconnecting');
    vi.advanceTimersByTime(999);
    expect(FakeSocket.all).toHaveLength(1);
    vi.advanceTimersByTime(1);
    expect(FakeSocket.all).toHaveLength(2);
    latest().drop();
    expect(seen.failures).toBe(1);
    vi.advanceTimersByTime(2000);
    expect(FakeSocket.all).toHaveLength(3);
    latest().open();
    expect(seen.reopens).toBe(1);
    // A successful open starts the backoff over.
    latest().drop();
    vi.advanceTimersByTime(1000);
    expect(FakeSocket.all).toHaveLength(4);
    close();
  });

  it('stops for good when closed', () => {
    const { seen, close } = watch();
    latest().open();
    close();
    expect(latest().closed).toBe(true);
    vi.advanceTimersByTime(60_000);
    expect(FakeSocket.all).toHaveLength(1);
    expect(seen.states.at(-1)).toBe('open');
  });
});
