/**
 * What agents spend: tokens and estimated USD per model, as the Claude Agent SDK reports them, on the link and in
 * Mission Control's API (`GET /api/costs`).
 */
import { z } from 'zod';

/** Tokens and estimated cost of one model, as the SDK's `modelUsage` reports them. */
export const ModelSpend = z.object({
  model: z.string().min(1),
  inputTokens: z.number().int().nonnegative(),
  outputTokens: z.number().int().nonnegative(),
  cacheReadTokens: z.number().int().nonnegative(),
  cacheWriteTokens: z.number().int().nonnegative(),
  costUsd: z.number().nonnegative(),
});
export type ModelSpend = z.infer<typeof ModelSpend>;

/** How `GET /api/costs` groups what was spent. */
export const CostGrouping = z.enum(['agent', 'day', 'model']);
export type CostGrouping = z.infer<typeof CostGrouping>;

const DAY = /^\d{4}-\d{2}-\d{2}$/;

/** `GET /api/costs` query: a range of days (in the configured time zone, both included) and the grouping. */
export const CostsQuery = z.object({
  /** First day, `YYYY-MM-DD`; default: the first of this month. */
  from: z.string().regex(DAY, 'must be a day such as 2026-01-31').optional(),
  /** Last day, `YYYY-MM-DD`; default: today. */
  to: z.string().regex(DAY, 'must be a day such as 2026-01-31').optional(),
  group: CostGrouping.default('agent'),
});
export type CostsQuery = z.infer<typeof CostsQuery>;

/** Tokens by kind and USD of one group (an agent, a day or a model), or of everything. */
export const CostTotals = z.object({
  input_tokens: z.number().int(),
  output_tokens: z.number().int(),
  cache_read_tokens: z.number().int(),
  cache_write_tokens: z.number().int(),
  cost_usd: z.number(),
  /** Turns, task runs and swarm members' runs that spent it. */
  runs: z.number().int(),
});
export type CostTotals = z.infer<typeof CostTotals>;

/** One group of `GET /api/costs`. */
export const CostGroup = CostTotals.extend({
  /** The agent id, the day (`YYYY-MM-DD`) or the model name. */
  key: z.string(),
});
export type CostGroup = z.infer<typeof CostGroup>;

/** `GET /api/costs`: the groups in key order, the range's total, and today's and this month's totals. */
export const CostsResponse = z.object({
  from: z.string(),
  to: z.string(),
  group: CostGrouping,
  /** The zone the days are counted in (`scheduler.timezone`). */
  timezone: z.string(),
  groups: z.array(CostGroup),
  total: CostTotals,
  today: CostTotals,
  month: CostTotals,
});
export type CostsResponse = z.infer<typeof CostsResponse>;

/** What one message's turn spent, as a conversation shows it. */
export const MessageSpend = z.object({
  cost_usd: z.number(),
  input_tokens: z.number().int(),
  output_tokens: z.number().int(),
  cache_read_tokens: z.number().int(),
  cache_write_tokens: z.number().int(),
});
export type MessageSpend = z.infer<typeof MessageSpend>;

/** One configured budget and how much of it is used, for Mission Control's bars. */
export const BudgetItem = z.object({
  /** `all:daily`, `agent:coder:monthly`, … */
  id: z.string(),
  /** The agent it limits; null for all agents together. */
  agent_id: z.string().nullable(),
  period: z.enum(['daily', 'monthly']),
  limit_usd: z.number(),
  spent_usd: z.number(),
  /** When it starts again, ms since the epoch. */
  resets_at: z.number().int(),
});
export type BudgetItem = z.infer<typeof BudgetItem>;
