/**
 * Where things are in a `praktor backup` archive: a zstd-compressed tar holding `data/` (the data directory, the
 * database as a consistent snapshot), `volumes/<name>/` (each Docker volume of the installation, named without
 * its prefix, so that it can be restored under another one) and, last, `manifest.json`.
 */

/** The data directory's entries start with this. */
export const DATA_PREFIX = 'data/';
/** Docker volumes' entries start with this, then the volume's name without the installation's prefix. */
export const VOLUMES_PREFIX = 'volumes/';
/** The last entry. */
export const MANIFEST_NAME = 'manifest.json';
/** The database's name in the data directory. */
export const DATABASE_FILE = 'praktor.db';

/**
 * Files of the data directory that are never copied as they are: the database and SQLite's files beside it (the
 * snapshot replaces them), and agents' secret files, which exist only while a sandbox runs and are made again
 * from the vault.
 */
export function skippedInDataDir(relative: string): boolean {
  if (/^praktor\.db(-wal|-shm|-journal)?$/.test(relative)) return true;
  return /^agents\/[^/]+\/secrets(\/|$)/.test(relative);
}

/**
 * Whether `name` is a safe path inside an archive: relative, without `.` or `..` parts or empty parts, so that
 * nothing it names lands outside the place it is restored to.
 */
export function safeEntryName(name: string): boolean {
  if (name === '' || name.startsWith('/') || name.includes('\0')) return false;
  const parts = name.replace(/\/$/, '').split('/');
  return parts.every((part) => part !== '' && part !== '.' && part !== '..');
}
