/**
 * Mission Control's server: the REST API, the live WebSocket and the web app's files, behind the password.
 */

import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import fastifyCookie from '@fastify/cookie';
import fastifyStatic from '@fastify/static';
import fastifyWebsocket from '@fastify/websocket';
import { messageOf } from '@praktor/protocol';
import Fastify, {
  type FastifyError,
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
} from 'fastify';
import type { EventBus } from '../events/bus.js';
import type { Logger } from '../log.js';
import { type Auth, type Identity, sameOrigin } from './auth.js';
import { AllowedHosts, isLoopback } from './hosts.js';
import { HttpError, parseOr400 } from './http-error.js';
import { LiveHub } from './live.js';
import { openApiDocument } from './openapi.js';
import { pathProblem } from './paths.js';
import type { ApiDeps } from './route.js';
import { routes } from './routes/index.js';

/** The built web app. */
const UI_DIST = fileURLToPath(new URL('../../../ui/dist/', import.meta.url));

/** The live feed's WebSocket: the one path that accepts an upgrade. */
const LIVE_PATH = '/api/ws';

/** Where and how to serve. */
export interface WebOptions {
  host: string;
  port: number;
  /** `web.allowed_hosts`: names besides this machine's own that browsers may reach it by. */
  allowedHosts: readonly string[];
  /** `web.trusted_proxies`: addresses whose X-Forwarded-For and X-Forwarded-Proto are believed. */
  trustedProxies: readonly string[];
  bus: EventBus;
  log: Logger;
}

/** A listening Mission Control server. */
export interface WebServer {
  /** The address it listens on, e.g. `http://127.0.0.1:8080`. */
  readonly url: string;
  close(): Promise<void>;
}

/**
 * Refuses a configuration that would put Mission Control on the network without a password.
 * Returns the reason, or null when the configuration is safe.
 */
export function unsafeExposure(host: string, password: string): string | null {
  if (password !== '' || isLoopback(host)) return null;
  return (
    `Mission Control would listen on ${host}, reachable from other machines, without a password. ` +
    'Set web.auth (or PRAKTOR_WEB_PASSWORD), or keep web.host at 127.0.0.1.'
  );
}

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The route is reachable without logging in. Every other route needs a login (when a password is set). */
    public?: boolean;
  }
  interface FastifyRequest {
    /** Who the guard found the request to be; null on public routes. */
    identity: Identity;
  }
}

/** Starts Mission Control. Rejects with a clear message when it cannot listen. */
export async function startWebServer(deps: ApiDeps, opts: WebOptions): Promise<WebServer> {
  // Only the configured proxies may say who the client is: anyone else could claim any address and so escape the
  // password throttle.
  const trustProxy = opts.trustedProxies.length > 0 ? [...opts.trustedProxies] : false;
  const app = Fastify({
    bodyLimit: 2 * 1024 * 1024,
    trustProxy,
    // Errors met while routing, before any hook: a path the router cannot decode gets the guard's answer.
    frameworkErrors: (error: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
      // No hook runs here, so nothing else closes a refused upgrade's socket: left open, it would hold up shutdown.
      if (request.headers.upgrade !== undefined) reply.raw.once('finish', () => request.raw.socket.destroy());
      const problem = pathProblem(request.raw.url ?? '');
      if (problem !== null) void reply.code(400).send({ error: notNormal(problem) });
      else void reply.code(error.statusCode ?? 400).send({ error: error.message });
    },
  });
  const hosts = new AllowedHosts(opts.host, opts.allowedHosts);
  app.decorateRequest('identity', null);
  await app.register(fastifyCookie);
  await app.register(fastifyWebsocket, { options: { maxPayload: 64 * 1024 } });
  const live = new LiveHub(
    opts.bus,
    deps.store,
    (tokenHash) => deps.auth.sessionValid(tokenHash),
    deps.config,
  );
  deps.auth.onSessionEnd((tokenHash) => live.endSession(tokenHash));

  app.addHook('onRequest', async (request) => guard(request, deps.auth, hosts));
  app.setErrorHandler((error, request, reply) => {
    if (error instanceof HttpError) {
      void reply.code(error.status).headers(error.headers).send({ error: error.message });
      return;
    }
    const status = (error as { statusCode?: number }).statusCode ?? 500;
    if (status >= 500) opts.log.error({ err: messageOf(error), url: request.url }, 'web request failed');
    void reply.code(status).send({ error: status >= 500 ? 'internal error' : messageOf(error) });
  });

  for (const route of routes) {
    app.route({
      method: route.method,
      url: route.url,
      config: { public: route.public ?? false },
      ...(route.bodyLimit ? { bodyLimit: route.bodyLimit } : {}),
      handler: async (request, reply) => {
        const body = route.body ? parseOr400(route.body, request.body, 'body') : undefined;
        const query = route.query ? parseOr400(route.query, request.query, 'query') : undefined;
        const params = request.params as Record<string, string>;
        const result = await route.handle({ params, body, query, request, reply }, deps);
        if (reply.sent) return reply;
        return reply.code(route.status ?? 200).send(result);
      },
    });
  }
  const openApi = openApiDocument(routes, deps.version);
  app.get('/api/openapi.json', { config: { public: true } }, async () => openApi);
  app.get(LIVE_PATH, { websocket: true }, (socket, request) => {
    live.add(socket, request.identity?.kind === 'session' ? request.identity.tokenHash : null);
  });
  await app.register(async (shell) => appShell(shell, opts.log));

  try {
    await app.listen({ host: opts.host, port: opts.port });
  } catch (err) {
    live.close();
    await app.close();
    const code = (err as NodeJS.ErrnoException).code;
    const why =
      code === 'EADDRINUSE' ? 'the port is in use (set web.port or PRAKTOR_WEB_PORT)' : messageOf(err);
    throw new Error(`Mission Control could not listen on ${opts.host}:${opts.port}: ${why}`);
  }
  const url = `http://${opts.host.includes(':') ? `[${opts.host}]` : opts.host}:${opts.port}`;
  return {
    url,
    async close() {
      live.close();
      await app.close();
    },
  };
}

