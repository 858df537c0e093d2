/**
 * Files in an installation's Docker volumes, read and written whether or not an agent runs: the shared volume's
 * USER.md and CLAUDE.md, and files of an agent's workspace such as AGENT.md. Each access goes through a helper
 * container of the agent image that mounts the volume where an agent would (so a new volume takes the agent
 * user's ownership from the image), is removed right after (original §9.7), and is never started but to link an
 * upload into place (Docker's archive API has no write that refuses an existing file).
 */
import { createHash, randomBytes } from 'node:crypto';
import { createWriteStream, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import type Docker from 'dockerode';
import { extract } from 'tar-stream';
import { unless404 } from './docker-api.js';
import { type DockerNames, GLOBAL_PATH } from './docker-names.js';
import { AGENT_UID } from './layout.js';
import { firstFileOf, type TarEntry, tarOf } from './tar.js';

/**
 * Run by Node in a helper container: copies the SQLite database argv[1] to argv[2] with SQLite's online backup, all
 * pages in one step (one read transaction: a consistent moment, whatever a running agent writes meanwhile). Exits
 * 3 when there is no such database, 1 with the reason in argv[2].error when it cannot be copied.
 */
const SNAPSHOT_SCRIPT = `
const { DatabaseSync, backup } = require('node:sqlite');
const { existsSync, writeFileSync } = require('node:fs');
const [, file, out] = process.argv;
const fail = (err) => { writeFileSync(out + '.error', String(err && err.message || err)); process.exit(1); };
if (!existsSync(file)) process.exit(3);
try {
  const db = new DatabaseSync(file);
  db.exec('PRAGMA busy_timeout = 10000');
  backup(db, out, { rate: 2 ** 30 }).then(() => db.close(), fail);
} catch (err) { fail(err); }
`;
/** Where the helper writes a snapshot, in its own file system (not in the volume). */
const SNAPSHOT_OUT = '/tmp/praktor-snapshot.db';

/**
 * Where a helper that copies a whole volume mounts it, and so the folder that {@link DockerVolumes.importTar}'s
 * entries are named below (`vol/`, `vol/file`…): written from the container's root, the volume's own folder is an
 * entry like any other, so its owner, mode and time are restored too (Docker skips a `./` entry).
 */
export const VOLUME_ARCHIVE_ROOT = 'vol';
const VOLUME_ROOT = `/${VOLUME_ARCHIVE_ROOT}`;

/** The files of the gateway's global folder that agents read. */
const SHARED_FILES = ['USER.md', 'CLAUDE.md'];

/**
 * Links the file staged as $2 in folder $1 to the first of the names after them that is free, and removes the
 * staged name. A hard link is never made over an existing name (nor into a folder, with -T), so what the agent
 * creates meanwhile is never overwritten. Exits with 10 + the index of the name used, 1 when every one is taken, 2
 * without the folder, 3 when a link to a free name failed.
 */
const LINK_NEW = `cd -- "$1" || exit 2
staged=$2; shift 2; n=0
for name; do
  if ln -T -- "$staged" "$name" 2>/dev/null; then rm -f -- "$staged"; exit $((n + 10)); fi
  if [ ! -e "$name" ] && [ ! -L "$name" ]; then rm -f -- "$staged"; exit 3; fi
  n=$((n + 1))
done
rm -f -- "$staged"; exit 1`;
/** Exit statuses end at 125 (126 and up are the shell's own): the names {@link LINK_NEW} can tell apart. */
const MAX_NEW_NAMES = 115;

async function readAll(stream: NodeJS.ReadableStream): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.from(chunk as Buffer));
  return Buffer.concat(chunks);
}

