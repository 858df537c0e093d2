/**
 * Owner-only permissions for what the gateway keeps in its data directory (the database with every message,
 * session and secret, and the user's profile): other users of the machine may not read any of it. A folder or
 * file made before this, or by another tool, is narrowed to the owner, and the caller is told so it can say so.
 */
import { chmodSync, closeSync, mkdirSync, openSync, statSync } from 'node:fs';

/** A path whose permissions were narrowed to its owner: what they were and what they are now (octal). */
export interface Tightened {
  path: string;
  was: string;
  now: string;
}

const PRIVATE_DIR = 0o700;
const PRIVATE_FILE = 0o600;

const octal = (mode: number) => `0${(mode & 0o777).toString(8)}`;

/** Takes group and other permissions away from `path` if it has any; returns what changed, or null. */
function narrow(path: string, to: number): Tightened | null {
  const mode = statSync(path).mode & 0o777;
  if ((mode & 0o077) === 0) return null;
  chmodSync(path, to);
  return { path, was: octal(mode), now: octal(to) };
}

/** Makes the folder `path` (and missing parents) readable by its owner only. */
export function ensurePrivateDir(path: string): Tightened | null {
  if (mkdirSync(path, { recursive: true, mode: PRIVATE_DIR }) === undefined) return narrow(path, PRIVATE_DIR);
  // The mode given to mkdir is reduced by the umask, which may take the owner's own rights away.
  chmodSync(path, PRIVATE_DIR);
  return null;
}

/**
 * Creates the empty file `path` readable by its owner only, or narrows the one that exists. Returns whether it
 * was created, and what changed when it existed.
 */
export function ensurePrivateFile(path: string): { created: boolean; tightened: Tightened | null } {
  try {
    closeSync(openSync(path, 'wx', PRIVATE_FILE));
    chmodSync(path, PRIVATE_FILE);
    return { created: true, tightened: null };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    return { created: false, tightened: narrow(path, PRIVATE_FILE) };
  }
}

/** Narrows `path` to its owner if it exists; a missing file is no change. */
export function tightenIfPresent(path: string): Tightened | null {
  try {
    return narrow(path, PRIVATE_FILE);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
}
