/**
 * The in-process event bus: components announce what happened; channels, logs and Mission Control listen.
 */
import type { GatewayEvent } from '@praktor/protocol';

/** A listener for one kind of event, or for all. */
type Listener<E extends GatewayEvent = GatewayEvent> = (event: E) => void;

/** Delivers every event to its listeners synchronously, in the order they subscribed. */
export class EventBus {
  private readonly listeners = new Set<Listener>();

  /** Announces an event. A listener that throws is reported through `onListenerError`, never allowed to stop others. */
  emit(event: GatewayEvent): void {
    for (const listener of this.listeners) {
      try {
        listener(event);
      } catch (err) {
        this.onListenerError(err as Error, event);
      }
    }
  }

  /** Listens to every event; returns the unsubscribe function. */
  on(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Listens to events of one type. */
  onType<T extends GatewayEvent['type']>(
    type: T,
    listener: Listener<Extract<GatewayEvent, { type: T }>>,
  ): () => void {
    return this.on((event) => {
      if (event.type === type) listener(event as Extract<GatewayEvent, { type: T }>);
    });
  }

  constructor(private readonly onListenerError: (err: Error, event: GatewayEvent) => void) {}
}
