/**
 * `praktor restore`: checks a whole archive before it writes anything, then puts the data directory back where the
 * configuration says (`PRAKTOR_DATA_DIR`, or the config's data folder) and each Docker volume back on the Docker
 * host it came from (by the host's name in `docker.hosts`; `local` for archives from before hosts), under the
 * configuration's `docker.prefix`, which may differ from the one backed up. It refuses to write over data unless
 * told to, and never while a gateway runs on that data; a host that is not configured or does not answer stops it
 * before anything is written.
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
import { type DockerHost, dockerHostsOf, hostProblem, type SecretReader } from '../runtimes/docker-hosts.js';
import { type DockerVolumes, VOLUME_ARCHIVE_ROOT } from '../runtimes/docker-volumes.js';
import { instanceRunning } from '../scheduler/instances.js';
import { registeredGateways } from '../store/snapshot.js';
import { ArchiveError, readArchive } from './archive-reader.js';
import { accessTo, HOST_PING_MS, hostOfVolume, noSecrets } from './docker-part.js';
import {
  DATA_PREFIX,
  DATABASE_FILE,
  isMemoryInDataDir,
  isMemoryInVolume,
  sidecarsOf,
  VOLUMES_PREFIX,
  volumeFolder,
} from './layout.js';

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
  /**
   * Opens the reader of the vault secrets that hosts' TLS files name (default: none may be named); called only
   * once the data directory passed its checks, and only when the archive holds volumes.
   */
  secrets?: () => Promise<SecretReader>;
}

/** Where one volume of the archive goes. */
interface VolumeTarget {
  host: string;
  /** The volume's full name there. */
  volume: string;
  /** Its name without the prefix (`wk-main`). */
  suffix: string;
  volumes: DockerVolumes;
  image: string;
}

/** What a restore put back. */
export interface RestoreResult {
  manifest: BackupManifest;
  dataDir: string;
  /** The volumes written, by their full names, each with its host. */
  volumes: { host: string; volume: string }[];
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
  const targets = await volumeTargets(opts, manifest);
  if (!opts.overwrite) {
    for (const { host, volume, volumes } of targets.values()) {
      if (await volumes.exists(volume)) {
        throw new RestoreRefused(
          `volume ${volume} on the Docker host "${host}" already exists: add --overwrite to write the backup over it`,
        );
      }
    }
  }
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  // A write-ahead log beside the restored database would be replayed into it.
  for (const stale of sidecarsOf(join(dataDir, DATABASE_FILE))) rmSync(stale, { force: true });
  const data = new DataDirWriter(dataDir);
  const volumes = new VolumeWriter(targets, opts.overwrite);
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
  return {
    manifest,
    dataDir,
    volumes: [...targets.values()].map(({ host, volume }) => ({ host, volume })),
  };
}

/**
 * Each volume of `manifest` by its folder in the archive, with the host it goes back to. Refuses, naming each host
 * and its volumes, when a host the archive names is not in the configuration or does not answer.
 */
