/**
 * Where things are in a `praktor backup` archive: a zstd-compressed tar holding `data/` (the data directory, the
 * database as a consistent snapshot), `volumes/<host>/<name>/` (each Docker volume of the installation on each Docker
 * host, named without its prefix, so that it can be restored under another one) and, last, `manifest.json`.
 * Archives of version 1 (one daemon) hold `volumes/<name>/`.
 */
import { type BackupVolume, MEMORY_FILE } from '@praktor/protocol';

/** The data directory's entries start with this. */
export const DATA_PREFIX = 'data/';
/** Docker volumes' entries start with this, then the host's name and the volume's name without the prefix. */
export const VOLUMES_PREFIX = 'volumes/';

/**
 * The folder of `volume`'s entries in the archive. A host's name is any text the configuration accepts, so it is
 * percent-encoded, dots too: it stays one safe path part (never `..`, never a slash).
 */
export function volumeFolder(volume: BackupVolume): string {
  if (volume.host === null) return `${VOLUMES_PREFIX}${volume.name}/`;
  const host = encodeURIComponent(volume.host).replaceAll('.', '%2E');
  return `${VOLUMES_PREFIX}${host}/${volume.name}/`;
}
/** The last entry. */
export const MANIFEST_NAME = 'manifest.json';
/** The database's name in the data directory. */
export const DATABASE_FILE = 'praktor.db';

/** The memory's name in a pattern. */
const MEMORY_PATTERN = MEMORY_FILE.replaceAll('.', '\\.');

/** SQLite's files beside a database, which a snapshot of the database replaces. */
const SIDECARS = ['-wal', '-shm', '-journal'] as const;

/** The names of SQLite's files beside the database `file`. */
export function sidecarsOf(file: string): string[] {
  return SIDECARS.map((suffix) => `${file}${suffix}`);
}

/** Whether `relative` (a path in the data directory) is an agent's memory database on the local runtime. */
export function isMemoryInDataDir(relative: string): boolean {
  return new RegExp(`^agents/[^/]+/workspace/${MEMORY_PATTERN}$`).test(relative);
}

/** Whether `relative` (a path in volume `suffix`, named without its prefix) is an agent's memory database. */
export function isMemoryInVolume(suffix: string, relative: string): boolean {
  return suffix.startsWith('wk-') && relative === MEMORY_FILE;
}

/**
 * Files of the data directory that are never copied as they are: SQLite's files beside the database and beside
 * each agent's memory (the snapshots written in their place hold what they had), and agents' secret files, which
 * exist only while a sandbox runs and are made again from the vault.
 */
export function skippedInDataDir(relative: string): boolean {
  if (/^praktor\.db(-wal|-shm|-journal)?$/.test(relative)) return true;
  if (new RegExp(`^agents/[^/]+/workspace/${MEMORY_PATTERN}(-wal|-shm|-journal)$`).test(relative))
    return true;
  return /^agents\/[^/]+\/secrets(\/|$)/.test(relative);
}

/** Whether `relative` (a path in volume `suffix`) is SQLite's file beside a memory, which its snapshot replaces. */
export function skippedInVolume(suffix: string, relative: string): boolean {
  return sidecarsOf(MEMORY_FILE).includes(relative) && suffix.startsWith('wk-');
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
