/**
 * The model API as a confined sandbox sees it: an HTTP server on a Unix socket that only that sandbox can reach,
 * forwarding every request to the model API the gateway was configured with (`ANTHROPIC_BASE_URL`, else
 * Anthropic's). Streams pass through untouched in both directions.
 */

import type { ServerResponse } from 'node:http';
import {
  Agent as HttpAgent,
  request as httpRequest,
  type IncomingHttpHeaders,
  type IncomingMessage,
} from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { messageOf } from '../errors.js';
import type { Logger } from '../log.js';

/** The model API used when `ANTHROPIC_BASE_URL` is not set. */
export const DEFAULT_MODEL_API = 'https://api.anthropic.com';

/** Headers that describe one connection rather than the request, so they are not forwarded. */
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-authenticate',
  'proxy-authorization',
  'proxy-connection',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'host',
]);

/** `headers` without the hop-by-hop ones. */
export function endToEnd(headers: IncomingHttpHeaders): IncomingHttpHeaders {
  return Object.fromEntries(Object.entries(headers).filter(([name]) => !HOP_BY_HOP.has(name)));
}

/** A request handler that forwards to `upstream` (a base URL, possibly with a path prefix). */
export function modelProxy(
  upstream: URL,
  log: Logger,
): (request: IncomingMessage, response: ServerResponse) => void {
  const https = upstream.protocol === 'https:';
  // Connections to the model API are kept open between turns, so a warm turn pays no new handshake.
  const agent = https ? new HttpsAgent({ keepAlive: true }) : new HttpAgent({ keepAlive: true });
  const send = https ? httpsRequest : httpRequest;
  const prefix = upstream.pathname.replace(/\/+$/, '');
  return (request, response) => {
    const path = request.url ?? '';
    if (!path.startsWith('/')) {
      fail(response, 400, `the model proxy serves paths only, not ${JSON.stringify(path.slice(0, 100))}`);
      return;
    }
    const outgoing = send(
      {
        protocol: upstream.protocol,
        hostname: upstream.hostname,
        port: upstream.port || undefined,
        method: request.method,
        path: prefix + path,
        headers: { ...endToEnd(request.headers), host: upstream.host },
        agent,
      },
      (incoming) => {
        response.writeHead(incoming.statusCode ?? 502, endToEnd(incoming.headers));
        incoming.pipe(response);
      },
    );
    outgoing.on('error', (err) => {
      log.warn({ err: messageOf(err), path }, 'the model API could not be reached');
      if (!response.headersSent)
        fail(response, 502, `Praktor could not reach the model API: ${messageOf(err)}`);
      else response.destroy();
    });
    // The sandbox hung up (an aborted turn): stop the upstream request too.
    response.on('close', () => {
      if (!response.writableFinished) outgoing.destroy();
    });
    request.pipe(outgoing);
  };
}

/** Answers with an error in the model API's own shape, so Claude Code reports it as it would any API error. */
function fail(response: ServerResponse, status: number, message: string): void {
  response.writeHead(status, { 'content-type': 'application/json' });
  response.end(JSON.stringify({ type: 'error', error: { type: 'api_error', message } }));
}
