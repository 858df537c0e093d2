/**
 * Approval requests: a tool call waiting for a person's yes, and the decision once made (who, when). A request is
 * decided at most once: the first answer wins, a later one changes nothing.
 */
import type { ApprovalState } from '@praktor/protocol';
import type { Db } from './database.js';

/** A stored approval request. */
export interface ApprovalRecord {
  id: string;
  agentId: string;
  /** The inbound message whose turn or task run asked, when known. */
  messageId: number | null;
  channel: string;
  chatId: string | null;
  toolName: string;
  /** The tool input as JSON text, secrets masked. */
  input: string;
  /** The swarm run and role of the member that asked; null for an agent's own turn or task run. */
  swarm: ApprovalSwarm | null;
  state: ApprovalState;
  /** Whether the approval covers the rest of the session. */
  always: boolean;
  decidedBy: string | null;
  decidedAt: number | null;
  createdAt: number;
  expiresAt: number;
}

/** The swarm member that asked. */
export interface ApprovalSwarm {
  runId: string;
  name: string;
  role: string;
}

/** A request as created. */
export type NewApproval = Pick<
  ApprovalRecord,
  | 'id'
  | 'agentId'
  | 'messageId'
  | 'channel'
  | 'chatId'
  | 'toolName'
  | 'input'
  | 'swarm'
  | 'createdAt'
  | 'expiresAt'
>;

interface ApprovalRow {
  id: string;
  agent_id: string;
  message_id: number | null;
  channel: string;
  chat_id: string | null;
  tool_name: string;
  input: string;
  swarm_run_id: string | null;
  swarm_name: string | null;
  swarm_role: string | null;
  state: ApprovalState;
  always: number;
  decided_by: string | null;
  decided_at: number | null;
  created_at: number;
  expires_at: number;
}

function toRecord(row: ApprovalRow): ApprovalRecord {
  return {
    id: row.id,
    agentId: row.agent_id,
    messageId: row.message_id,
    channel: row.channel,
    chatId: row.chat_id,
    toolName: row.tool_name,
    input: row.input,
    swarm:
      row.swarm_run_id === null
        ? null
        : { runId: row.swarm_run_id, name: row.swarm_name ?? '', role: row.swarm_role ?? '' },
    state: row.state,
    always: row.always === 1,
    decidedBy: row.decided_by,
    decidedAt: row.decided_at,
    createdAt: row.created_at,
    expiresAt: row.expires_at,
  };
}

/** Reads and writes `approvals`. */
export class ApprovalStore {
  constructor(private readonly db: Db) {}

  /** Stores a new pending request. */
  create(approval: NewApproval): ApprovalRecord {
    const row = this.db
      .prepare<unknown[], ApprovalRow>(
        `INSERT INTO approvals (id, agent_id, message_id, channel, chat_id, tool_name, input, swarm_run_id,
           swarm_name, swarm_role, state, created_at, expires_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'pending', ?, ?) RETURNING *`,
      )
      .get(
        approval.id,
        approval.agentId,
        approval.messageId,
        approval.channel,
        approval.chatId,
        approval.toolName,
        approval.input,
        approval.swarm?.runId ?? null,
        approval.swarm?.name ?? null,
        approval.swarm?.role ?? null,
        approval.createdAt,
        approval.expiresAt,
      ) as ApprovalRow;
    return toRecord(row);
  }

  /**
   * Settles a pending request: returns it as settled, or null when it was not pending (decided, timed out or
   * expired already), in which case nothing changes.
   */
  settle(
    id: string,
    outcome: { state: Exclude<ApprovalState, 'pending'>; always: boolean; by: string | null; at: number },
  ): ApprovalRecord | null {
    const row = this.db
      .prepare<unknown[], ApprovalRow>(
        `UPDATE approvals SET state = ?, always = ?, decided_by = ?, decided_at = ?
         WHERE id = ? AND state = 'pending' RETURNING *`,
      )
      .get(outcome.state, outcome.always ? 1 : 0, outcome.by, outcome.at, id);
    return row ? toRecord(row) : null;
  }

  /** Marks every pending request expired (their waiting ended with the process that asked); returns them. */
  expirePending(at: number): ApprovalRecord[] {
    return this.db
      .prepare<[number], ApprovalRow>(
        `UPDATE approvals SET state = 'expired', decided_at = ? WHERE state = 'pending' RETURNING *`,
      )
      .all(at)
      .map(toRecord);
  }

  /** One request by id. */
  get(id: string): ApprovalRecord | null {
    const row = this.db.prepare<[string], ApprovalRow>('SELECT * FROM approvals WHERE id = ?').get(id);
    return row ? toRecord(row) : null;
  }

  /** The latest `limit` requests (only pending ones when asked), newest first. */
  latest(limit: number, pendingOnly: boolean): ApprovalRecord[] {
    return this.db
      .prepare<[number, number], ApprovalRow>(
        `SELECT * FROM approvals WHERE (? = 0 OR state = 'pending') ORDER BY created_at DESC, id DESC LIMIT ?`,
      )
      .all(pendingOnly ? 1 : 0, limit)
      .map(toRecord);
  }
}
