/**
 * How answers are delivered to Telegram: the chunks each answer is split into (the `deliveries` table), their
 * progress, and the Telegram message each became. The messages themselves are the message store's.
 */
import type { MessageView } from '@praktor/protocol';
import type { Db } from './database.js';
import type { MessageStore } from './messages.js';

/** A chunk of an outbound message that is still to be sent. */
export interface PendingChunk {
  seq: number;
  chatId: string;
  html: string;
  plain: string;
  attempts: number;
}

/** Reads and writes the delivery of answers to Telegram, chunk by chunk. */
export class TelegramDeliveryStore {
  constructor(
    private readonly db: Db,
    private readonly messages: MessageStore,
  ) {}

  /**
   * Records how an outbound message will be sent: one row per chunk, all pending, committed before the first is
   * sent. A message planned before (a restart) keeps its plan, so chunks already sent are not sent again.
   */
  planDelivery(messageId: number, chatId: string, chunks: { html: string; plain: string }[]): void {
    this.db.transaction(() => {
      const planned = this.db
        .prepare<[number], { n: number }>('SELECT COUNT(*) AS n FROM deliveries WHERE message_id = ?')
        .get(messageId);
      if ((planned?.n ?? 0) > 0) return;
      const insert = this.db.prepare(
        `INSERT INTO deliveries (message_id, seq, chat_id, html, plain, state, updated_at) VALUES (?, ?, ?, ?, ?, 'pending', ?)`,
      );
      for (const [seq, chunk] of chunks.entries())
        insert.run(messageId, seq, chatId, chunk.html, chunk.plain, Date.now());
    })();
  }

  /** The chunks of an outbound message still to send (including one in flight when the last run stopped), in order. */
  pendingChunks(messageId: number): PendingChunk[] {
    return this.db
      .prepare<[number], PendingChunk>(
        `SELECT seq, chat_id AS chatId, html, plain, attempts FROM deliveries
         WHERE message_id = ? AND state IN ('pending', 'sending') ORDER BY seq`,
      )
      .all(messageId);
  }

  /**
   * Records that a chunk is about to be sent. A chunk still `sending` after a crash may have reached the chat
   * before the crash: it is the only kind of chunk a restart can deliver twice.
   */
  chunkSending(messageId: number, seq: number): void {
    this.db
      .prepare(`UPDATE deliveries SET state = 'sending', updated_at = ? WHERE message_id = ? AND seq = ?`)
      .run(Date.now(), messageId, seq);
  }

  /** How many chunks were in flight when the last run stopped (see {@link chunkSending}). */
  chunksInFlight(): number {
    const row = this.db
      .prepare<[], { n: number }>(
        `SELECT COUNT(*) AS n FROM deliveries d JOIN messages m ON m.id = d.message_id
         WHERE d.state = 'sending' AND m.channel = 'telegram'`,
      )
      .get();
    return row?.n ?? 0;
  }

  /**
   * Records that chunk `seq` became the Telegram message `externalId`; when it was the last one, the message is
   * sent. Returns the message when that happened.
   */
  chunkSent(messageId: number, seq: number, externalId: string): MessageView | null {
    return this.db.transaction(() => {
      this.db
        .prepare(
          `UPDATE deliveries SET state = 'sent', external_id = ?, attempts = attempts + 1, error = NULL, updated_at = ?
           WHERE message_id = ? AND seq = ?`,
        )
        .run(externalId, Date.now(), messageId, seq);
      const left = this.db
        .prepare<[number], { n: number }>(
          `SELECT COUNT(*) AS n FROM deliveries WHERE message_id = ? AND state IN ('pending', 'sending')`,
        )
        .get(messageId);
      return (left?.n ?? 0) === 0 ? this.messages.markSent(messageId) : null;
    })();
  }

  /** Records a failed attempt at a chunk, keeping why; it is pending again (Telegram did not take it). */
  chunkAttemptFailed(messageId: number, seq: number, error: string): void {
    this.db
      .prepare(
        `UPDATE deliveries SET state = 'pending', attempts = attempts + 1, error = ?, updated_at = ?
         WHERE message_id = ? AND seq = ?`,
      )
      .run(error, Date.now(), messageId, seq);
  }

  /** Gives up on an outbound message: its unsent chunks and the message are failed, with the reason. */
  deliveryFailed(messageId: number, error: string): MessageView {
    return this.db.transaction(() => {
      this.db
        .prepare(
          `UPDATE deliveries SET state = 'failed', error = ?, updated_at = ? WHERE message_id = ? AND state IN ('pending', 'sending')`,
        )
        .run(error, Date.now(), messageId);
      return this.messages.deliveryFailed(messageId, error);
    })();
  }

  /** The agent whose answer became the Telegram message `externalId` in `chatId`, if any: replies go back to it. */
  agentOfDelivery(chatId: string, externalId: string): string | null {
    const row = this.db
      .prepare<[string, string], { agent_id: string | null }>(
        `SELECT m.agent_id FROM deliveries d JOIN messages m ON m.id = d.message_id
         WHERE d.chat_id = ? AND d.external_id = ?`,
      )
      .get(chatId, externalId);
    return row?.agent_id ?? null;
  }
}
