/**
 * The app's one WebSocket to `/api/ws`: every message is validated as a {@link WsEvent}; a dropped connection is
 * retried with backoff (1 s, 2 s, 4 s, 8 s, then every 10 s) until the caller closes it.
 */
import { WsEvent } from '@praktor/protocol';

/** `connecting` before the first attempt ends, `open`, or `reconnecting` after a drop or a failed attempt. */
export type ConnectionState = 'connecting' | 'open' | 'reconnecting';

/** What the socket reports. */
export interface SocketHandlers {
  onEvent(event: WsEvent): void;
  onState(state: ConnectionState): void;
  /** A connection opened after an earlier one dropped: events in between were missed. */
  onReopen(): void;
  /** An attempt failed before opening: perhaps the session ended, which only a REST call can tell. */
  onConnectFailed(): void;
  /** The server sent something that is not an event. */
  onInvalid(problem: string): void;
}

/** Wait before reconnect attempt `attempt` (0-based). */
export function backoffDelay(attempt: number): number {
  return Math.min(1000 * 2 ** attempt, 10_000);
}

/** The `/api/ws` address on the page's own origin. */
export function liveUrl(location: Location): string {
  return `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/api/ws`;
}

function describe(data: unknown): WsEvent | string {
  if (typeof data !== 'string') return 'a binary message';
  let json: unknown;
  try {
    json = JSON.parse(data);
  } catch {
    return `not JSON: ${data.slice(0, 80)}`;
  }
  const parsed = WsEvent.safeParse(json);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  return `${issue?.path.join('.') || 'event'}: ${issue?.message ?? 'invalid'}`;
}

/** Opens the socket and keeps it open; returns the function that closes it for good. */
export function openLiveSocket(url: string, handlers: SocketHandlers): () => void {
  let socket: WebSocket | null = null;
  let retry: ReturnType<typeof setTimeout> | null = null;
  let attempt = 0;
  let everOpened = false;
  let closed = false;

  const connect = () => {
    const ws = new WebSocket(url);
    socket = ws;
    let opened = false;
    ws.onopen = () => {
      opened = true;
      attempt = 0;
      handlers.onState('open');
      if (everOpened) handlers.onReopen();
      everOpened = true;
    };
    ws.onmessage = (msg) => {
      const event = describe(msg.data);
      if (typeof event === 'string') handlers.onInvalid(event);
      else handlers.onEvent(event);
    };
    ws.onclose = () => {
      if (closed) return;
      if (!opened) handlers.onConnectFailed();
      handlers.onState('reconnecting');
      retry = setTimeout(connect, backoffDelay(attempt));
      attempt += 1;
    };
  };

  handlers.onState('connecting');
  connect();
  return () => {
    closed = true;
    if (retry !== null) clearTimeout(retry);
    socket?.close();
  };
}
