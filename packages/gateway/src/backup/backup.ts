/**
 * `praktor backup`: the database and each agent's memory as consistent snapshots (taken while the gateway and its
 * agents write them), the rest of the data directory, and the installation's Docker volumes on every Docker host,
 * into one zstd-compressed tar with a manifest of checksums that records each volume's host.
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
import { type BackupManifest, type BackupVolume, MEMORY_FILE } from '@praktor/protocol';
import type { Config } from '../config/index.js';
import type { SecretReader } from '../runtimes/docker-hosts.js';
import { snapshotDatabase } from '../store/snapshot.js';
import { VERSION } from '../version.js';
import { ArchiveWriter, type Content, type EntryHeader } from './archive-writer.js';
import { backupAccess, noSecrets, volumeSuffix } from './docker-part.js';
import {
  DATA_PREFIX,
  DATABASE_FILE,
  isMemoryInDataDir,
  isMemoryInVolume,
  skippedInDataDir,
  skippedInVolume,
  volumeFolder,
} from './layout.js';

/** What to back up and where to. */
export interface BackupOptions {
  config: Config;
  /** The archive to write; replaced only once the new one is complete. */
  file: string;
  /** The image of the helper containers that read volumes and copy memories (default: `defaults.image`). */
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
  const memory = `${opts.file}.memory-snapshot`;
  let bytes = 0;
  const writer = new ArchiveWriter(partial, (n) => {
    bytes += n;
    opts.onBytes?.(n);
  });
  try {
    const access = await backupAccess(config, opts.image, opts.secret ?? noSecrets);
    await snapshotDatabase(dbFile, snapshot);
    await writeDataDir(writer, config.dataDir, snapshot, memory);
    const volumes: BackupVolume[] = [];
    if (access) {
      const { names, image } = access;
      for (const { host, volumes: there } of access.hosts) {
        for (const volume of await there.list()) {
          const entry = { name: volumeSuffix(names, volume), host: host.name };
          volumes.push(entry);
          // Taken before the volume is read: the archive holds every memory stored before the backup began.
          const snapshotted =
            isMemoryInVolume(entry.name, MEMORY_FILE) &&
            (await there.snapshotSqlite(image, volume, MEMORY_FILE, memory));
          await there.exportTar(image, volume, (tar) =>
            writer.copyTar(
              tar,
              volumeFolder(entry),
              (name) => {
                const relative = volumeRelative(name);
                return snapshotted && skippedInVolume(entry.name, relative) ? null : relative;
              },
              (relative) =>
                snapshotted && isMemoryInVolume(entry.name, relative) ? contentOfFile(memory) : null,
            ),
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
    rmSync(memory, { force: true });
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

/** The whole of `file`, as it is now. */
function contentOfFile(file: string): Content {
  const { size } = lstatSync(file);
  return { size, content: contentOf(file, size) };
}

/**
 * The data directory under `data/`, in name order, with the database's snapshot in place of the database and a
 * snapshot of each agent's memory (taken in `memory`, one after another) in place of the memory.
 */
async function writeDataDir(
  writer: ArchiveWriter,
  dataDir: string,
  snapshot: string,
  memory: string,
): Promise<void> {
  await writer.dir(headerOf(DATA_PREFIX, lstatSync(dataDir)));
  const stats = lstatSync(snapshot);
  await writer.file(
    { ...headerOf(`${DATA_PREFIX}${DATABASE_FILE}`, stats), mode: 0o600 },
    stats.size,
    contentOf(snapshot, stats.size),
  );
  await walk(writer, dataDir, '', memory);
}

async function walk(writer: ArchiveWriter, root: string, relative: string, memory: string): Promise<void> {
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
      await walk(writer, root, path, memory);
    } else if (stats.isSymbolicLink()) {
      await writer.symlink(header, readlinkSync(full));
    } else if (stats.isFile() && isMemoryInDataDir(path)) {
      rmSync(memory, { force: true });
      await snapshotDatabase(full, memory);
      const copy = contentOfFile(memory);
      await writer.file(header, copy.size, copy.content);
    } else if (stats.isFile()) {
      await writer.file(header, stats.size, contentOf(full, stats.size));
    }
    // Sockets and fifos (a sandbox's, while it runs) hold no data to keep.
  }
}
