import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type Config, parseConfig } from '../config/index.js';
import { Store } from '../store/index.js';
import { Budgets } from './budgets.js';

/** Noon on 7 December 2026 in Berlin. */
const NOON = Date.UTC(2026, 11, 7, 11);
const DAY = 24 * 3_600_000;
/** The chat the work comes from, and another one. */
const CHAT = { channel: 'telegram', chatId: '1001' };
const OTHER_CHAT = { channel: 'web', chatId: 'web' };

function configWith(yaml: string): Config {
  const agents = yaml.includes('agents:') ? '' : 'agents: { general: {}, coder: {} }\n';
  const text = `scheduler: { timezone: Europe/Berlin }\nrouter: { default_agent: general }\n${agents}${yaml}`;
  return parseConfig(text, { env: {}, source: 'praktor.yaml', cwd: '/srv' }).config;
}

describe('budgets', () => {
  let dir: string;
  let store: Store;
  let now: number;
  let config: Config;
  let budgets: Budgets;

  /** `agentId` spends `usd` now. */
  const spend = (agentId: string, usd: number) =>
    store.spend.record({
      agentId,
      kind: 'turn',
      messageId: null,
      sessionId: null,
      processSpend: [
        {
          model: 'm',
          inputTokens: 1,
          outputTokens: 1,
          cacheReadTokens: 0,
          cacheWriteTokens: 0,
          costUsd: usd,
        },
      ],
      at: now,
    });

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'praktor-budgets-'));
    store = Store.open(dir);
    now = NOON;
    config = configWith('budgets: { daily_usd: 0.05 }');
    budgets = new Budgets({
      config: () => config,
      store,
      now: () => now,
      mainChat: () => ({ channel: 'telegram', chatId: '1001' }),
    });
  });

  afterEach(() => {
    store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('lets work start while every budget has room', () => {
    spend('general', 0.03);
    expect(budgets.refusal('general', CHAT)).toBeNull();
  });

  it('refuses once spent reaches the budget, telling the chat once per period which budget, what was spent and when it resets', () => {
    spend('general', 0.03);
    spend('coder', 0.025);
    const first = budgets.refusal('general', CHAT);
    expect(first?.tell).toBe(true);
    expect(first?.text).toBe(
      '🛑 The daily budget of all agents ($0.05) is used up: $0.06 spent today. Nothing more runs until it resets at ' +
        '8 Dec 2026, 00:00 (Europe/Berlin).',
    );
    expect(budgets.refusal('coder', CHAT)?.tell).toBe(false);
    expect(budgets.refusal('general', CHAT)?.tell).toBe(false);
  });

  it('tells every chat it refuses, each once per period', () => {
    spend('general', 0.06);
    expect(budgets.refusal('general', CHAT)?.tell).toBe(true);
    expect(budgets.refusal('coder', OTHER_CHAT)?.tell).toBe(true);
    expect(budgets.refusal('general', OTHER_CHAT)?.tell).toBe(false);
    expect(budgets.refusal('general', CHAT)?.tell).toBe(false);
  });

  it('says why work may not start without using up any chat’s notice (a swarm launch is told every time)', () => {
    spend('general', 0.06);
    expect(budgets.overBudget('general')?.text).toContain(
      'The daily budget of all agents ($0.05) is used up',
    );
    expect(budgets.refusal('general', CHAT)?.tell).toBe(true);
  });

  it('warns the main chat once when 80 % of a budget is spent', () => {
    spend('general', 0.039);
    expect(budgets.warn('general')).toEqual([]);
    spend('general', 0.002);
    const [warning, ...more] = budgets.warn('general');
    expect(more).toEqual([]);
    expect(warning).toMatchObject({ channel: 'telegram', chatId: '1001', state: 'pending' });
    expect(warning?.text).toBe(
      '⚠️ 82 % of the daily budget of all agents used: $0.04 of $0.05. It resets at 8 Dec 2026, 00:00 (Europe/Berlin).',
    );
    spend('general', 0.001);
    expect(budgets.warn('general')).toEqual([]);
  });

  it('lets work start again the next day, and warns and refuses again in it', () => {
    spend('general', 0.06);
    expect(budgets.refusal('general', CHAT)).not.toBeNull();
    expect(budgets.warn('general')).toHaveLength(1);
    now = NOON + DAY;
    expect(budgets.refusal('general', CHAT)).toBeNull();
    spend('general', 0.06);
    expect(budgets.warn('general')).toHaveLength(1);
    expect(budgets.refusal('general', CHAT)?.tell).toBe(true);
  });

  it('counts the day in the configured time zone: just after midnight in Berlin is a new day', () => {
    now = Date.UTC(2026, 11, 7, 22, 30);
    spend('general', 0.06);
    now = Date.UTC(2026, 11, 7, 23, 30);
    expect(budgets.refusal('general', CHAT)).toBeNull();
  });

  it('lets work through at once when the configuration in force raises the budget', () => {
    spend('general', 0.06);
    expect(budgets.refusal('general', CHAT)).not.toBeNull();
    config = configWith('budgets: { daily_usd: 1 }');
    expect(budgets.refusal('general', CHAT)).toBeNull();
  });

  it('limits one agent with its own budget, and leaves the others alone', () => {
    config = configWith('agents: { general: {}, coder: { budgets: { monthly_usd: 0.1 } } }');
    spend('coder', 0.07);
    now = NOON + DAY;
    spend('coder', 0.04);
    expect(budgets.refusal('coder', CHAT)?.text).toBe(
      '🛑 The monthly budget of coder ($0.10) is used up: $0.11 spent this month. Nothing more runs until it ' +
        'resets at 1 Jan 2027, 00:00 (Europe/Berlin).',
    );
    expect(budgets.refusal('general', CHAT)).toBeNull();
  });

  it('has no limit where none is configured', () => {
    config = configWith('');
    spend('general', 1000);
    expect(budgets.uses('general')).toEqual([]);
    expect(budgets.refusal('general', CHAT)).toBeNull();
  });
});
