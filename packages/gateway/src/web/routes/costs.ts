/**
 * What agents spent: tokens by kind and USD, grouped by agent, day or model, for Mission Control's Costs page.
 */
import { BudgetItem, CostsQuery, CostsResponse } from '@praktor/protocol';
import { z } from 'zod';
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
  route({
    method: 'GET',
    url: '/api/budgets',
    summary:
      'Every configured budget (all agents’ and each agent’s) with what was spent in its current period.',
    response: z.array(BudgetItem),
    handle(_input, deps) {
      const { budgets } = deps.orchestrator;
      const uses = [
        ...budgets.uses(null),
        ...Object.keys(deps.config().agents).flatMap((id) =>
          budgets.uses(id).filter((use) => use.agentId === id),
        ),
      ];
      return uses.map((use) => ({
        id: use.id,
        agent_id: use.agentId,
        period: use.period,
        limit_usd: use.limitUsd,
        spent_usd: use.spentUsd,
        resets_at: use.resetsAt,
      }));
    },
  }),
];
