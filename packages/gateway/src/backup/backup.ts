/**
 * `praktor backup`: the database as a consistent snapshot (taken while the gateway runs), the rest of the data
 * directory, and the installation's Docker volumes on every Docker host, into one zstd-compressed tar with a
 * manifest of checksums that records each volume's host.
 */
import {
  createReadStream,
  type Dirent,
  lstatSync,
  readdirSync,
  readlinkSync,
  renameSync,
  rmSync,
  type Stats,
} from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import type { BackupManifest, BackupVolume } from '@praktor/protocol';
import type { Config } from '../config/index.js';
import type { SecretReader } from '../runtimes/docker-hosts.js';
import { snapshotDatabase } from '../store/snapshot.js';
import { VERSION } from '../version.js';
import { ArchiveWriter, type EntryHeader } from './archive-writer.js';
import { backupAccess, noSecrets, volumeSuffix } from './docker-part.js';
import { DATA_PREFIX, DATABASE_FILE, skippedInDataDir, volumeFolder } from './layout.js';

/** What to back up and where to. */
export interface BackupOptions {
  config: Config;
  /** The archive to write; replaced only once the new one is complete. */
  file: string;
  /** The image of the helper containers that read volumes (default: `defaults.image`). */
  image?: string;
  /** Hears of every byte put into the archive, before compression. */
  onBytes?: (n: number) => void;
  /** Reads the vault secrets that hosts' TLS files name (default: none may be named). */
  secret?: SecretReader;
}

/** What a finished backup holds. */
export interface BackupResult {
  manifest: BackupManifest;
  /** Bytes before compression. */
  bytes: number;
}

/** Writes a backup of the installation `config` describes. Rejects with what went wrong; no partial file is left. */
export async function createBackup(opts: BackupOptions): Promise<BackupResult> {
  const { config } = opts;
  const dbFile = join(config.dataDir, DATABASE_FILE);
  const partial = `${opts.file}.partial`;
  const snapshot = `${opts.file}.db-snapshot`;
  let bytes = 0;
  const writer = new ArchiveWriter(partial, (n) => {
    bytes += n;
    opts.onBytes?.(n);
  });
  try {
    const access = await backupAccess(config, opts.image, opts.secret ?? noSecrets);
    await snapshotDatabase(dbFile, snapshot);
    await writeDataDir(writer, config.dataDir, snapshot);
    const volumes: BackupVolume[] = [];
    if (access) {
      const { names, image } = access;
      for (const { host, volumes: there } of access.hosts) {
        for (const volume of await there.list()) {
          const entry = { name: volumeSuffix(names, volume), host: host.name };
          volumes.push(entry);
          await there.exportTar(image, volume, (tar) =>
            writer.copyTar(tar, volumeFolder(entry), volumeRelative),
          );
        }
      }
    }
    const manifest = await writer.finish({
      format: 'praktor-backup',
      version: 2,
      praktor: VERSION,
      created_at: new Date().toISOString(),
      docker_prefix: access === null ? null : access.names.prefix,
      volumes,
    });
    renameSync(partial, opts.file);
    return { manifest, bytes };
  } catch (err) {
    writer.abort(err as Error);
    rmSync(partial, { force: true });
    throw err;
  } finally {
    rmSync(snapshot, { force: true });
  }
}

/** A name in Docker's archive of a volume (`./`, `./a/b`) as a path below the volume's folder in the backup. */
function volumeRelative(name: string): string {
  return name.replace(/^\.\/?/, '').replace(/^\/+/, '');
}

function headerOf(name: string, stats: Stats): EntryHeader {
  return { name, mode: stats.mode & 0o7777, uid: stats.uid, gid: stats.gid, mtime: stats.mtime };
}

/** The first `size` bytes of `file`: what its entry's header promised, even if the file grows meanwhile. */
function contentOf(file: string, size: number): AsyncIterable<unknown> {
  return size === 0 ? Readable.from([]) : createReadStream(file, { start: 0, end: size - 1 });
}

/** The data directory under `data/`, in name order, with the database's snapshot in place of the database. */
async function writeDataDir(writer: ArchiveWriter, dataDir: string, snapshot: string): Promise<void> {
  await writer.dir(headerOf(DATA_PREFIX, lstatSync(dataDir)));
  const stats = lstatSync(snapshot);
  await writer.file(
    { ...headerOf(`${DATA_PREFIX}${DATABASE_FILE}`, stats), mode: 0o600 },
    stats.size,
    contentOf(snapshot, stats.size),
  );
  await walk(writer, dataDir, '');
}

async function walk(writer: ArchiveWriter, root: string, relative: string): Promise<void> {
  const entries: Dirent[] = readdirSync(join(root, relative), { withFileTypes: true });
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const entry of entries) {
    const path = relative === '' ? entry.name : `${relative}/${entry.name}`;
    if (skippedInDataDir(path)) continue;
    const full = join(root, path);
    const stats = lstatSync(full);
    const header = headerOf(`${DATA_PREFIX}${path}`, stats);
    if (stats.isDirectory()) {
      await writer.dir(header);
      await walk(writer, root, path);
    } else if (stats.isSymbolicLink()) {
      await writer.symlink(header, readlinkSync(full));
    } else if (stats.isFile()) {
      await writer.file(header, stats.size, contentOf(full, stats.size));
    }
    // Sockets and fifos (a sandbox's, while it runs) hold no data to keep.
  }
}
