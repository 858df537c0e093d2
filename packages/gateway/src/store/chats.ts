/**
 * The agent each chat talked to last, so commands like /stop and /reset know whom they mean.
 */
import type { Channel } from '@praktor/protocol';
import type { Db } from './database.js';

/** Reads and writes the last agent of each chat. */
export class ChatStore {
  constructor(private readonly db: Db) {}

  /** Remembers that `chatId` is now talking to `agentId`. */
  setLastAgent(channel: Channel, chatId: string, agentId: string): void {
    this.db
      .prepare(
        `INSERT INTO chat_agents (channel, chat_id, agent_id, updated_at) VALUES (?, ?, ?, ?)
         ON CONFLICT (channel, chat_id) DO UPDATE SET agent_id = excluded.agent_id, updated_at = excluded.updated_at`,
      )
      .run(channel, chatId, agentId, Date.now());
  }

  /** The agent `chatId` talked to last, if it did at `since` or later. */
  lastAgentSince(channel: Channel, chatId: string, since: number): string | null {
    const row = this.db
      .prepare<[string, string, number], { agent_id: string }>(
        'SELECT agent_id FROM chat_agents WHERE channel = ? AND chat_id = ? AND updated_at >= ?',
      )
      .get(channel, chatId, since);
    return row?.agent_id ?? null;
  }

  /** The agent `chatId` talked to last, if any. */
  lastAgent(channel: Channel, chatId: string): string | null {
    const row = this.db
      .prepare<[string, string], { agent_id: string }>(
        'SELECT agent_id FROM chat_agents WHERE channel = ? AND chat_id = ?',
      )
      .get(channel, chatId);
    return row?.agent_id ?? null;
  }
}
