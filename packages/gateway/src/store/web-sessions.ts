/**
 * Mission Control login sessions. Only a hash of each token is kept, so a copy of the database logs nobody in.
 */
import type { Db } from './database.js';

/** Reads and writes login sessions. */
export class WebSessionStore {
  constructor(private readonly db: Db) {}

  /** Records a new session that ends at `expiresAt`. */
  create(tokenHash: string, expiresAt: number): void {
    this.db
      .prepare('INSERT INTO web_sessions (token_hash, created_at, expires_at) VALUES (?, ?, ?)')
      .run(tokenHash, Date.now(), expiresAt);
  }

  /** When the session ends, or null when there is no such session or it has ended. */
  expiresAt(tokenHash: string, now = Date.now()): number | null {
    const row = this.db
      .prepare<[string], { expires_at: number }>('SELECT expires_at FROM web_sessions WHERE token_hash = ?')
      .get(tokenHash);
    return row !== undefined && row.expires_at > now ? row.expires_at : null;
  }

  /** Ends a session (logout). */
  delete(tokenHash: string): void {
    this.db.prepare('DELETE FROM web_sessions WHERE token_hash = ?').run(tokenHash);
  }

  /** Ends every session (the password changed); returns the hashes of those ended. */
  deleteAll(): string[] {
    const rows = this.db
      .prepare<[], { token_hash: string }>('DELETE FROM web_sessions RETURNING token_hash')
      .all();
    return rows.map((row) => row.token_hash);
  }

  /** Forgets sessions that have ended. */
  purgeExpired(now = Date.now()): void {
    this.db.prepare('DELETE FROM web_sessions WHERE expires_at <= ?').run(now);
  }
}