/** Access to the files in one installation's volumes. */
export class DockerVolumes {
  /** Digest of the shared files as last copied into the shared volume; null until the first copy. */
  private sharedDigest: string | null = null;
  private sharedQueue: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly docker: Docker,
    private readonly names: DockerNames,
  ) {}

  /** Creates volume `name` with this installation's labels, unless it exists. */
  async ensure(name: string): Promise<void> {
    await this.docker.createVolume({ Name: name, Labels: this.names.labels() });
  }

  /** The names of this installation's volumes, sorted. */
  async list(): Promise<string[]> {
    const { Volumes } = await this.docker.listVolumes({ filters: this.names.filter });
    return (Volumes ?? []).map((volume) => volume.Name).sort();
  }

  /** Whether volume `name` exists. */
  async exists(name: string): Promise<boolean> {
    return (await unless404(this.docker.getVolume(name).inspect())) !== null;
  }

  /**
   * Hands `consume` the whole of volume `volume` as a tar stream (entries `./`, `./file`…, with owners, modes, times
   * and links), read through a helper container of `image` that is never started.
   */
  async exportTar(
    image: string,
    volume: string,
    consume: (tar: NodeJS.ReadableStream) => Promise<void>,
  ): Promise<void> {
    await this.withHelper(image, volume, VOLUME_ROOT, false, async (helper) =>
      consume(await helper.getArchive({ path: `${VOLUME_ROOT}/.` })),
    );
  }

  /**
   * Writes the tar stream `tar` (entries named below {@link VOLUME_ARCHIVE_ROOT}) into volume `volume`, created
   * with this installation's labels when missing; files already there and not in `tar` stay.
   */
  async importTar(image: string, volume: string, tar: NodeJS.ReadableStream): Promise<void> {
    await this.ensure(volume);
    await this.withHelper(image, volume, VOLUME_ROOT, true, (helper) =>
      helper.putArchive(tar, { path: '/' }),
    );
  }

  /**
   * Writes a consistent snapshot of the SQLite database `file` (a path in volume `volume`) to `destination` on this
   * machine, taken by a helper container of `image` that opens it beside any agent writing it; false when the
   * volume holds no such file. Rejects with SQLite's reason when the database cannot be read.
   */
  async snapshotSqlite(image: string, volume: string, file: string, destination: string): Promise<boolean> {
    const helper = await this.docker.createContainer({
      name: this.names.helper(),
      Image: image,
      Entrypoint: ['node', '--no-warnings', '-e', SNAPSHOT_SCRIPT],
      Cmd: [`${VOLUME_ROOT}/${file}`, SNAPSHOT_OUT],
      User: `${AGENT_UID}:${AGENT_UID}`,
      Labels: this.names.labels(),
      NetworkDisabled: true,
      HostConfig: {
        // Writable: a reader of a database in WAL mode takes its locks in the -shm file beside it.
        Mounts: [{ Type: 'volume', Source: volume, Target: VOLUME_ROOT, ReadOnly: false }],
        NetworkMode: 'none',
        LogConfig: { Type: 'none', Config: {} },
      },
    });
    try {
      await helper.start();
      const { StatusCode } = (await helper.wait()) as { StatusCode: number };
      if (StatusCode === 3) return false;
      if (StatusCode !== 0) {
        const reason = await unless404(helper.getArchive({ path: `${SNAPSHOT_OUT}.error` }));
        const text = reason === null ? null : await firstFileOf(await readAll(reason));
        throw new Error(
          `${file} in the volume ${volume} could not be copied: ${text?.toString('utf8') ?? `exit code ${StatusCode}`}`,
        );
      }
      await copyFirstFile(await helper.getArchive({ path: SNAPSHOT_OUT }), destination);
      return true;
    } finally {
      await helper.remove({ force: true });
    }
  }

  /** The content of `file` (a path below `mountPath`) in volume `volume`, or null when there is no such file. */
  async read(image: string, volume: string, mountPath: string, file: string): Promise<Buffer | null> {
    return this.withHelper(image, volume, mountPath, false, async (helper) => {
      const archive = await unless404(helper.getArchive({ path: `${mountPath}/${file}` }));
      return archive === null ? null : firstFileOf(await readAll(archive));
    });
  }

  /** Copies `entries` (paths relative to `mountPath`) into volume `volume`. */
  async write(image: string, volume: string, mountPath: string, entries: TarEntry[]): Promise<void> {
    const archive = await tarOf(entries);
    await this.withHelper(image, volume, mountPath, true, (helper) =>
      helper.putArchive(archive, { path: mountPath }),
    );
  }

  /**
   * Writes a new file into `folder` (relative to `mountPath`) of volume `volume`, under the first of `candidates` not
   * taken, and returns that name; null when every one is taken. The folder is written as a folder first, so a
   * symbolic link the agent left in its place is replaced rather than followed; the file goes into it under a hidden
   * temporary name and is then linked to its name, never over a file that is there by then.
   */
  async writeNew(
    image: string,
    volume: string,
    mountPath: string,
    folder: string,
    candidates: readonly string[],
    file: { mode: number; uid: number; gid: number; content: Buffer },
  ): Promise<string | null> {
    if (candidates.length > MAX_NEW_NAMES) {
      throw new Error(`at most ${MAX_NEW_NAMES} names can be tried for a new file, not ${candidates.length}`);
    }
    const staged = `.praktor-new-${randomBytes(8).toString('hex')}`;
    // The arguments as the container's command: an image's own command is then never appended to them.
    const link = {
      entrypoint: ['sh', '-c', LINK_NEW, 'link-new'],
      args: [`${mountPath}/${folder}`, staged, ...candidates],
    };
    return this.withHelper(
      image,
      volume,
      mountPath,
      true,
      async (helper) => {
        const dir: TarEntry = { name: `${folder}/`, type: 'dir', mode: 0o755, uid: file.uid, gid: file.gid };
        const entry: TarEntry = { name: `${folder}/${staged}`, type: 'file', ...file };
        await helper.putArchive(await tarOf([dir, entry]), { path: mountPath });
        await helper.start();
        const { StatusCode: status } = (await helper.wait()) as { StatusCode: number };
        if (status === 1) return null;
        const name = candidates[status - 10];
        if (name === undefined) {
          throw new Error(
            status === 3
              ? `the file could not be linked to its name in ${folder}/`
              : `the helper that links a new file into ${folder}/ failed (exit status ${status})`,
          );
        }
        return name;
      },
      link,
    );
  }

  /**
   * Copies USER.md and CLAUDE.md of `globalDir` into the shared volume when they changed since the last copy (or
   * always, with `force`). A file missing from the folder is copied as an empty one, which agents ignore.
   */
  syncShared(image: string, globalDir: string, force = false): Promise<void> {
    const run = async () => {
      const files = SHARED_FILES.map((name) => ({ name, content: readOrEmpty(join(globalDir, name)) }));
      const digest = createHash('sha256');
      for (const file of files) digest.update(`${file.name}\0${file.content.length}\0`).update(file.content);
      const value = digest.digest('hex');
      if (!force && value === this.sharedDigest) return;
      await this.ensure(this.names.globalVolume);
      await this.write(
        image,
        this.names.globalVolume,
        GLOBAL_PATH,
        files.map(({ name, content }) => ({ name, type: 'file', mode: 0o644, uid: 0, gid: 0, content })),
      );
      this.sharedDigest = value;
    };
    const next = this.sharedQueue.then(run, run);
    this.sharedQueue = next.catch(() => {});
    return next;
  }

  private async withHelper<T>(
    image: string,
    volume: string,
    mountPath: string,
    writable: boolean,
    use: (helper: Docker.Container) => Promise<T>,
    command: { entrypoint: string[]; args: string[] } = { entrypoint: ['true'], args: [] },
  ): Promise<T> {
    const helper = await this.docker.createContainer({
      name: this.names.helper(),
      Image: image,
      Entrypoint: command.entrypoint,
      Cmd: command.args,
      User: `${AGENT_UID}:${AGENT_UID}`,
      Labels: this.names.labels(),
      NetworkDisabled: true,
      HostConfig: {
        Mounts: [{ Type: 'volume', Source: volume, Target: mountPath, ReadOnly: !writable }],
        NetworkMode: 'none',
        LogConfig: { Type: 'none', Config: {} },
        // Started, it runs LINK_NEW only, which needs no privilege. (Docker's archive API writes as the daemon.)
        CapDrop: ['ALL'],
        SecurityOpt: ['no-new-privileges:true'],
      },
    });
    try {
      return await use(helper);
    } finally {
      await helper.remove({ force: true });
    }
  }
}

function readOrEmpty(file: string): Buffer {
  try {
    return readFileSync(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return Buffer.alloc(0);
    throw err;
  }
}

/** Writes the first regular file of the tar stream `archive` to `destination`, streaming. */
async function copyFirstFile(archive: NodeJS.ReadableStream, destination: string): Promise<void> {
  const reader = extract();
  const feeding = pipeline(archive, reader);
  feeding.catch(() => {});
  let found = false;
  for await (const entry of reader) {
    if (!found && entry.header.type === 'file') {
      found = true;
      await pipeline(entry, createWriteStream(destination, { mode: 0o600 }));
    } else entry.resume();
  }
  await feeding;
  if (!found) throw new Error(`Docker gave no file for ${SNAPSHOT_OUT}`);
}
