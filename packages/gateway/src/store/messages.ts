/**
 * Messages in and out, with their states. The rows are the truth about every message: a restart resumes from them.
 */
import { type Channel, ftsQuery, type MessageState, type MessageView, type Routing } from '@praktor/protocol';
import type { Db } from './database.js';

interface MessageRow {
  id: number;
  agent_id: string | null;
  direction: 'in' | 'out';
  channel: Channel;
  chat_id: string | null;
  sender: string;
  content: string;
  state: MessageState;
  error: string | null;
  in_reply_to: number | null;
  created_at: number;
  route_via: Routing['via'] | null;
  route_reason: string | null;
}

function toView(row: MessageRow): MessageView {
  return {
    id: row.id,
    agentId: row.agent_id,
    direction: row.direction,
    channel: row.channel,
    chatId: row.chat_id,
    sender: row.sender,
    text: row.content,
    state: row.state,
    error: row.error,
    inReplyTo: row.in_reply_to,
    createdAt: row.created_at,
    routing: row.route_via === null ? null : { via: row.route_via, reason: row.route_reason },
  };
}

/** A message as a channel hands it in. */
export interface IncomingMessage {
  channel: Channel;
  chatId: string | null;
  sender: string;
  text: string;
  /** The channel's own id for it (a Telegram update id): a second arrival of the same id is not stored twice. */
  externalId?: string;
}

/** Reads and writes messages. */
export class MessageStore {
  constructor(private readonly db: Db) {}

  /** Stores a message as received. Returns the stored row, and whether it had arrived before. */
  receive(input: IncomingMessage): { message: MessageView; duplicate: boolean } {
    const now = Date.now();
    if (input.externalId !== undefined) {
      const existing = this.db
        .prepare<[string, string], MessageRow>('SELECT * FROM messages WHERE channel = ? AND external_id = ?')
        .get(input.channel, input.externalId);
      if (existing) return { message: toView(existing), duplicate: true };
    }
    const row = this.db
      .prepare<unknown[], MessageRow>(
        `INSERT INTO messages (direction, channel, chat_id, sender, content, state, external_id, created_at, updated_at)
         VALUES ('in', ?, ?, ?, ?, 'received', ?, ?, ?) RETURNING *`,
      )
      .get(
        input.channel,
        input.chatId,
        input.sender,
        input.text,
        input.externalId ?? null,
        now,
        now,
      ) as MessageRow;
    return { message: toView(row), duplicate: false };
  }

  /**
   * Records the agent a received message goes to, and how it was chosen (null: not by the router, as a scheduled
   * task's prompt); the text may lose its `@agent` prefix on the way.
   */
  route(id: number, agentId: string, text: string, routing: Routing | null = null): MessageView {
    return this.update(id, `agent_id = ?, content = ?, state = 'routed', route_via = ?, route_reason = ?`, [
      agentId,
      text,
      routing?.via ?? null,
      routing?.reason ?? null,
    ]);
  }

  /** Marks an inbound message as being worked on by its agent. */
  startProcessing(id: number): MessageView {
    return this.update(id, `state = 'processing'`, []);
  }

  /** Marks an inbound message stopped on a user's request (not a failure), keeping how. */
  stop(id: number, reason: string): MessageView {
    return this.update(id, `state = 'stopped', error = ?`, [reason]);
  }

  /**
   * Writes a note into an agent's conversation that belongs to no chat (where a new conversation started); it goes
   * to no channel, so it is stored as already delivered.
   */
  note(agentId: string, text: string): MessageView {
    const now = Date.now();
    const row = this.db
      .prepare<unknown[], MessageRow>(
        `INSERT INTO messages (agent_id, direction, channel, chat_id, sender, content, state, created_at, updated_at)
         VALUES (?, 'out', 'system', NULL, 'praktor', ?, 'sent', ?, ?) RETURNING *`,
      )
      .get(agentId, text, now, now) as MessageRow;
    return toView(row);
  }

