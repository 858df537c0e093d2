import type { ServerResponse } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { requestId } from './ids.js';
import { buildMessage } from './message.js';
import { encodeEvent, streamEvents } from './sse.js';
import type { DisconnectReply, ErrorReply, MessageReply, ModelRequest } from './types.js';

/** Sends an Anthropic-style error: `{"type":"error","error":{"type":…,"message":…}}`. */
export function sendError(res: ServerResponse, reply: ErrorReply): void {
  const headers: Record<string, string> = { 'content-type': 'application/json', 'request-id': requestId() };
  if (reply.retryAfterSeconds !== undefined) headers['retry-after'] = String(reply.retryAfterSeconds);
  res.writeHead(reply.status, headers);
  res.end(JSON.stringify({ type: 'error', error: { type: reply.errorType, message: reply.message } }));
}

/** Sends a JSON body with status 200. */
export function sendJson(res: ServerResponse, body: unknown): void {
  res.writeHead(200, { 'content-type': 'application/json', 'request-id': requestId() });
  res.end(JSON.stringify(body));
}

function startStream(res: ServerResponse): void {
  res.writeHead(200, {
    'content-type': 'text/event-stream',
    'cache-control': 'no-cache',
    'request-id': requestId(),
  });
}

/**
 * Sends a scripted message as SSE or as one Message JSON, paced by its timing. Rejects with an
 * AbortError when `signal` fires mid-way (server closing or client gone); the caller ends the socket.
 */
export async function sendMessage(
  res: ServerResponse,
  req: ModelRequest,
  reply: MessageReply,
  signal: AbortSignal,
): Promise<void> {
  const { delayMs = 0, chunkDelayMs = 0 } = reply.timing ?? {};
  if (delayMs > 0) await sleep(delayMs, undefined, { signal });
  if (!req.stream) {
    sendJson(res, buildMessage(req, reply));
    return;
  }
  startStream(res);
  let deltasSent = 0;
  for (const event of streamEvents(req, reply)) {
    if (event.type === 'content_block_delta' && deltasSent++ > 0 && chunkDelayMs > 0) {
      await sleep(chunkDelayMs, undefined, { signal });
    }
    res.write(encodeEvent(event));
  }
  res.end();
}

/** Drops the connection, for a stream only after its opening events (and any partial text) are out. */
export function sendDisconnect(res: ServerResponse, req: ModelRequest, reply: DisconnectReply): void {
  if (!req.stream) {
    res.destroy();
    return;
  }
  const content = reply.partialText === undefined ? [] : [{ type: 'text' as const, text: reply.partialText }];
  const events = streamEvents(req, { type: 'message', content, stopReason: 'end_turn' });
  const cut = events.findIndex((e) => e.type === 'content_block_stop' || e.type === 'message_delta');
  startStream(res);
  // Destroy only once the opening events are flushed, so the client sees a stream that breaks.
  res.write(events.slice(0, cut).map(encodeEvent).join(''), () => res.destroy());
}
