/**
 * The live feed: every gateway event, with its full payload, to every connected Mission Control page.
 */
import type { WebSocket } from 'ws';
import type { Config } from '../config/index.js';
import type { EventBus } from '../events/bus.js';
import type { Store } from '../store/index.js';
import { wsEvent } from './views.js';

/** A client this far behind is disconnected (it reconnects and refetches) rather than buffered without end. */
const MAX_BUFFERED_BYTES = 4 * 1024 * 1024;

/** How often sockets opened with a login session are checked against its expiry. */
const SESSION_CHECK_MS = 60_000;

/** Sends bus events to WebSocket clients, for as long as the session each one opened with is valid. */
export class LiveHub {
  /** Each client, with the hash of the login session it opened with (null: no session needed or Basic auth). */
  private readonly clients = new Map<WebSocket, string | null>();
  private readonly unsubscribe: () => void;
  private readonly sessionCheck: NodeJS.Timeout;

  constructor(
    bus: EventBus,
    store: Store,
    private readonly sessionValid: (tokenHash: string) => boolean,
    config: () => Config,
  ) {
    this.unsubscribe = bus.on((event) => this.broadcast(JSON.stringify(wsEvent(event, config(), store))));
    this.sessionCheck = setInterval(() => {
      for (const [socket, session] of this.clients) {
        if (session !== null && !this.sessionValid(session)) socket.close(4401, 'session ended');
      }
    }, SESSION_CHECK_MS);
    this.sessionCheck.unref();
  }

  /** Starts sending events to `socket` until it closes. */
  add(socket: WebSocket, session: string | null): void {
    this.clients.set(socket, session);
    socket.on('close', () => this.clients.delete(socket));
    socket.on('error', () => socket.terminate());
  }

  /** Closes the sockets opened with a session that has just ended (logout). */
  endSession(tokenHash: string): void {
    for (const [socket, session] of this.clients)
      if (session === tokenHash) socket.close(4401, 'session ended');
  }

  /** Closes every connection and stops listening to the bus. */
  close(): void {
    clearInterval(this.sessionCheck);
    this.unsubscribe();
    for (const socket of this.clients.keys()) socket.close(1001, 'server shutting down');
    this.clients.clear();
  }

  private broadcast(data: string): void {
    for (const socket of this.clients.keys()) {
      if (socket.readyState !== socket.OPEN) continue;
      if (socket.bufferedAmount > MAX_BUFFERED_BYTES) {
        socket.terminate();
        continue;
      }
      socket.send(data);
    }
  }
}
