/**
 * What was spent, summed for people: `GET /api/costs` and `/cost` both read it from here, so they always agree.
 * Days and months are those of the configured time zone.
 */
import type { CostGroup, CostGrouping, CostsResponse, CostTotals } from '@praktor/protocol';
import { dayOf, monthOf, namedDay } from './calendar.js';
import type { SpendRecord, Store } from './store/index.js';

/** Zero of everything. */
function emptyTotals(): CostTotals {
  return {
    input_tokens: 0,
    output_tokens: 0,
    cache_read_tokens: 0,
    cache_write_tokens: 0,
    cost_usd: 0,
    runs: 0,
  };
}

/** Sums rows; `runs` counts the distinct turns, task runs and swarm members' runs among them. */
export function totalsOf(rows: readonly SpendRecord[]): CostTotals {
  const totals = emptyTotals();
  const runs = new Set<string>();
  for (const row of rows) {
    totals.input_tokens += row.inputTokens;
    totals.output_tokens += row.outputTokens;
    totals.cache_read_tokens += row.cacheReadTokens;
    totals.cache_write_tokens += row.cacheWriteTokens;
    totals.cost_usd += row.costUsd;
    runs.add(`${row.kind}:${row.messageId ?? row.createdAt}`);
  }
  totals.runs = runs.size;
  return totals;
}

/** The report for days `from` to `to` (both included, `YYYY-MM-DD`), grouped by `group`. */
export function costReport(
  store: Store,
  range: { from?: string; to?: string; group: CostGrouping },
  timeZone: string,
  now: number,
): CostsResponse {
  const today = dayOf(now, timeZone);
  const month = monthOf(now, timeZone);
  const from = range.from ? namedDay(range.from, timeZone) : dayOf(month.start, timeZone);
  const to = range.to ? namedDay(range.to, timeZone) : today;
  const rows = store.spend.between(from.start, to.end);
  const keyOf = (row: SpendRecord) =>
    range.group === 'agent'
      ? row.agentId
      : range.group === 'model'
        ? row.model
        : dayOf(row.createdAt, timeZone).key;
  const grouped = new Map<string, SpendRecord[]>();
  for (const row of rows) {
    const key = keyOf(row);
    grouped.set(key, [...(grouped.get(key) ?? []), row]);
  }
  const groups: CostGroup[] = [...grouped.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([key, members]) => ({ key, ...totalsOf(members) }));
  return {
    from: from.key,
    to: to.key,
    group: range.group,
    timezone: timeZone,
    groups,
    total: totalsOf(rows),
    today: totalsOf(store.spend.between(today.start, today.end)),
    month: totalsOf(store.spend.between(month.start, month.end)),
  };
}

/** Today's and this month's USD per agent, every agent of `agentIds` listed (those that spent nothing too). */
export function agentSpendNow(
  store: Store,
  agentIds: readonly string[],
  timeZone: string,
  now: number,
): { agentId: string; today: number; month: number }[] {
  const today = dayOf(now, timeZone);
  const month = monthOf(now, timeZone);
  return agentIds.map((agentId) => ({
    agentId,
    today: store.spend.costBetween(today.start, today.end, agentId),
    month: store.spend.costBetween(month.start, month.end, agentId),
  }));
}

/** USD as people read it: cents for most amounts, more digits for fractions of a cent. */
export function formatUsd(usd: number): string {
  if (usd === 0) return '$0.00';
  if (usd < 0.01) return `$${usd.toFixed(4)}`;
  return `$${usd.toFixed(2)}`;
}
