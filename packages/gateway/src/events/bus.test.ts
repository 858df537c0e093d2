import type { GatewayEvent } from '@praktor/protocol';
import { describe, expect, it } from 'vitest';
import { EventBus } from './bus.js';

const status = (agentId: string): GatewayEvent => ({
  type: 'agent_status',
  agentId,
  status: 'idle',
  reason: null,
});

describe('EventBus', () => {
  it('delivers each event to every listener in subscription order', () => {
    const bus = new EventBus(() => {});
    const seen: string[] = [];
    bus.on(() => seen.push('first'));
    bus.on(() => seen.push('second'));
    bus.emit(status('a'));
    expect(seen).toEqual(['first', 'second']);
  });

  it('lets every listener see an event announced during a delivery after the event being delivered', () => {
    const bus = new EventBus(() => {});
    bus.on((event) => {
      if (event.type === 'agent_status' && event.agentId === 'a') bus.emit(status('b'));
    });
    const seenByLater: string[] = [];
    bus.on((event) => seenByLater.push(event.type === 'agent_status' ? event.agentId : ''));
    bus.emit(status('a'));
    expect(seenByLater).toEqual(['a', 'b']);
  });

  it('reports a throwing listener and still delivers to the others', () => {
    const errors: string[] = [];
    const bus = new EventBus((err) => errors.push(err.message));
    const seen: string[] = [];
    bus.on(() => {
      throw new Error('broken listener');
    });
    bus.on(() => seen.push('delivered'));
    bus.emit(status('a'));
    expect(errors).toEqual(['broken listener']);
    expect(seen).toEqual(['delivered']);
  });

  it('delivers only the chosen type to a typed listener, until unsubscribed', () => {
    const bus = new EventBus(() => {});
    const seen: string[] = [];
    const off = bus.onType('error', (event) => seen.push(event.message));
    bus.emit(status('a'));
    bus.emit({ type: 'error', agentId: null, message: 'one' });
    off();
    bus.emit({ type: 'error', agentId: null, message: 'two' });
    expect(seen).toEqual(['one']);
  });
});