  /**
   * Writes Praktor's own message to a chat, in reply to nothing (an approval's outcome after a restart, a budget
   * warning); it is delivered like an answer. `agentId` places it in that agent's conversation.
   */
  notice(agentId: string, channel: Channel, chatId: string | null, text: string): MessageView {
    const now = Date.now();
    const row = this.db
      .prepare<unknown[], MessageRow>(
        `INSERT INTO messages (agent_id, direction, channel, chat_id, sender, content, state, created_at, updated_at)
         VALUES (?, 'out', ?, ?, 'praktor', ?, ?, ?, ?) RETURNING *`,
      )
      .get(agentId, channel, chatId, text, channel === 'system' ? 'sent' : 'pending', now, now) as MessageRow;
    return toView(row);
  }

  /** Marks a message failed, keeping why. */
  fail(id: number, error: string): MessageView {
    return this.update(id, `state = 'failed', error = ?`, [error]);
  }

  /**
   * Records something an agent sends the chat of inbound message `inboundId` while still answering it (a file): an
   * outbound message, pending delivery, that leaves the question open.
   */
  followUp(inboundId: number, message: { agentId: string; sender: string; text: string }): MessageView {
    const inbound = this.get(inboundId);
    if (!inbound) throw new Error(`message ${inboundId} does not exist`);
    const now = Date.now();
    const row = this.db
      .prepare<unknown[], MessageRow>(
        `INSERT INTO messages (agent_id, direction, channel, chat_id, sender, content, state, in_reply_to, created_at, updated_at)
         VALUES (?, 'out', ?, ?, ?, ?, 'pending', ?, ?, ?) RETURNING *`,
      )
      .get(
        message.agentId,
        inbound.channel,
        inbound.chatId,
        message.sender,
        message.text,
        inboundId,
        now,
        now,
      ) as MessageRow;
    return toView(row);
  }

  /**
   * Stores an agent's answer to an inbound message as pending delivery and marks the inbound answered,
   * in one transaction: an answer is never recorded without its question being closed, or the reverse.
   */
  answer(
    inboundId: number,
    answer: { agentId: string; sender: string; text: string; error?: string },
  ): MessageView {
    return this.db.transaction(() => {
      const inbound = this.get(inboundId);
      if (!inbound) throw new Error(`message ${inboundId} does not exist`);
      const now = Date.now();
      const row = this.db
        .prepare<unknown[], MessageRow>(
          `INSERT INTO messages (agent_id, direction, channel, chat_id, sender, content, state, error, in_reply_to, created_at, updated_at)
           VALUES (?, 'out', ?, ?, ?, ?, 'pending', ?, ?, ?, ?) RETURNING *`,
        )
        .get(
          answer.agentId,
          inbound.channel,
          inbound.chatId,
          answer.sender,
          answer.text,
          answer.error ?? null,
          inboundId,
          now,
          now,
        ) as MessageRow;
      this.db
        .prepare(`UPDATE messages SET state = ?, error = ?, updated_at = ? WHERE id = ?`)
        .run(answer.error ? 'failed' : 'answered', answer.error ?? null, now, inboundId);
      return toView(row);
    })();
  }

  /** Marks an outbound message delivered. */
  markSent(id: number): MessageView {
    return this.update(id, `state = 'sent'`, []);
  }

  /**
   * Gives up on an outbound message: it is failed, with the reason, and its failure kind is `delivery` (what
   * {@link backlog} counts).
   */
  deliveryFailed(messageId: number, error: string): MessageView {
    return this.update(messageId, `state = 'failed', error = ?, failure_kind = 'delivery'`, [
      `delivery failed: ${error}`,
    ]);
  }

  /** Outbound messages of a channel still to deliver, oldest first. */
  pendingOutbound(channel: Channel): MessageView[] {
    return this.db
      .prepare<[string], MessageRow>(
        `SELECT * FROM messages WHERE direction = 'out' AND channel = ? AND state = 'pending' ORDER BY id`,
      )
      .all(channel)
      .map(toView);
  }

  /**
   * Inbound messages received but not yet answered (or failed), oldest first: the work a restart resumes. Task runs'
   * prompts (sender `scheduler`) are left out: the scheduler settles those, and never runs one twice.
   */
  openInbound(): MessageView[] {
    return this.db
      .prepare<[], MessageRow>(
        `SELECT * FROM messages WHERE direction = 'in' AND state IN ('received', 'routed', 'processing')
         AND sender != 'scheduler' ORDER BY id`,
      )
      .all()
      .map(toView);
  }