/**
 * The web app's files and pages, and the answer to unknown paths: all public (the app asks for the login itself),
 * none carries data. Registered in a plugin of their own so that marking them public marks nothing else.
 */
async function appShell(shell: FastifyInstance, log: Logger): Promise<void> {
  shell.addHook('onRoute', (route) => {
    route.config = { ...route.config, public: true };
  });
  const built = existsSync(UI_DIST);
  if (built) {
    // Files are looked up on each request, so a rebuilt app is served without a restart.
    await shell.register(fastifyStatic, { root: UI_DIST, wildcard: true, index: false });
    shell.get('/', (_request, reply) => reply.header('cache-control', 'no-cache').sendFile('index.html'));
  } else {
    log.warn({ expected: UI_DIST }, 'the Mission Control web app is not built; run npm run build');
  }
  shell.setNotFoundHandler((request, reply) => {
    const path = request.url.split('?')[0] ?? '';
    const isFile = /\.[A-Za-z0-9]+$/.test(path);
    if (path.startsWith('/api') || request.method !== 'GET' || isFile || !built) {
      void reply.code(404).send({ error: `not found: ${request.method} ${path}` });
      return;
    }
    // A page of the single-page app (e.g. /agents/coder): the app routes it in the browser.
    void reply.header('cache-control', 'no-cache').sendFile('index.html');
  });
}

/** The answer to a path that is not in normal form. */
function notNormal(problem: string): string {
  return `the path is not in normal form: ${problem}`;
}

/**
 * The checks every request passes before its route runs, in a hook that runs after routing: whether a login is
 * needed is read from the route the router chose (default: needed), never from the URL's text.
 */
function guard(request: FastifyRequest, auth: Auth, hosts: AllowedHosts): void {
  const problem = pathProblem(request.raw.url ?? '');
  if (problem !== null) throw new HttpError(400, notNormal(problem));
  if (!hosts.allows(request.host)) {
    throw new HttpError(
      403,
      'Mission Control does not answer to this host name; to reach it by this name, add the name to web.allowed_hosts',
    );
  }
  const isWrite = request.method !== 'GET' && request.method !== 'HEAD';
  const isUpgrade = request.headers.upgrade?.toLowerCase() === 'websocket';
  // @fastify/websocket would complete an upgrade on any GET route (then close it); only the live feed takes one.
  if (isUpgrade && request.routeOptions.url !== LIVE_PATH) {
    throw new HttpError(404, `not found: a WebSocket at ${request.url.split('?')[0]}`);
  }
  if ((isWrite || isUpgrade) && !sameOrigin(request)) {
    throw new HttpError(403, 'requests from other sites are not allowed');
  }
  // The not-found handler is the app shell's too: it answers with the app's page or an error, never with data.
  if (request.routeOptions.config.public === true || request.is404) return;
  const identity = auth.authenticate(request);
  if (identity === null) throw new HttpError(401, 'authentication required');
  request.identity = identity;
}
