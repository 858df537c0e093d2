/**
 * Budgets: what agents may spend per day and per month, all together (`budgets`) and each (`agents.<id>.budgets`).
 * Work is checked before it starts: over a budget, it does not start, and each chat it came from is told once per
 * period which budget, how much was spent and when it resets. At 80 % the main chat is warned, once per period. A turn that
 * crosses a budget while running finishes. Days and months are those of `scheduler.timezone`, read from the clock
 * given, and the limits from the configuration in force at each check.
 */
import type { Channel } from '@praktor/protocol';
import { dayOf, monthOf, type Period } from '../calendar.js';
import type { Config } from '../config/index.js';
import { formatUsd } from '../costs.js';
import type { Store } from '../store/index.js';

/** The share of a budget at which the main chat is warned. */
export const WARNING_SHARE = 0.8;

/** What the budgets work with. */
export interface BudgetDeps {
  config: () => Config;
  store: Store;
  /** The time now, in ms since the epoch. */
  now: () => number;
  /** Where warnings go. */
  mainChat: () => { channel: Channel; chatId: string };
}

/** One budget as it stands now. */
export interface BudgetUse {
  /** `all:daily`, `agent:coder:monthly`, … */
  id: string;
  /** The agent it limits; null for all agents together. */
  agentId: string | null;
  period: 'daily' | 'monthly';
  limitUsd: number;
  spentUsd: number;
  /** When the period ends and the budget starts again. */
  resetsAt: number;
}

/** Why work may not start: the budget, and the words for the user. */
export interface OverBudget {
  budget: BudgetUse;
  text: string;
}

/** Why work from a chat may not start, and whether that chat is to be told. */
export interface Refusal extends OverBudget {
  /** Whether this is the chat's first refusal by this budget this period, the one it is told about. */
  tell: boolean;
}

/** The chat work came from. */
export interface ChatRef {
  channel: string;
  chatId: string | null;
}

/** Checks and announces budgets. */
export class Budgets {
  constructor(private readonly deps: BudgetDeps) {}

  /** Every configured budget that applies to `agentId` (all agents' and its own), with what was spent in it. */
  uses(agentId: string | null): BudgetUse[] {
    const config = this.deps.config();
    const now = this.deps.now();
    const zone = config.scheduler.timezone;
    const periods = { daily: dayOf(now, zone), monthly: monthOf(now, zone) };
    const scopes: { agentId: string | null; limits: { daily_usd: number; monthly_usd: number } }[] = [
      { agentId: null, limits: config.budgets },
    ];
    const own = agentId === null ? undefined : config.agents[agentId]?.budgets;
    if (agentId !== null && own) scopes.push({ agentId, limits: own });
    const uses: BudgetUse[] = [];
    for (const scope of scopes) {
      for (const period of ['daily', 'monthly'] as const) {
        const limitUsd = period === 'daily' ? scope.limits.daily_usd : scope.limits.monthly_usd;
        if (limitUsd <= 0) continue;
        const span: Period = periods[period];
        uses.push({
          id: `${scope.agentId === null ? 'all' : `agent:${scope.agentId}`}:${period}`,
          agentId: scope.agentId,
          period,
          limitUsd,
          spentUsd: this.deps.store.spend.costBetween(span.start, span.end, scope.agentId),
          resetsAt: span.end,
        });
      }
    }
    return uses;
  }

  /** Why work for `agentId` may not start now, or null when every budget has room. */
  overBudget(agentId: string): OverBudget | null {
    const budget = this.uses(agentId).find((use) => use.spentUsd >= use.limitUsd);
    return budget ? { budget, text: this.refusalText(budget) } : null;
  }

  /**
   * Why work for `agentId` from `chat` may not start now, or null when every budget has room; `tell` is true once
   * per budget, period and chat, so every chat refused learns why, and only once.
   */
  refusal(agentId: string, chat: ChatRef): Refusal | null {
    const over = this.overBudget(agentId);
    if (!over) return null;
    const tell = this.deps.store.budgetNotices.claim(
      over.budget.id,
      this.periodKey(over.budget),
      'refusal',
      `${chat.channel}:${chat.chatId ?? ''}`,
      this.deps.now(),
    );
    return { ...over, tell };
  }

  /**
   * After `agentId` spent: warns the main chat about each budget that reached 80 % for the first time this period.
   * Returns the warnings written, for the caller to announce.
   */
  warn(agentId: string): ReturnType<Store['messages']['notice']>[] {
    const { store } = this.deps;
    const chat = this.deps.mainChat();
    const written = [];
    for (const use of this.uses(agentId)) {
      if (use.spentUsd < use.limitUsd * WARNING_SHARE) continue;
      if (!store.budgetNotices.claim(use.id, this.periodKey(use), 'warning', '', this.deps.now())) continue;
      written.push(store.messages.notice(agentId, chat.channel, chat.chatId, this.warningText(use)));
    }
    return written;
  }

  private periodKey(use: BudgetUse): string {
    const zone = this.deps.config().scheduler.timezone;
    return (use.period === 'daily' ? dayOf : monthOf)(use.resetsAt - 1, zone).key;
  }

  private refusalText(use: BudgetUse): string {
    return (
      `🛑 ${describe(use)} (${formatUsd(use.limitUsd)}) is used up: ${formatUsd(use.spentUsd)} spent ` +
      `${use.period === 'daily' ? 'today' : 'this month'}. Nothing more runs until it resets at ` +
      `${this.when(use.resetsAt)}.`
    );
  }

  private warningText(use: BudgetUse): string {
    const share = Math.floor((use.spentUsd / use.limitUsd) * 100);
    return (
      `⚠️ ${share} % of ${describe(use).replace(/^The /, 'the ')} used: ${formatUsd(use.spentUsd)} of ` +
      `${formatUsd(use.limitUsd)}. It resets at ${this.when(use.resetsAt)}.`
    );
  }

  private when(ms: number): string {
    const zone = this.deps.config().scheduler.timezone;
    const text = new Intl.DateTimeFormat('en-GB', {
      timeZone: zone,
      dateStyle: 'medium',
      timeStyle: 'short',
    }).format(new Date(ms));
    return `${text} (${zone})`;
  }
}

function describe(use: BudgetUse): string {
  const whose = use.agentId === null ? 'all agents' : use.agentId;
  return `The ${use.period} budget of ${whose}`;
}
