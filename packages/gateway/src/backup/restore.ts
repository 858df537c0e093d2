/**
 * `praktor restore`: checks a whole archive before it writes anything, then puts the data directory back where the
 * configuration says (`PRAKTOR_DATA_DIR`, or the config's data folder) and the Docker volumes back under the
 * configuration's `docker.prefix`, which may differ from the one backed up. It refuses to write over data unless
 * told to, and never while a gateway runs on that data.
 */
import {
  chmodSync,
  createWriteStream,
  existsSync,
  lchownSync,
  linkSync,
  lstatSync,
  lutimesSync,
  mkdirSync,
  readdirSync,
  realpathSync,
  rmSync,
  symlinkSync,
} from 'node:fs';
import { dirname, join, sep } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { BackupManifest } from '@praktor/protocol';
import { type Header, type Pack, pack } from 'tar-stream';
import type { Config } from '../config/index.js';
import { VOLUME_ARCHIVE_ROOT } from '../runtimes/docker-volumes.js';
import { instanceRunning } from '../scheduler/instances.js';
import { registeredGateways } from '../store/snapshot.js';
import { ArchiveError, readArchive } from './archive-reader.js';
import { type VolumeAccess, volumeAccess } from './docker-part.js';
import { DATA_PREFIX, DATABASE_FILE, VOLUMES_PREFIX } from './layout.js';

/** A restore Praktor will not do; the message says why and what to do. */
export class RestoreRefused extends Error {
  override name = 'RestoreRefused';
}

/** What to restore and where. */
export interface RestoreOptions {
  config: Config;
  file: string;
  /** Write over existing data (files not in the archive stay). */
  overwrite: boolean;
  /** The image of the helper containers that write volumes (default: `defaults.image`). */
  image?: string;
  /** Hears of every compressed byte read (the archive is read twice: checked, then restored). */
  onBytes?: (n: number) => void;
}

/** What a restore put back. */
export interface RestoreResult {
  manifest: BackupManifest;
  dataDir: string;
  /** The volumes written, by their full names. */
  volumes: string[];
}

/** Checks the archive `file` whole; resolves with its manifest or rejects with {@link ArchiveError}. */
export function verifyBackup(file: string, onBytes?: (n: number) => void): Promise<BackupManifest> {
  return readArchive(file, null, onBytes);
}

/** Restores `opts.file`. Nothing is written unless every check passed and the whole archive proved sound. */
export async function restoreBackup(opts: RestoreOptions): Promise<RestoreResult> {
  const { config } = opts;
  const dataDir = config.dataDir;
  // Refused before the database is looked at: opening it would leave SQLite's -wal and -shm files beside it.
  if (!opts.overwrite && holdsData(dataDir)) {
    throw new RestoreRefused(
      `${dataDir} already holds data: add --overwrite to write the backup over it (files not in the backup stay)`,
    );
  }
  refuseWhileRunning(dataDir);
  const manifest = await verifyBackup(opts.file, opts.onBytes);
  let access: VolumeAccess | null = null;
  const targets = new Map<string, string>();
  if (manifest.volumes.length > 0) {
    access = await volumeAccess(config, opts.image, true);
    if (access === null)
      throw new RestoreRefused('the archive holds Docker volumes, and Docker is not reachable');
    for (const suffix of manifest.volumes) targets.set(suffix, `${access.names.prefix}-${suffix}`);
    if (!opts.overwrite) {
      for (const volume of targets.values()) {
        if (await access.volumes.exists(volume)) {
          throw new RestoreRefused(
            `volume ${volume} already exists: add --overwrite to write the backup over it`,
          );
        }
      }
    }
  }
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  // A write-ahead log beside the restored database would be replayed into it.
  for (const stale of ['-wal', '-shm', '-journal'])
    rmSync(join(dataDir, `${DATABASE_FILE}${stale}`), { force: true });
  const data = new DataDirWriter(dataDir);
  const volumes = new VolumeWriter(access, targets);
  await readArchive(
    opts.file,
    async (header, content) => {
      if (header.name.startsWith(DATA_PREFIX))
        await data.write(header, header.name.slice(DATA_PREFIX.length), content);
      else if (header.name.startsWith(VOLUMES_PREFIX)) await volumes.write(header, content);
      else content.resume();
    },
    opts.onBytes,
  );
  await volumes.close();
  data.finish();
  return { manifest, dataDir, volumes: [...targets.values()] };
}

function refuseWhileRunning(dataDir: string): void {
  const now = Date.now();
  const running = registeredGateways(join(dataDir, DATABASE_FILE)).find((gateway) =>
    instanceRunning(gateway, now),
  );
  if (running !== undefined) {
    throw new RestoreRefused(
      `a gateway is running on ${dataDir} (pid ${running.pid} on ${running.host}): stop it, then restore`,
    );
  }
}

