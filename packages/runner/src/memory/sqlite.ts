/**
 * Opens a SQLite file with whichever binding the sandbox's Node has. The Docker image runs Node 24, whose built-in
 * `node:sqlite` needs no native addon built for it; the local runtime runs the host's Node, which may predate
 * `node:sqlite` (added in 22.5), and then uses `better-sqlite3` from Praktor's own node_modules. Both bindings agree
 * on the small synchronous API below, and both ship SQLite with FTS5.
 */
import { createRequire } from 'node:module';

/** A prepared statement, positional parameters only. */
export interface SqliteStatement {
  run(...params: unknown[]): { changes: number | bigint };
  all(...params: unknown[]): unknown[];
  get(...params: unknown[]): unknown;
}

/** The part of a SQLite connection the memory uses. */
export interface SqliteDatabase {
  exec(sql: string): void;
  prepare(sql: string): SqliteStatement;
  close(): void;
}

type Constructor = new (file: string) => SqliteDatabase;

function binding(): Constructor {
  const builtin = process.getBuiltinModule?.('node:sqlite') as { DatabaseSync: Constructor } | undefined;
  if (builtin) return builtin.DatabaseSync;
  return createRequire(import.meta.url)('better-sqlite3') as Constructor;
}

/** Opens (creating when absent) the database at `file`; `:memory:` gives a private in-memory one. */
export function openSqlite(file: string): SqliteDatabase {
  return new (binding())(file);
}
