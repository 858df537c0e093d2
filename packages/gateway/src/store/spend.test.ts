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
