/**
 * Budget notices already given: a warning once per budget and period, a refusal once per budget, period and chat,
 * across restarts.
 */
import type { Db } from './database.js';

/** Which notice. */
export type BudgetNoticeKind = 'warning' | 'refusal';

/** Reads and writes `budget_notices`. */
export class BudgetNoticeStore {
  constructor(private readonly db: Db) {}

  /**
   * Claims the notice `kind` for `budget` in `period` (a day or a month) and `chat` ('' where the chat does not
   * matter): true the first time, false once it was claimed already, so only one caller sends it.
   */
  claim(budget: string, period: string, kind: BudgetNoticeKind, chat: string, at: number): boolean {
    const result = this.db
      .prepare(
        'INSERT OR IGNORE INTO budget_notices (budget, period, kind, chat, created_at) VALUES (?, ?, ?, ?, ?)',
      )
      .run(budget, period, kind, chat, at);
    return result.changes === 1;
  }
}
