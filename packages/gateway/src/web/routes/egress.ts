/**
 * The egress policy as Mission Control sees it: the connections agents were refused.
 */
import { EgressRefusal, EgressRefusalsQuery } from '@praktor/protocol';
import { z } from 'zod';
import { type Route, route } from '../route.js';

/** The egress routes. */
export const egressRoutes: Route[] = [
  route({
    method: 'GET',
    url: '/api/egress/refusals',
    summary:
      'The most recent connections the internet proxy refused since the gateway started, newest first.',
    query: EgressRefusalsQuery,
    response: z.array(EgressRefusal),
    handle: ({ query }, deps) => deps.refusals.list(query.agent_id),
  }),
];
