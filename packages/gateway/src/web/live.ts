/**
 * The live feed: every gateway event, with its full payload, to every connected Mission Control page.
 */
import type { WebSocket } from 'ws';
import type { EventBus } from '../events/bus.js';
import { wsEvent } from './views.js';

/** A client this far behind is disconnected (it reconnects and refetches) rather than buffered without end. */
const MAX_BUFFERED_BYTES = 4 * 1024 * 1024;

/** Sends bus events to WebSocket clients. */
export class LiveHub {
  private readonly clients = new Set<WebSocket>();
  private readonly unsubscribe: () => void;

  constructor(bus: EventBus) {
    this.unsubscribe = bus.on((event) => this.broadcast(JSON.stringify(wsEvent(event))));
  }

  /** Starts sending events to `socket` until it closes. */
  add(socket: WebSocket): void {
    this.clients.add(socket);
    socket.on('close', () => this.clients.delete(socket));
    socket.on('error', () => socket.terminate());
  }

  /** Closes every connection and stops listening to the bus. */
  close(): void {
    this.unsubscribe();
    for (const socket of this.clients) socket.close(1001, 'server shutting down');
    this.clients.clear();
  }

  private broadcast(data: string): void {
    for (const socket of this.clients) {
      if (socket.readyState !== socket.OPEN) continue;
      if (socket.bufferedAmount > MAX_BUFFERED_BYTES) {
        socket.terminate();
        continue;
      }
      socket.send(data);
    }
  }
}
