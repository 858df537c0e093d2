import type { SwarmChatMessage } from '@praktor/protocol';
import { describe, expect, it } from 'vitest';
import { describeMessages, SwarmChannel } from './channel.js';

function channel(groups: Record<string, number>) {
  let id = 0;
  const stored: SwarmChatMessage[] = [];
  const ch = new SwarmChannel(new Map(Object.entries(groups)), (m) => {
    const message = { ...m, id: ++id };
    stored.push(message);
    return message;
  });
  return { ch, stored };
}

const never = new AbortController().signal;

describe('SwarmChannel', () => {
  it('gives a member what the others of its group posted, once, and never its own messages', async () => {
    const { ch } = channel({ a: 0, b: 0 });
    ch.send('a', 'from a', 1);
    ch.send('b', 'from b', 2);
    expect((await ch.read('b', 0, never)).map((m) => m.content)).toEqual(['from a']);
    expect(await ch.read('b', 0, never)).toEqual([]);
  });

  it('keeps groups apart', async () => {
    const { ch } = channel({ a: 0, b: 0, c: 1, d: 1 });
    ch.send('a', 'for b', 1);
    expect(await ch.read('c', 0, never)).toEqual([]);
    expect((await ch.read('b', 0, never)).map((m) => m.from)).toEqual(['a']);
  });

  it('wakes a waiting reader as soon as another member posts', async () => {
    const { ch } = channel({ a: 0, b: 0 });
    const started = Date.now();
    const reading = ch.read('b', 10_000, never);
    setTimeout(() => ch.send('a', 'hello', 3), 50);
    expect((await reading).map((m) => m.content)).toEqual(['hello']);
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it('releases two members waiting for each other after the bound, so neither is stuck', async () => {
    const { ch } = channel({ a: 0, b: 0 });
    const started = Date.now();
    const both = await Promise.all([ch.read('a', 200, never), ch.read('b', 200, never)]);
    expect(both).toEqual([[], []]);
    expect(Date.now() - started).toBeGreaterThanOrEqual(190);
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it('stops waiting when the run is stopped', async () => {
    const { ch } = channel({ a: 0, b: 0 });
    const stop = new AbortController();
    const reading = ch.read('a', 30_000, stop.signal);
    stop.abort();
    expect(await reading).toEqual([]);
  });

  it('refuses a member without collaborators, naming it', () => {
    const { ch } = channel({ a: 0, b: 0 });
    expect(() => ch.send('c', 'hi', 1)).toThrow('"c" works alone in this swarm');
  });

  it('shows messages with their sender', () => {
    expect(describeMessages([])).toBe('No new messages.');
    expect(describeMessages([{ id: 1, group: 0, from: 'a', content: 'x', created_at: 0 }])).toBe('[a] x');
  });
});
