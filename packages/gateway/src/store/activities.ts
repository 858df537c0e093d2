/**
 * What agents did while answering a message: one row per tool call or retried model API error, already masked.
 */
import type { ActivityView } from '@praktor/protocol';
import type { Db } from './database.js';

interface ActivityRow {
  id: number;
  message_id: number;
  agent_id: string;
  kind: 'tool' | 'retry';
  tool: string | null;
  summary: string;
  detail: string | null;
  created_at: number;
}

function toView(row: ActivityRow): ActivityView {
  return {
    id: row.id,
    messageId: row.message_id,
    agentId: row.agent_id,
    kind: row.kind,
    tool: row.tool,
    summary: row.summary,
    detail: row.detail,
    createdAt: row.created_at,
  };
}

/** A new activity line, its text masked by the caller. */
export type NewActivity = Omit<ActivityView, 'id' | 'createdAt'>;

/** The most lines one request returns: a conversation page is at most 500 messages, rarely with many tools each. */
const MAX_LINES = 2000;

/** Reads and writes activity lines. */
export class ActivityStore {
  constructor(private readonly db: Db) {}

  /** Stores one line and returns it as stored. */
  add(activity: NewActivity): ActivityView {
    const row = this.db
      .prepare<[number, string, string, string | null, string, string | null, number], ActivityRow>(
        `INSERT INTO activities (message_id, agent_id, kind, tool, summary, detail, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING *`,
      )
      .get(
        activity.messageId,
        activity.agentId,
        activity.kind,
        activity.tool,
        activity.summary,
        activity.detail,
        Date.now(),
      );
    if (!row) throw new Error('storing an activity line returned no row');
    return toView(row);
  }

  /** The lines of `agentId`'s messages from id `sinceMessageId` on, in the order they happened. */
  forAgent(agentId: string, sinceMessageId: number): ActivityView[] {
    return this.db
      .prepare<[string, number, number], ActivityRow>(
        `SELECT * FROM activities WHERE agent_id = ? AND message_id >= ? ORDER BY id LIMIT ?`,
      )
      .all(agentId, sinceMessageId, MAX_LINES)
      .map(toView);
  }
}
