/**
 * What agents spend: one row per model per turn or task run, as the SDK reported it, and each Claude session's
 * running totals as last reported. The SDK reports a process's spend as running totals (a resumed session's
 * including earlier processes'), so a turn's share is what the totals grew by since the session's last report.
 */
import type { ModelSpend } from '@praktor/protocol';
import type { Db } from './database.js';

/** Work that spends: a conversation turn, a task run, or a swarm member's run. */
export type SpendKind = 'turn' | 'task' | 'swarm';

/** One stored row: what one model cost for one turn or task run. */
export interface SpendRecord extends ModelSpend {
  agentId: string;
  kind: SpendKind;
  /** The inbound message the turn or run answered; null for a swarm member. */
  messageId: number | null;
  createdAt: number;
}

/** What a turn or task run reported, to be recorded. */
export interface SpendReport {
  agentId: string;
  kind: SpendKind;
  messageId: number | null;
  /** The Claude session the totals belong to; null records them as they are. */
  sessionId: string | null;
  /** The process's running totals per model. */
  processSpend: readonly ModelSpend[];
  at: number;
}

interface SpendRow {
  agent_id: string;
  kind: SpendKind;
  message_id: number | null;
  model: string;
  input_tokens: number;
  output_tokens: number;
  cache_read_tokens: number;
  cache_write_tokens: number;
  cost_usd: number;
  created_at: number;
}

type TotalsRow = Omit<SpendRow, 'agent_id' | 'kind' | 'message_id' | 'created_at'>;

const TOKEN_FIELDS = ['inputTokens', 'outputTokens', 'cacheReadTokens', 'cacheWriteTokens'] as const;

/** What `now` adds to `before`; when the totals went down (the session started counting again), all of `now`. */
export function growth(before: ModelSpend | undefined, now: ModelSpend): ModelSpend {
  if (!before) return now;
  const restarted =
    TOKEN_FIELDS.some((field) => now[field] < before[field]) || now.costUsd < before.costUsd - 1e-12;
  if (restarted) return now;
  return {
    model: now.model,
    inputTokens: now.inputTokens - before.inputTokens,
    outputTokens: now.outputTokens - before.outputTokens,
    cacheReadTokens: now.cacheReadTokens - before.cacheReadTokens,
    cacheWriteTokens: now.cacheWriteTokens - before.cacheWriteTokens,
    costUsd: Math.max(0, now.costUsd - before.costUsd),
  };
}

function isEmpty(spend: ModelSpend): boolean {
  return TOKEN_FIELDS.every((field) => spend[field] === 0) && spend.costUsd === 0;
}

function toSpend(row: TotalsRow): ModelSpend {
  return {
    model: row.model,
    inputTokens: row.input_tokens,
    outputTokens: row.output_tokens,
    cacheReadTokens: row.cache_read_tokens,
    cacheWriteTokens: row.cache_write_tokens,
    costUsd: row.cost_usd,
  };
}

/** Reads and writes `spend` and `session_spend`. */
export class SpendStore {
  constructor(private readonly db: Db) {}

  /**
   * Records what a turn or task run spent, from its process's running totals, and returns it per model (models
   * that spent nothing left out). One transaction: the session's totals and the rows never disagree.
   */
  record(report: SpendReport): ModelSpend[] {
    return this.db.transaction(() => {
      const before = new Map(
        report.sessionId === null
          ? []
          : this.db
              .prepare<[string], TotalsRow>('SELECT * FROM session_spend WHERE session_id = ?')
              .all(report.sessionId)
              .map((row) => [row.model, toSpend(row)] as const),
      );
      const spent = report.processSpend
        .map((now) => growth(before.get(now.model), now))
        .filter((spend) => !isEmpty(spend));
      const insert = this.db.prepare(
        `INSERT INTO spend (agent_id, kind, message_id, model, input_tokens, output_tokens, cache_read_tokens,
           cache_write_tokens, cost_usd, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      );
      for (const s of spent) {
        insert.run(
          report.agentId,
          report.kind,
          report.messageId,
          s.model,
          s.inputTokens,
          s.outputTokens,
          s.cacheReadTokens,
          s.cacheWriteTokens,
          s.costUsd,
          report.at,
        );
      }
      if (report.sessionId !== null) {
        const save = this.db.prepare(
          `INSERT INTO session_spend (session_id, model, input_tokens, output_tokens, cache_read_tokens,
             cache_write_tokens, cost_usd) VALUES (?, ?, ?, ?, ?, ?, ?)
           ON CONFLICT (session_id, model) DO UPDATE SET input_tokens = excluded.input_tokens,
             output_tokens = excluded.output_tokens, cache_read_tokens = excluded.cache_read_tokens,
             cache_write_tokens = excluded.cache_write_tokens, cost_usd = excluded.cost_usd`,
        );
        for (const now of report.processSpend) {
          save.run(
            report.sessionId,
            now.model,
            now.inputTokens,
            now.outputTokens,
            now.cacheReadTokens,
            now.cacheWriteTokens,
            now.costUsd,
          );
        }
      }
      return spent;
    })();
  }

  /** Every row written in [`from`, `to`), oldest first. */
  between(from: number, to: number): SpendRecord[] {
    return this.db
      .prepare<[number, number], SpendRow>(
        'SELECT * FROM spend WHERE created_at >= ? AND created_at < ? ORDER BY id',
      )
      .all(from, to)
      .map((row) => ({
        ...toSpend(row),
        agentId: row.agent_id,
        kind: row.kind,
        messageId: row.message_id,
        createdAt: row.created_at,
      }));
  }

  /** USD spent in [`from`, `to`), by one agent or (null) by all. */
  costBetween(from: number, to: number, agentId: string | null): number {
    const row = this.db
      .prepare<[number, number, string | null, string | null], { total: number | null }>(
        `SELECT SUM(cost_usd) AS total FROM spend WHERE created_at >= ? AND created_at < ?
         AND (? IS NULL OR agent_id = ?)`,
      )
      .get(from, to, agentId, agentId);
    return row?.total ?? 0;
  }

  /** What the turns answering these inbound messages spent, all models together, by message id. */
  forMessages(ids: readonly number[]): Map<number, ModelSpend> {
    const result = new Map<number, ModelSpend>();
    if (ids.length === 0) return result;
    const rows = this.db
      .prepare<number[], TotalsRow & { message_id: number }>(
        `SELECT message_id, '' AS model, SUM(input_tokens) AS input_tokens, SUM(output_tokens) AS output_tokens,
           SUM(cache_read_tokens) AS cache_read_tokens, SUM(cache_write_tokens) AS cache_write_tokens,
           SUM(cost_usd) AS cost_usd
         FROM spend WHERE message_id IN (${ids.map(() => '?').join(', ')}) GROUP BY message_id`,
      )
      .all(...ids);
    for (const row of rows) result.set(row.message_id, toSpend(row));
    return result;
  }
}
