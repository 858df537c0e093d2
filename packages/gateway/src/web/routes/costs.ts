/**
 * What agents spent: tokens by kind and USD, grouped by agent, day or model, for Mission Control's Costs page.
 */
import { CostsQuery, CostsResponse } from '@praktor/protocol';
import { costReport } from '../../costs.js';
import { HttpError } from '../http-error.js';
import { type Route, route } from '../route.js';

/** The costs route. */
export const costRoutes: Route[] = [
  route({
    method: 'GET',
    url: '/api/costs',
    summary:
      'Tokens by kind and USD spent from day `from` to day `to` (both included, in the configured time zone), ' +
      'grouped by agent, day or model, with today’s and this month’s totals.',
    query: CostsQuery,
    response: CostsResponse,
    handle({ query }, deps) {
      if (query.from && query.to && query.from > query.to) {
        throw new HttpError(400, `from (${query.from}) is after to (${query.to})`);
      }
      return costReport(deps.store, query, deps.config().scheduler.timezone, Date.now());
    },
  }),
];
