/**
 * Budget notices already given: a warning or a refusal is sent once per budget and period, across restarts.
 */
import type { Db } from './database.js';

/** Which notice. */
export type BudgetNoticeKind = 'warning' | 'refusal';

/** Reads and writes `budget_notices`. */
export class BudgetNoticeStore {
  constructor(private readonly db: Db) {}

  /**
   * Claims the notice `kind` for `budget` in `period` (a day or a month): true the first time, false once it was
   * claimed already, so only one caller sends it.
   */
  claim(budget: string, period: string, kind: BudgetNoticeKind, at: number): boolean {
    const result = this.db
      .prepare('INSERT OR IGNORE INTO budget_notices (budget, period, kind, created_at) VALUES (?, ?, ?, ?)')
      .run(budget, period, kind, at);
    return result.changes === 1;
  }
}
