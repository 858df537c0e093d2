/**
 * Telegram users let in through pairing, and the pairing codes waiting for the owner's approval.
 */
import type { Db } from './database.js';

/** A Telegram user as pairing knows them. */
export interface PairingUser {
  userId: number;
  /** Their display name (first and last name). */
  name: string;
  username: string | null;
}

/** A code waiting for approval. */
export interface PairingRequestRecord extends PairingUser {
  code: string;
  /** The private chat the code was sent to. */
  chatId: string;
  createdAt: number;
  expiresAt: number;
}

/** A user let in through pairing. */
export interface PairedUserRecord extends PairingUser {
  approvedAt: number;
  /** Who approved: `mission-control`, `cli`, or the Telegram sender that used `/pair`. */
  approvedBy: string;
}

interface RequestRow {
  code: string;
  user_id: number;
  chat_id: string;
  name: string;
  username: string | null;
  created_at: number;
  expires_at: number;
}

interface PairedRow {
  user_id: number;
  name: string;
  username: string | null;
  approved_at: number;
  approved_by: string;
}

const toRequest = (row: RequestRow): PairingRequestRecord => ({
  code: row.code,
  userId: row.user_id,
  chatId: row.chat_id,
  name: row.name,
  username: row.username,
  createdAt: row.created_at,
  expiresAt: row.expires_at,
});

const toPaired = (row: PairedRow): PairedUserRecord => ({
  userId: row.user_id,
  name: row.name,
  username: row.username,
  approvedAt: row.approved_at,
  approvedBy: row.approved_by,
});

/** Reads and writes `paired_users` and `pairing_requests`. */
export class PairingStore {
  constructor(private readonly db: Db) {}

  /** Whether `userId` was let in through pairing (and not revoked since). */
  isPaired(userId: number): boolean {
    return this.db.prepare('SELECT 1 FROM paired_users WHERE user_id = ?').get(userId) !== undefined;
  }

  /** Codes not yet expired at `now`, oldest first; expired ones are forgotten. */
  pending(now = Date.now()): PairingRequestRecord[] {
    this.db.prepare('DELETE FROM pairing_requests WHERE expires_at <= ?').run(now);
    return this.db
      .prepare<[], RequestRow>('SELECT * FROM pairing_requests ORDER BY created_at, rowid')
      .all()
      .map(toRequest);
  }

  /** Records a code for a user; a code the user had before is replaced. */
  addRequest(request: PairingRequestRecord): void {
    this.db.transaction(() => {
      this.db.prepare('DELETE FROM pairing_requests WHERE user_id = ?').run(request.userId);
      this.db
        .prepare(
          `INSERT INTO pairing_requests (code, user_id, chat_id, name, username, created_at, expires_at)
           VALUES (?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(
          request.code,
          request.userId,
          request.chatId,
          request.name,
          request.username,
          request.createdAt,
          request.expiresAt,
        );
    })();
  }

  /**
   * Lets in the user of a code not expired at `now`, and forgets the code, in one transaction. Returns the user
   * let in, or null when there is no such code.
   */
  approve(code: string, approvedBy: string, now = Date.now()): PairedUserRecord | null {
    return this.db.transaction(() => {
      const row = this.db
        .prepare<[string, number], RequestRow>(
          'SELECT * FROM pairing_requests WHERE code = ? AND expires_at > ?',
        )
        .get(code, now);
      if (row === undefined) return null;
      this.db.prepare('DELETE FROM pairing_requests WHERE code = ?').run(code);
      this.db
        .prepare(
          `INSERT INTO paired_users (user_id, name, username, approved_at, approved_by) VALUES (?, ?, ?, ?, ?)
           ON CONFLICT (user_id) DO UPDATE SET name = excluded.name, username = excluded.username,
             approved_at = excluded.approved_at, approved_by = excluded.approved_by`,
        )
        .run(row.user_id, row.name, row.username, now, approvedBy);
      return { userId: row.user_id, name: row.name, username: row.username, approvedAt: now, approvedBy };
    })();
  }

  /** Users let in through pairing, in the order they were approved. */
  paired(): PairedUserRecord[] {
    return this.db
      .prepare<[], PairedRow>('SELECT * FROM paired_users ORDER BY approved_at, user_id')
      .all()
      .map(toPaired);
  }

  /** Takes a paired user's access away; returns whether they had it. */
  revoke(userId: number): boolean {
    return this.db.prepare('DELETE FROM paired_users WHERE user_id = ?').run(userId).changes > 0;
  }
}
