/**
 * The model API as every sandbox sees it: the runner carries Claude Code's connections over its link, and the
 * gateway serves them here, forwarding each request to the model API it was configured with (`ANTHROPIC_BASE_URL`,
 * else Anthropic's) with the real credentials put in on the way. Sandboxes hold only a placeholder, so no
 * credential ever enters one. Streams pass through untouched in both directions.
 */
import {
  Agent as HttpAgent,
  request as httpRequest,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type ServerResponse,
} from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { messageOf } from '@praktor/protocol';
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

/** The credentials the gateway holds for the model API; each is sent as Claude Code would send it. */
export interface ModelCredentials {
  /** An API key (`ANTHROPIC_API_KEY`), sent as `x-api-key`. */
  apiKey: string | null;
  /** A bearer token (`CLAUDE_CODE_OAUTH_TOKEN` or `ANTHROPIC_AUTH_TOKEN`), sent as `Authorization`. */
  bearer: string | null;
}

/** What a sandbox is given instead of each credential it needs: enough for Claude Code to start, useless elsewhere. */
export const CREDENTIAL_PLACEHOLDER = 'praktor-adds-this-on-the-way-out';

/** `headers` with whatever credentials the sandbox sent replaced by the real ones. */
function withCredentials(headers: IncomingHttpHeaders, credentials: ModelCredentials): IncomingHttpHeaders {
  const { 'x-api-key': _key, authorization: _auth, ...rest } = headers;
  return {
    ...rest,
    ...(credentials.apiKey ? { 'x-api-key': credentials.apiKey } : {}),
    ...(credentials.bearer ? { authorization: `Bearer ${credentials.bearer}` } : {}),
  };
}

/** A request handler that forwards to `upstream` (a base URL, possibly with a path prefix). */
export function modelProxy(
  upstream: URL,
  credentials: ModelCredentials,
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
        headers: { ...withCredentials(endToEnd(request.headers), credentials), host: upstream.host },
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
