/**
 * Each agent's Claude session id, kept so a conversation survives sandbox and gateway restarts.
 */
import type { Db } from './database.js';

/** Reads and writes agents' session ids. */
export class SessionStore {
  constructor(private readonly db: Db) {}

  /** The session to resume for `agentId`, or null for a new conversation. */
  get(agentId: string): string | null {
    const row = this.db
      .prepare<[string], { session_id: string }>('SELECT session_id FROM agent_sessions WHERE agent_id = ?')
      .get(agentId);
    return row?.session_id ?? null;
  }

  /** Remembers the session an agent is in. */
  set(agentId: string, sessionId: string): void {
    this.db
      .prepare(
        `INSERT INTO agent_sessions (agent_id, session_id, updated_at) VALUES (?, ?, ?)
         ON CONFLICT (agent_id) DO UPDATE SET session_id = excluded.session_id, updated_at = excluded.updated_at`,
      )
      .run(agentId, sessionId, Date.now());
  }

  /** Forgets an agent's session: its next message starts a new conversation. */
  clear(agentId: string): void {
    this.db.prepare('DELETE FROM agent_sessions WHERE agent_id = ?').run(agentId);
  }
}
