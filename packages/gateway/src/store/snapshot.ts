/**
 * A consistent copy of a database that may be in use: SQLite's online backup copies it within one read transaction
 * (starting again when another connection wrote between its steps), so a running gateway, or an agent storing
 * memories, goes on writing while it is taken.
 */
import { existsSync } from 'node:fs';
import Database from 'better-sqlite3';
import { DatabaseError } from './database.js';
import { MessageStore } from './messages.js';
import { type SchedulerInstance, TaskStore } from './tasks.js';
import { VaultStore } from './vault.js';

/** Pages to copy in one step: more than any database has. */
const WHOLE_DATABASE = 2 ** 30;

/** Copies the database `file` into `destination` (replaced if there), consistently, while others may write it. */
export async function snapshotDatabase(file: string, destination: string): Promise<void> {
  if (!existsSync(file)) throw new DatabaseError(`${file} does not exist: there is no database to back up`);
  const db = new Database(file, { fileMustExist: true });
  try {
    db.pragma('busy_timeout = 5000');
    // After the first step, the rest in one: a writer that never pauses (an agent storing memories) would otherwise
    // restart the copy at every step, for ever.
    await db.backup(destination, { progress: () => WHOLE_DATABASE });
  } finally {
    db.close();
  }
}

/**
 * The gateways registered in the database `file` (each gateway's scheduler registers itself and beats), read
 * without changing the file; none when there is no database.
 */
export function registeredGateways(file: string): SchedulerInstance[] {
  if (!existsSync(file)) return [];
  const db = new Database(file, { fileMustExist: true, readonly: true });
  try {
    const table = db
      .prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'scheduler_instances'")
      .get();
    if (table === undefined) return [];
    return new TaskStore(db, new MessageStore(db)).instances();
  } finally {
    db.close();
  }
}

/** The stores a read-only look at a database needs (`praktor doctor`). */
export interface ReadOnlyStores {
  vault: VaultStore;
}

/**
 * Opens the database `file` read-only for `use`, and closes it when `use` settles; null when there is no
 * database (yet). Nothing is migrated or written.
 */
export async function withReadOnlyDatabase<T>(
  file: string,
  use: (stores: ReadOnlyStores) => Promise<T>,
): Promise<T | null> {
  if (!existsSync(file)) return null;
  const db = new Database(file, { fileMustExist: true, readonly: true });
  try {
    return await use({ vault: new VaultStore(db) });
  } finally {
    db.close();
  }
}
