/**
 * The health probe: public, so that Docker's healthcheck and a load balancer need no password; it says only whether
 * the gateway answers and can take work, never what it holds.
 */
import { HealthResponse } from '@praktor/protocol';
import { type Route, route } from '../route.js';

/** The health route. */
export const healthRoutes: Route[] = [
  route({
    method: 'GET',
    url: '/api/health',
    summary:
      'Liveness and readiness, without a login: 200 when the gateway can take work, 503 (same shape) when not.',
    response: HealthResponse,
    public: true,
    handle({ reply }, deps) {
      const database = deps.store.problem() ?? 'ok';
      const shutdown = deps.stopping() ? 'the gateway is stopping' : 'ok';
      const ready = database === 'ok' && shutdown === 'ok';
      const body: HealthResponse = {
        status: ready ? 'ok' : 'unavailable',
        live: true,
        ready,
        checks: { database, shutdown },
      };
      return reply.code(ready ? 200 : 503).send(body);
    },
  }),
];