  /** Answers in `chatId` that could not be delivered and that the chat has not been told about yet. */
  unreportedFailures(channel: Channel, chatId: string): MessageView[] {
    return this.db
      .prepare<[string, string], MessageRow>(
        `SELECT * FROM messages WHERE direction = 'out' AND channel = ? AND chat_id = ? AND state = 'failed'
         AND failure_reported = 0 ORDER BY id`,
      )
      .all(channel, chatId)
      .map(toView);
  }

  /** Remembers that the chat was told about these failed deliveries. */
  markFailuresReported(ids: number[]): void {
    const mark = this.db.prepare('UPDATE messages SET failure_reported = 1 WHERE id = ?');
    this.db.transaction(() => {
      for (const id of ids) mark.run(id);
    })();
  }

  /** How much work is waiting: unanswered inbound messages, undelivered answers, and answers that failed to arrive. */
  backlog(): { inbox: number; outbox: number; failedDeliveries: number } {
    const row = this.db
      .prepare<[], { inbox: number; outbox: number; failed: number }>(
        `SELECT
           (SELECT COUNT(*) FROM messages WHERE state IN ('received', 'routed', 'processing')) AS inbox,
           (SELECT COUNT(*) FROM messages WHERE state = 'pending') AS outbox,
           (SELECT COUNT(*) FROM messages WHERE state = 'failed' AND failure_kind = 'delivery') AS failed`,
      )
      .get();
    return { inbox: row?.inbox ?? 0, outbox: row?.outbox ?? 0, failedDeliveries: row?.failed ?? 0 };
  }

  /** One message by id. */
  get(id: number): MessageView | null {
    const row = this.db.prepare<[number], MessageRow>('SELECT * FROM messages WHERE id = ?').get(id);
    return row ? toView(row) : null;
  }

  /** The latest `limit` messages of an agent (only those older than message `before`, if given), oldest first. */
  recentForAgent(agentId: string, limit: number, before?: number): MessageView[] {
    const rows = this.db
      .prepare<[string, number, number], MessageRow>(
        'SELECT * FROM messages WHERE agent_id = ? AND id < ? ORDER BY id DESC LIMIT ?',
      )
      .all(agentId, before ?? Number.MAX_SAFE_INTEGER, limit);
    return rows.reverse().map(toView);
  }

  /**
   * The agent's messages that best match `query` (any of its words, by stem and prefix; BM25 ranks those holding
   * more and rarer words first), at most `limit`, leaving out message `except`. Any text is a valid query; one
   * without words finds nothing.
   */
  search(agentId: string, query: string, limit: number, except?: number): MessageView[] {
    const match = ftsQuery(query);
    if (match === null) return [];
    return this.db
      .prepare<[string, string, number, number], MessageRow>(
        `SELECT m.* FROM messages_fts JOIN messages m ON m.id = messages_fts.rowid
         WHERE messages_fts MATCH ? AND m.agent_id = ? AND m.id != ?
         ORDER BY bm25(messages_fts), m.id DESC LIMIT ?`,
      )
      .all(match, agentId, except ?? 0, limit)
      .map(toView);
  }

  /** The latest `limit` messages of all agents, newest first. */
  latest(limit: number): MessageView[] {
    return this.db
      .prepare<[number], MessageRow>(
        'SELECT * FROM messages WHERE agent_id IS NOT NULL ORDER BY id DESC LIMIT ?',
      )
      .all(limit)
      .map(toView);
  }

  /** How many messages an agent has, and when the newest was written (null when none). */
  statsForAgent(agentId: string): { count: number; lastAt: number | null } {
    const row = this.db
      .prepare<[string], { count: number; last_at: number | null }>(
        'SELECT COUNT(*) AS count, MAX(created_at) AS last_at FROM messages WHERE agent_id = ?',
      )
      .get(agentId);
    return { count: row?.count ?? 0, lastAt: row?.last_at ?? null };
  }

  private update(id: number, set: string, params: unknown[]): MessageView {
    const row = this.db
      .prepare<unknown[], MessageRow>(`UPDATE messages SET ${set}, updated_at = ? WHERE id = ? RETURNING *`)
      .get(...params, Date.now(), id);
    if (!row) throw new Error(`message ${id} does not exist`);
    return toView(row);
  }
}