async function volumeTargets(
  opts: RestoreOptions,
  manifest: BackupManifest,
): Promise<Map<string, VolumeTarget>> {
  const targets = new Map<string, VolumeTarget>();
  if (manifest.volumes.length === 0) return targets;
  const wanted = new Map<string, string[]>();
  for (const volume of manifest.volumes) {
    const host = hostOfVolume(volume.host);
    wanted.set(host, [...(wanted.get(host) ?? []), volume.name]);
  }
  const configured = dockerHostsOf(opts.config, opts.secrets ? await opts.secrets() : noSecrets);
  const problems = await Promise.all(
    [...wanted].map(async ([name, volumes]) => {
      const host = configured.find((h) => h.name === name);
      const list = volumes.join(', ');
      if (host === undefined) {
        return `the archive holds volumes of the Docker host "${name}" (${list}), which docker.hosts does not name: add it to the configuration, then restore again`;
      }
      const problem = await hostProblem(host, HOST_PING_MS);
      return problem === null
        ? null
        : `${problem}: its volumes (${list}) cannot be restored; start it, then restore again`;
    }),
  );
  const refused = problems.filter((problem) => problem !== null);
  if (refused.length > 0) throw new RestoreRefused(`${refused.join('; ')}. Nothing was restored`);
  const reached = configured.filter((host: DockerHost) => wanted.has(host.name));
  const access = accessTo(opts.config, opts.image, reached);
  for (const volume of manifest.volumes) {
    const host = hostOfVolume(volume.host);
    const there = access.hosts.find((h) => h.host.name === host);
    if (there === undefined) throw new Error(`the Docker host "${host}" was lost while the restore started`);
    targets.set(volumeFolder(volume), {
      host,
      volume: `${access.names.prefix}-${volume.name}`,
      suffix: volume.name,
      volumes: there.volumes,
      image: access.image,
    });
  }
  return targets;
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
      // An old memory's write-ahead log would be replayed into the restored one.
      if (isMemoryInDataDir(relative)) for (const stale of sidecarsOf(target)) rmSync(stale, { force: true });
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

/** Streams each volume's entries into its volume, one after another, each through a helper container on its host. */
class VolumeWriter {
  private current: { folder: string; tar: Pack; importing: Promise<void> } | null = null;

  /** `targets` by each volume's folder in the archive; `overwrite` when volumes may hold files already. */
  constructor(
    private readonly targets: Map<string, VolumeTarget>,
    private readonly overwrite: boolean,
  ) {}

  async write(header: Header, content: Readable): Promise<void> {
    const folder = this.folderOf(header.name);
    const target = folder === null ? undefined : this.targets.get(folder);
    if (folder === null || target === undefined) {
      throw new ArchiveError(`${header.name} belongs to no volume that the manifest lists`);
    }
    if (this.current?.folder !== folder) {
      await this.close();
      const tar = pack();
      const importing = target.volumes.importTar(
        target.image,
        target.volume,
        tar as unknown as NodeJS.ReadableStream,
      );
      // Seen by close(); a failure while entries are still being written must not go unhandled meanwhile.
      importing.catch(() => {});
      this.current = { folder, tar, importing };
    }
    const { tar, importing } = this.current;
    const relative = header.name.slice(folder.length);
    const entry: Header = { ...header, name: `${VOLUME_ARCHIVE_ROOT}/${relative}` };
    if (header.type === 'link') {
      entry.linkname = `${VOLUME_ARCHIVE_ROOT}/${header.linkname.slice(folder.length)}`;
    }
    const written = new Promise<void>((resolve, reject) => {
      const sink = tar.entry(entry, (err) => (err ? reject(err) : resolve()));
      if (header.type === 'file') pipeline(content, sink).catch(reject);
      else content.resume();
    });
    const stopped = importing.then(() =>
      Promise.reject(new Error(`Docker stopped reading ${target.volume} on "${target.host}"`)),
    );
    await Promise.race([written, stopped]);
    if (this.overwrite && header.type === 'file' && isMemoryInVolume(target.suffix, relative)) {
      // An old memory's write-ahead log would be replayed into the restored one: an empty log holds nothing (and
      // the first opener resets the -shm). Without --overwrite the volume is new and holds no old log.
      const log: Header = { ...entry, name: `${entry.name}-wal`, size: 0 };
      // Given as an (empty) buffer, the entry ends at once; without one, tar-stream waits for its body forever.
      const emptied = new Promise<void>((resolve, reject) =>
        tar.entry(log, Buffer.alloc(0), (err) => (err ? reject(err) : resolve())),
      );
      await Promise.race([emptied, stopped]);
    }
  }

  /** The folder (`volumes/…/`) of the volume entry `name` belongs to, or null. */
  private folderOf(name: string): string | null {
    if (this.current !== null && name.startsWith(this.current.folder)) return this.current.folder;
    for (const folder of this.targets.keys()) {
      if (name.startsWith(folder) || `${name}/` === folder) return folder;
    }
    return null;
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
