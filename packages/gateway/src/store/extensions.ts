/**
 * Agents' extensions as saved in Mission Control (one JSON document per agent, replaced whole), and what each
 * agent's sandbox last reported of them.
 */
import { AgentExtensions, ExtensionStatus, messageOf } from '@praktor/protocol';
import type { Db } from './database.js';

/** Reads and writes `agent_extensions` and `agent_extension_status`. */
export class ExtensionStore {
  constructor(private readonly db: Db) {}

  /** Agent `agentId`'s extensions; none saved is no extensions. */
  get(agentId: string): AgentExtensions {
    const row = this.db
      .prepare<[string], { extensions: string }>('SELECT extensions FROM agent_extensions WHERE agent_id = ?')
      .get(agentId);
    if (!row) return {};
    try {
      return AgentExtensions.parse(JSON.parse(row.extensions));
    } catch (err) {
      // Written only after validation, so this is a damaged row: say so rather than start the agent without them.
      throw new Error(`the saved extensions of agent "${agentId}" cannot be read: ${messageOf(err)}`);
    }
  }

  /** Replaces agent `agentId`'s extensions with `extensions`, in one statement. */
  set(agentId: string, extensions: AgentExtensions, at: number): void {
    this.db
      .prepare(
        `INSERT INTO agent_extensions (agent_id, extensions, updated_at) VALUES (?, ?, ?)
         ON CONFLICT (agent_id) DO UPDATE SET extensions = excluded.extensions, updated_at = excluded.updated_at`,
      )
      .run(agentId, JSON.stringify(extensions), at);
  }

  /** What agent `agentId`'s sandbox last reported; null when it never did. */
  status(agentId: string): ExtensionStatus | null {
    const row = this.db
      .prepare<[string], { status: string }>('SELECT status FROM agent_extension_status WHERE agent_id = ?')
      .get(agentId);
    if (!row) return null;
    const parsed = ExtensionStatus.safeParse(JSON.parse(row.status));
    // A report in an older shape is as good as none: the next start reports again.
    return parsed.success ? parsed.data : null;
  }

  /** Keeps the report agent `agentId`'s sandbox just sent. */
  setStatus(agentId: string, status: ExtensionStatus): void {
    this.db
      .prepare(
        `INSERT INTO agent_extension_status (agent_id, status, reported_at) VALUES (?, ?, ?)
         ON CONFLICT (agent_id) DO UPDATE SET status = excluded.status, reported_at = excluded.reported_at`,
      )
      .run(agentId, JSON.stringify(status), status.reported_at);
  }
}
