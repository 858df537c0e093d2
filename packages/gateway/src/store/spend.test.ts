import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Store } from './index.js';
import { migrations } from './migrations.js';

let dir: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'praktor-spend-'));
});

afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

const sonnet = (costUsd: number) => ({
  model: 'claude-sonnet-4-5',
  inputTokens: 100,
  outputTokens: 20,
  cacheReadTokens: 0,
  cacheWriteTokens: 0,
  costUsd,
});

describe('spend', () => {
  it('records a swarm member’s run beside turns and task runs', () => {
    const store = Store.open(dir);
    try {
      store.spend.record({
        agentId: 'coder',
        kind: 'swarm',
        messageId: null,
        sessionId: 'member-session',
        processSpend: [sonnet(0.25)],
        at: 1_000,
      });
      expect(store.spend.between(0, 2_000).map((row) => [row.agentId, row.kind, row.costUsd])).toEqual([
        ['coder', 'swarm', 0.25],
      ]);
      expect(store.spend.costBetween(0, 2_000, 'coder')).toBe(0.25);
    } finally {
      store.close();
    }
  });

  it('keeps every row spent before swarms could spend', () => {
    // A database as the release before swarm spend left it, with a turn's spend in it.
    const swarmsAt = migrations.findIndex((m) => m.includes('CREATE TABLE spend_with_swarms'));
    const db = new Database(join(dir, 'praktor.db'));
    for (const migration of migrations.slice(0, swarmsAt)) db.exec(migration);
    db.pragma(`user_version = ${swarmsAt}`);
    db.prepare(
      `INSERT INTO spend (agent_id, kind, message_id, model, input_tokens, output_tokens, cache_read_tokens,
         cache_write_tokens, cost_usd, created_at) VALUES ('general', 'turn', NULL, 'claude-sonnet-4-5', 7, 3, 0, 0, 0.5, 10)`,
    ).run();
    db.close();
    const store = Store.open(dir);
    try {
      expect(store.spend.between(0, 100)).toEqual([
        {
          agentId: 'general',
          kind: 'turn',
          messageId: null,
          model: 'claude-sonnet-4-5',
          inputTokens: 7,
          outputTokens: 3,
          cacheReadTokens: 0,
          cacheWriteTokens: 0,
          costUsd: 0.5,
          createdAt: 10,
        },
      ]);
    } finally {
      store.close();
    }
  });
});

/** Running totals of one model as the SDK reports them. */
const totals = (model: string, inputTokens: number, outputTokens: number, costUsd: number) => ({
  model,
  inputTokens,
  outputTokens,
  cacheReadTokens: 0,
  cacheWriteTokens: 0,
  costUsd,
});

/** A share as recorded: the tokens exactly, the cost as closely as floating point subtracts. */
const share = (model: string, inputTokens: number, outputTokens: number, costUsd: number) => ({
  ...totals(model, inputTokens, outputTokens, 0),
  costUsd: expect.closeTo(costUsd, 10),
});

/** Records one turn of session `s1` with the process's running totals. */
function turn(store: Store, at: number, processSpend: ReturnType<typeof totals>[]) {
  return store.spend.record({
    agentId: 'general',
    kind: 'turn',
    messageId: null,
    sessionId: 's1',
    processSpend,
    at,
  });
}

describe('a turn’s share of the running totals', () => {
  it('is what each model’s totals grew by since the session’s last report; a model that did not grow is left out', () => {
    const store = Store.open(dir);
    try {
      turn(store, 1, [totals('opus', 100, 10, 0.5), totals('haiku', 50, 5, 0.01)]);
      const second = turn(store, 2, [totals('opus', 250, 30, 1.25), totals('haiku', 50, 5, 0.01)]);
      expect(second).toEqual([share('opus', 150, 20, 0.75)]);
      expect(store.spend.between(2, 3).map((row) => [row.model, row.inputTokens, row.costUsd])).toEqual([
        ['opus', 150, 0.75],
      ]);
      expect(store.spend.costBetween(0, 10, 'general')).toBeCloseTo(1.26, 10);
    } finally {
      store.close();
    }
  });

  it('counts a model first seen in a later turn whole', () => {
    const store = Store.open(dir);
    try {
      turn(store, 1, [totals('opus', 100, 10, 0.5)]);
      expect(turn(store, 2, [totals('opus', 100, 10, 0.5), totals('haiku', 40, 4, 0.02)])).toEqual([
        totals('haiku', 40, 4, 0.02),
      ]);
    } finally {
      store.close();
    }
  });

  it('is all of the totals when they went down (a new process counts from nothing again)', () => {
    const store = Store.open(dir);
    try {
      turn(store, 1, [totals('opus', 300, 30, 1.5)]);
      expect(turn(store, 2, [totals('opus', 80, 8, 0.4)])).toEqual([totals('opus', 80, 8, 0.4)]);
      // And the lower totals are the ones the next turn is measured from.
      expect(turn(store, 3, [totals('opus', 100, 10, 0.5)])).toEqual([share('opus', 20, 2, 0.1)]);
    } finally {
      store.close();
    }
  });

  it('counts only the new part of a resumed session’s totals, after the gateway restarted', () => {
    const first = Store.open(dir);
    turn(first, 1, [totals('opus', 100, 10, 0.5)]);
    first.close();
    const store = Store.open(dir);
    try {
      // The resumed session's process reports the earlier process's spend too.
      expect(turn(store, 2, [totals('opus', 160, 16, 0.8)])).toEqual([share('opus', 60, 6, 0.3)]);
      expect(store.spend.costBetween(0, 10, null)).toBeCloseTo(0.8, 10);
    } finally {
      store.close();
    }
  });

  it('is the whole report when the turn names no session', () => {
    const store = Store.open(dir);
    try {
      turn(store, 1, [totals('opus', 100, 10, 0.5)]);
      const spent = store.spend.record({
        agentId: 'general',
        kind: 'task',
        messageId: null,
        sessionId: null,
        processSpend: [totals('opus', 100, 10, 0.5)],
        at: 2,
      });
      expect(spent).toEqual([totals('opus', 100, 10, 0.5)]);
    } finally {
      store.close();
    }
  });
});
