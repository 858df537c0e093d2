/**
 * Mission Control's server: the REST API, the live WebSocket and the web app's files, behind the password.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import fastifyCookie from '@fastify/cookie';
import fastifyStatic from '@fastify/static';
import fastifyWebsocket from '@fastify/websocket';
import Fastify, { type FastifyRequest } from 'fastify';
import type { EventBus } from '../events/bus.js';
import type { Logger } from '../log.js';
import { type Auth, isLoopbackHost, loopbackHostHeader, sameOrigin } from './auth.js';
import { HttpError, parseOr400 } from './http-error.js';
import { LiveHub } from './live.js';
import { openApiDocument } from './openapi.js';
import { type ApiDeps, routes } from './routes.js';

/** The built web app. */
const UI_DIST = fileURLToPath(new URL('../../../ui/dist/', import.meta.url));

/** Where and how to serve. */
export interface WebOptions {
  host: string;
  port: number;
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
  if (password !== '' || isLoopbackHost(host)) return null;
  return (
    `Mission Control would listen on ${host}, reachable from other machines, without a password. ` +
    'Set web.auth (or PRAKTOR_WEB_PASSWORD), or keep web.host at 127.0.0.1.'
  );
}

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The route is reachable without logging in. */
    public?: boolean;
  }
}

/** Starts Mission Control. Rejects with a clear message when it cannot listen. */
export async function startWebServer(deps: ApiDeps, opts: WebOptions): Promise<WebServer> {
  // A reverse proxy on this machine tells us who the client is; nobody else may.
  const app = Fastify({ bodyLimit: 2 * 1024 * 1024, trustProxy: 'loopback' });
  await app.register(fastifyCookie);
  await app.register(fastifyWebsocket, { options: { maxPayload: 64 * 1024 } });
  const live = new LiveHub(opts.bus, (tokenHash) => deps.auth.sessionValid(tokenHash), deps.config);
  deps.auth.onSessionEnd((tokenHash) => live.endSession(tokenHash));

  app.addHook('onRequest', async (request) => guard(request, deps.auth));
  app.setErrorHandler((error, request, reply) => {
    if (error instanceof HttpError) {
      void reply.code(error.status).headers(error.headers).send({ error: error.message });
      return;
    }
    const status = (error as { statusCode?: number }).statusCode ?? 500;
    if (status >= 500)
      opts.log.error({ err: (error as Error).message, url: request.url }, 'web request failed');
    void reply.code(status).send({ error: status >= 500 ? 'internal error' : (error as Error).message });
  });

  for (const route of routes) {
    app.route({
      method: route.method,
      url: route.url,
      config: { public: route.public ?? false },
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
  app.get('/api/ws', { websocket: true }, (socket, request) => {
    const identity = deps.auth.identify(request);
    live.add(socket, identity?.kind === 'session' ? identity.tokenHash : null);
  });

  if (existsSync(UI_DIST)) {
    // Files are looked up on each request, so a rebuilt app is served without a restart.
    await app.register(fastifyStatic, { root: UI_DIST, wildcard: true, index: false });
    app.get('/', (_request, reply) => reply.header('cache-control', 'no-cache').sendFile('index.html'));
  } else {
    opts.log.warn({ expected: UI_DIST }, 'the Mission Control web app is not built; run npm run build');
  }
  app.setNotFoundHandler((request, reply) => {
    const path = request.url.split('?')[0] ?? '';
    const isFile = /\.[A-Za-z0-9]+$/.test(path);
    if (path.startsWith('/api') || request.method !== 'GET' || isFile || !existsSync(UI_DIST)) {
      void reply.code(404).send({ error: `not found: ${request.method} ${path}` });
      return;
    }
    // A page of the single-page app (e.g. /agents/coder): the app routes it in the browser.
    void reply.header('cache-control', 'no-cache').sendFile('index.html');
  });

  try {
    await app.listen({ host: opts.host, port: opts.port });
  } catch (err) {
    live.close();
    await app.close();
    const code = (err as NodeJS.ErrnoException).code;
    const why =
      code === 'EADDRINUSE'
        ? 'the port is in use (set web.port or PRAKTOR_WEB_PORT)'
        : (err as Error).message;
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

/** The checks every request passes before its route runs. */
function guard(request: FastifyRequest, auth: Auth): void {
  if (!auth.enabled && !loopbackHostHeader(request)) {
    throw new HttpError(403, 'this address is not allowed to reach Mission Control without a password');
  }
  const isWrite = request.method !== 'GET' && request.method !== 'HEAD';
  const isUpgrade = request.headers.upgrade?.toLowerCase() === 'websocket';
  if ((isWrite || isUpgrade) && !sameOrigin(request)) {
    throw new HttpError(403, 'requests from other sites are not allowed');
  }
  if (!request.url.startsWith('/api/') || request.routeOptions.config.public) return;
  if (!auth.identify(request)) throw new HttpError(401, 'authentication required');
}
