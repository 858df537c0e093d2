/**
 * Opens the gateway's SQLite database and brings its schema up to date. A database file that is there but
 * empty, not SQLite, or damaged is refused and left exactly as it is: starting on it would replace a user's
 * history, sessions and secrets with an empty database.
 */

import { closeSync, openSync, readSync } from 'node:fs';
import { messageOf } from '@praktor/protocol';
import Database from 'better-sqlite3';
import { ensurePrivateFile, type Tightened, tightenIfPresent } from '../private-files.js';
import { migrations } from './migrations.js';

/** The open database connection; one per gateway process. */
export type Db = Database.Database;

/** A database file Praktor will not use; the message names the file and what to do. */
export class DatabaseError extends Error {
  override name = 'DatabaseError';
}

/** Every SQLite database file starts with these 16 bytes. */
const SQLITE_HEADER = Buffer.from('SQLite format 3\0', 'latin1');

/** How many of quick_check's findings a message quotes. */
const QUOTED_PROBLEMS = 3;

/** What a user can do about a file that is refused. */
function advice(file: string): string {
  return (
    'Praktor does not start on it, so that nothing in it is overwritten. Restore it from a backup, or move it ' +
    `(with ${file}-wal and ${file}-shm, if there) out of the data directory to start with a new, empty database.`
  );
}

/** Refuses a file that is empty or does not start as an SQLite database does, before SQLite sees it. */
function checkHeader(file: string): void {
  const head = Buffer.alloc(SQLITE_HEADER.length);
  const fd = openSync(file, 'r');
  let read: number;
  try {
    read = readSync(fd, head, 0, head.length, 0);
  } finally {
    closeSync(fd);
  }
  if (read === 0) {
    // SQLite would take an empty file for a new database and write one over it. (A first start that died before
    // SQLite wrote anything also leaves an empty file; moving it away is then all there is to do.)
    throw new DatabaseError(
      `${file} is empty (0 bytes): it holds none of the messages, sessions, tasks or secrets a database ` +
        `of Praktor's holds. ${advice(file)}`,
    );
  }
  if (read < head.length || !head.equals(SQLITE_HEADER)) {
    throw new DatabaseError(`${file} is not an SQLite database. ${advice(file)}`);
  }
}

/** Refuses a database whose pages SQLite finds damaged. */
function checkIntegrity(db: Db, file: string): void {
  let problems: string[];
  try {
    problems = (db.pragma('quick_check') as { quick_check: string }[]).map((row) => row.quick_check);
  } catch (error) {
    throw new DatabaseError(`${file} is damaged (${messageOf(error)}). ${advice(file)}`);
  }
  if (problems.length === 1 && problems[0] === 'ok') return;
  const quoted = problems.slice(0, QUOTED_PROBLEMS).join('; ');
  const more = problems.length > QUOTED_PROBLEMS ? ` and ${problems.length - QUOTED_PROBLEMS} more` : '';
  throw new DatabaseError(`${file} is damaged: ${quoted}${more}. ${advice(file)}`);
}

/**
 * Opens (creating if missing) the database at `file`, in WAL mode, and applies every migration it has not seen.
 * The file, and the -wal and -shm files SQLite makes beside it with the same permissions, are readable by their
 * owner only; returns what had to be narrowed. Throws {@link DatabaseError}, leaving the file untouched, for a
 * file that is empty, not SQLite, damaged, or written by a newer Praktor.
 */
export function openDatabase(file: string): { db: Db; tightened: Tightened[] } {
  const { created, tightened } = ensurePrivateFile(file);
  if (!created) checkHeader(file);
  const narrowed = [tightened, tightenIfPresent(`${file}-wal`), tightenIfPresent(`${file}-shm`)];
  const db = new Database(file);
  try {
    db.pragma('busy_timeout = 5000');
    if (!created) checkIntegrity(db, file);
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.pragma('foreign_keys = ON');
    migrate(db, file);
  } catch (error) {
    db.close();
    throw error;
  }
  return { db, tightened: narrowed.filter((t): t is Tightened => t !== null) };
}

function migrate(db: Db, file: string): void {
  const current = db.pragma('user_version', { simple: true }) as number;
  if (current > migrations.length) {
    throw new DatabaseError(
      `${file} is at schema version ${current}, newer than this Praktor knows (${migrations.length}); upgrade Praktor`,
    );
  }
  for (let version = current; version < migrations.length; version++) {
    const sql = migrations[version] as string;
    db.transaction(() => {
      db.exec(sql);
      db.pragma(`user_version = ${version + 1}`);
    })();
  }
}
