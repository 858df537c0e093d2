/**
 * The web chat channel: messages come in through the API; answers reach the browser over the live feed, so an
 * answer for the web is delivered the moment it is stored.
 */
import type { EventBus } from '../../events/bus.js';
import type { Store } from '../../store/index.js';

/** Marks web answers delivered as soon as they exist. Returns the function that stops it. */
export function startWebChannel(store: Store, bus: EventBus): () => void {
  return bus.onType('message', ({ message }) => {
    if (message.channel !== 'web' || message.direction !== 'out' || message.state !== 'pending') return;
    bus.emit({ type: 'message', message: store.messages.markSent(message.id) });
  });
}
