import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Store } from './index.js';
import { migrations } from './migrations.js';

let dir: string;
let store: Store;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'praktor-store-'));
  store = Store.open(dir);
});

afterEach(() => {
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

const incoming = { channel: 'telegram' as const, chatId: '42', sender: 'user:7', text: 'hello' };

/** An inbound message routed to `agentId` and answered with `text`; returns the answer. */
function answered(agentId: string, text: string) {
  const { message } = store.messages.receive(incoming);
  store.messages.route(message.id, agentId, 'question');
  return store.messages.answer(message.id, { agentId, sender: 'agent', text });
}

describe('Store', () => {
  it('creates the database in WAL mode at the latest schema version', () => {
    store.close();
    const db = new Database(join(dir, 'praktor.db'));
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('user_version', { simple: true })).toBe(migrations.length);
    db.close();
    store = Store.open(dir);
  });

  it('refuses a database written by a newer version', () => {
    store.close();
    const db = new Database(join(dir, 'praktor.db'));
    db.pragma(`user_version = ${migrations.length + 1}`);
    db.close();
    expect(() => Store.open(dir)).toThrow(/newer than this Praktor knows/);
    const reset = new Database(join(dir, 'praktor.db'));
    reset.pragma(`user_version = ${migrations.length}`);
    reset.close();
    store = Store.open(dir);
  });

  it('keeps messages across a reopen', () => {
    const { message } = store.messages.receive(incoming);
    store.close();
    store = Store.open(dir);
    expect(store.messages.get(message.id)?.text).toBe('hello');
  });
});

describe('MessageStore', () => {
  it('stores a new inbound message as received', () => {
    const { message, duplicate } = store.messages.receive(incoming);
    expect(duplicate).toBe(false);
    expect(message).toMatchObject({
      direction: 'in',
      state: 'received',
      agentId: null,
      chatId: '42',
      text: 'hello',
    });
  });

  it('does not store a message with a known external id twice', () => {
    const first = store.messages.receive({ ...incoming, externalId: 'u1' });
    const second = store.messages.receive({ ...incoming, externalId: 'u1' });
    expect(second.duplicate).toBe(true);
    expect(second.message.id).toBe(first.message.id);
  });

  it('moves an inbound message through routed and processing to answered, with its answer pending', () => {
    const { message } = store.messages.receive(incoming);
    expect(store.messages.route(message.id, 'coder', 'hi').state).toBe('routed');
    expect(store.messages.startProcessing(message.id).state).toBe('processing');
    const answer = store.messages.answer(message.id, { agentId: 'coder', sender: 'agent', text: 'hi there' });
    expect(answer).toMatchObject({ direction: 'out', state: 'pending', inReplyTo: message.id, chatId: '42' });
    expect(store.messages.get(message.id)?.state).toBe('answered');
    expect(store.messages.markSent(answer.id).state).toBe('sent');
  });

  it('marks the inbound message failed when its answer is an error', () => {
    const { message } = store.messages.receive(incoming);
    store.messages.route(message.id, 'coder', 'hi');
    store.messages.answer(message.id, {
      agentId: 'coder',
      sender: 'system',
      text: '⚠️ broke',
      error: 'broke',
    });
    expect(store.messages.get(message.id)).toMatchObject({ state: 'failed', error: 'broke' });
  });

  it('fails an undeliverable answer, counts it, and reports it to its chat once', () => {
    const answer = answered('coder', 'lost');
    store.messages.deliveryFailed(answer.id, 'Forbidden: bot was blocked by the user');
    expect(store.messages.get(answer.id)).toMatchObject({ state: 'failed' });
    expect(store.messages.backlog().failedDeliveries).toBe(1);
    expect(store.messages.unreportedFailures('telegram', '42').map((m) => m.id)).toEqual([answer.id]);
    store.messages.markFailuresReported([answer.id]);
    expect(store.messages.unreportedFailures('telegram', '42')).toEqual([]);
  });

  it('lists unanswered inbound messages and undelivered answers for a restart to resume', () => {
    const waiting = store.messages.receive({ ...incoming, text: 'waiting' }).message;
    store.messages.route(waiting.id, 'coder', 'waiting');
    const answer = answered('coder', 'undelivered');
    expect(store.messages.openInbound().map((m) => m.id)).toEqual([waiting.id]);
    expect(store.messages.pendingOutbound('telegram').map((m) => m.id)).toEqual([answer.id]);
    expect(store.messages.backlog()).toMatchObject({ inbox: 1, outbox: 1 });
  });

  it('lists an agent’s recent messages oldest first', () => {
    for (const text of ['one', 'two', 'three']) {
      const { message } = store.messages.receive({ ...incoming, text });
      store.messages.route(message.id, 'coder', text);
    }
    expect(store.messages.recentForAgent('coder', 2).map((m) => m.text)).toEqual(['two', 'three']);
  });

  it('orders messages written in the same millisecond by arrival', () => {
    const ids = Array.from(
      { length: 50 },
      (_, i) => store.messages.receive({ ...incoming, text: `m${i}` }).message,
    );
    for (const m of ids) store.messages.route(m.id, 'coder', m.text);
    expect(store.messages.recentForAgent('coder', 50).map((m) => m.text)).toEqual(ids.map((m) => m.text));
  });
});

describe('SessionStore', () => {
  it('remembers, replaces and forgets an agent’s session', () => {
    expect(store.sessions.get('coder')).toBeNull();
    store.sessions.set('coder', 's1');
    store.sessions.set('coder', 's2');
    expect(store.sessions.get('coder')).toBe('s2');
    store.sessions.clear('coder');
    expect(store.sessions.get('coder')).toBeNull();
  });
});

describe('ActivityStore', () => {
  /** A line of `agentId`'s work on message `messageId`. */
  const line = (agentId: string, messageId: number, summary: string) => ({
    agentId,
    messageId,
    kind: 'tool' as const,
    tool: 'Bash',
    summary,
    detail: `{"command": "${summary}"}`,
  });

  it('lists an agent’s lines from a message on, in the order they happened', () => {
    const first = store.messages.receive(incoming).message;
    const second = store.messages.receive({ ...incoming, text: 'again' }).message;
    store.activities.add(line('general', first.id, 'ls'));
    store.activities.add(line('general', second.id, 'pwd'));
    store.activities.add(line('general', second.id, 'date'));
    store.activities.add(line('coder', second.id, 'make'));
    expect(store.activities.forAgent('general', 0).map((a) => a.summary)).toEqual(['ls', 'pwd', 'date']);
    expect(store.activities.forAgent('general', second.id).map((a) => a.summary)).toEqual(['pwd', 'date']);
  });

  it('keeps the lines across a restart', () => {
    const message = store.messages.receive(incoming).message;
    const stored = store.activities.add(line('general', message.id, 'ls'));
    store.close();
    store = Store.open(dir);
    expect(store.activities.forAgent('general', 0)).toEqual([stored]);
  });
});

describe('ChatStore', () => {
  it('remembers the last agent per chat and channel', () => {
    store.chats.setLastAgent('telegram', '42', 'coder');
    store.chats.setLastAgent('telegram', '42', 'general');
    expect(store.chats.lastAgent('telegram', '42')).toBe('general');
    expect(store.chats.lastAgent('web', '42')).toBeNull();
  });
});

describe('failed deliveries', () => {
  it('are counted by their kind, not by the words of an error', () => {
    const answer = answered('coder', 'lost');
    store.telegramDeliveries.planDelivery(answer.id, '42', [{ html: 'a', plain: 'a' }]);
    store.telegramDeliveries.deliveryFailed(answer.id, 'Forbidden: bot was blocked by the user');
    const other = answered('coder', 'not a delivery');
    store.messages.fail(other.id, 'delivery failed: words an agent or a user could write');
    expect(store.messages.backlog().failedDeliveries).toBe(1);
  });

  it('stored before the kind existed are found by their text when the database is upgraded', () => {
    store.close();
    rmSync(join(dir, 'praktor.db'));
    const db = new Database(join(dir, 'praktor.db'));
    const before = migrations.findIndex((sql) => sql.includes('failure_kind'));
    for (const sql of migrations.slice(0, before)) db.exec(sql);
    db.pragma(`user_version = ${before}`);
    const insert = db.prepare(
      `INSERT INTO messages (direction, channel, chat_id, sender, content, state, error, created_at, updated_at)
       VALUES (?, 'telegram', '42', 'agent', 'x', ?, ?, 0, 0)`,
    );
    insert.run('out', 'failed', 'delivery failed: Forbidden: bot was blocked by the user');
    insert.run('out', 'failed', 'the agent crashed');
    insert.run('in', 'failed', 'delivery failed: an inbound message is never a delivery');
    insert.run('out', 'sent', null);
    db.close();
    store = Store.open(dir);
    expect(store.messages.backlog().failedDeliveries).toBe(1);
  });
});