/** Whether `dir` exists and has anything in it. */
function holdsData(dir: string): boolean {
  return existsSync(dir) && readdirSync(dir).length > 0;
}

/** Writes `data/` entries into the data directory, never through a link to outside it. */
class DataDirWriter {
  private readonly root: string;
  private readonly asRoot = process.getuid?.() === 0;
  /** Folders' times, set last: writing into a folder changes its time. */
  private readonly folderTimes: { path: string; mtime: Date }[] = [];

  constructor(dataDir: string) {
    this.root = realpathSync(dataDir);
  }

  async write(header: Header, relative: string, content: Readable): Promise<void> {
    const target = relative === '' ? this.root : join(this.root, relative.replace(/\/$/, ''));
    if (target !== this.root) this.checkParent(target, header.name);
    if (header.type === 'directory') {
      if (!existsSync(target) || !lstatSync(target).isDirectory()) {
        rmSync(target, { force: true });
        mkdirSync(target);
      }
      chmodSync(target, header.mode);
      this.own(target, header);
      this.folderTimes.push({ path: target, mtime: header.mtime });
      content.resume();
    } else if (header.type === 'symlink') {
      rmSync(target, { force: true, recursive: true });
      symlinkSync(header.linkname, target);
      this.own(target, header);
      lutimesSync(target, header.mtime, header.mtime);
      content.resume();
    } else if (header.type === 'file') {
      rmSync(target, { force: true, recursive: true });
      await pipeline(content, createWriteStream(target, { mode: header.mode, flags: 'wx' }));
      chmodSync(target, header.mode);
      this.own(target, header);
      lutimesSync(target, header.mtime, header.mtime);
    } else if (header.type === 'link') {
      rmSync(target, { force: true, recursive: true });
      linkSync(join(this.root, header.linkname.slice(DATA_PREFIX.length)), target);
      content.resume();
    } else {
      throw new ArchiveError(`${header.name} is a ${header.type}, which a backup never holds`);
    }
  }

  /** Sets folders' times, deepest first. */
  finish(): void {
    for (const { path, mtime } of this.folderTimes.reverse()) lutimesSync(path, mtime, mtime);
  }

  private checkParent(target: string, name: string): void {
    const parent = realpathSync(dirname(target));
    if (parent !== this.root && !parent.startsWith(`${this.root}${sep}`)) {
      throw new ArchiveError(`${name} would be written outside the data directory, through a link`);
    }
  }

  private own(target: string, header: Header): void {
    // Only root can give files away; anyone else restores them as their own.
    if (this.asRoot) lchownSync(target, header.uid, header.gid);
  }
}

/** Streams `volumes/<name>/` entries into one volume after another, each through a helper container. */
class VolumeWriter {
  private current: { suffix: string; tar: Pack; importing: Promise<void> } | null = null;

  constructor(
    private readonly access: VolumeAccess | null,
    private readonly targets: Map<string, string>,
  ) {}

  async write(header: Header, content: Readable): Promise<void> {
    const rest = header.name.slice(VOLUMES_PREFIX.length);
    const slash = rest.indexOf('/');
    const suffix = slash < 0 ? rest : rest.slice(0, slash);
    const relative = slash < 0 ? '' : rest.slice(slash + 1);
    const volume = this.targets.get(suffix);
    if (volume === undefined || this.access === null) {
      throw new ArchiveError(`${header.name} belongs to volume ${suffix}, which the manifest does not list`);
    }
    if (this.current?.suffix !== suffix) {
      await this.close();
      const tar = pack();
      const importing = this.access.volumes.importTar(
        this.access.image,
        volume,
        tar as unknown as NodeJS.ReadableStream,
      );
      // Seen by close(); a failure while entries are still being written must not go unhandled meanwhile.
      importing.catch(() => {});
      this.current = { suffix, tar, importing };
    }
    const { tar, importing } = this.current;
    const entry: Header = { ...header, name: `${VOLUME_ARCHIVE_ROOT}/${relative}` };
    if (header.type === 'link') {
      entry.linkname = `${VOLUME_ARCHIVE_ROOT}/${header.linkname.slice(`${VOLUMES_PREFIX}${suffix}/`.length)}`;
    }
    const written = new Promise<void>((resolve, reject) => {
      const sink = tar.entry(entry, (err) => (err ? reject(err) : resolve()));
      if (header.type === 'file') pipeline(content, sink).catch(reject);
      else content.resume();
    });
    const stopped = importing.then(() => Promise.reject(new Error(`Docker stopped reading ${volume}`)));
    await Promise.race([written, stopped]);
  }

  /** Ends the volume being written and waits until Docker has it. */
  async close(): Promise<void> {
    if (this.current === null) return;
    const { tar, importing } = this.current;
    this.current = null;
    tar.finalize();
    await importing;
  }
}
