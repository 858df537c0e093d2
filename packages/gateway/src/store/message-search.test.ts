import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Store } from './index.js';
import { migrations } from './migrations.js';

let dir: string;
let store: Store;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'praktor-search-'));
  store = Store.open(dir);
});

afterEach(() => {
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

/** A question to `agentId` and its answer. */
function exchange(agentId: string, question: string, answer: string) {
  const { message } = store.messages.receive({
    channel: 'web',
    chatId: 'web',
    sender: 'user:web',
    text: question,
  });
  store.messages.route(message.id, agentId, question);
  store.messages.answer(message.id, { agentId, sender: `agent:${agentId}`, text: answer });
}

const texts = (agentId: string, query: string) =>
  store.messages.search(agentId, query, 50).map((m) => m.text);

describe('message search', () => {
  it("finds the agent's questions and answers by word stem", () => {
    exchange('general', 'I went running by the river', 'Sounds lovely');
    exchange('general', 'What is for dinner?', 'Pasta, as the runner ordered');
    expect(texts('general', 'runs').sort()).toEqual([
      'I went running by the river',
      'Pasta, as the runner ordered',
    ]);
    expect(texts('general', 'lovely')).toEqual(['Sounds lovely']);
  });

  it("never returns another agent's messages", () => {
    exchange('general', 'the river is high', 'ok');
    exchange('coder', 'the river module fails', 'fixed');
    expect(texts('general', 'river')).toEqual(['the river is high']);
    expect(texts('coder', 'river')).toEqual(['the river module fails']);
    expect(texts('nobody', 'river')).toEqual([]);
  });

  it('ranks the message with more of the words first, and keeps to the limit', () => {
    exchange('general', 'green tea', 'noted');
    exchange('general', 'green tea with honey', 'noted');
    exchange('general', 'a green car', 'noted');
    expect(texts('general', 'green tea honey')[0]).toBe('green tea with honey');
    expect(store.messages.search('general', 'green', 2)).toHaveLength(2);
  });

  it('indexes messages stored before the index existed', () => {
    store.close();
    rmSync(dir, { recursive: true, force: true });
    dir = mkdtempSync(join(tmpdir(), 'praktor-search-'));
    // A database as the last release before the index left it, with a message in it.
    const indexAt = migrations.findIndex((m) => m.includes('CREATE VIRTUAL TABLE messages_fts'));
    const db = new Database(join(dir, 'praktor.db'));
    for (const migration of migrations.slice(0, indexAt)) db.exec(migration);
    db.pragma(`user_version = ${indexAt}`);
    db.prepare(
      `INSERT INTO messages (agent_id, direction, channel, chat_id, sender, content, state, created_at, updated_at)
       VALUES ('general', 'in', 'web', 'web', 'user:web', 'an old message about kayaks', 'answered', 1, 1)`,
    ).run();
    db.close();
    store = Store.open(dir);
    expect(texts('general', 'kayak')).toEqual(['an old message about kayaks']);
  });

  it('accepts any query text and never throws', () => {
    exchange('general', 'NEAR("x") AND y*', 'ok');
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.string({ unit: 'grapheme' })), (query) => {
        for (const message of store.messages.search('general', query, 10))
          expect(message.agentId).toBe('general');
      }),
      { numRuns: 300 },
    );
  });
});
