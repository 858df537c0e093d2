/**
 * Placing an agent's secret files (`files:` entries) in its container. A secret's bytes only ever live in memory:
 * they travel over the Engine API into a tmpfs, never into an image layer, a volume or the container's writable
 * layer on the host's disk.
 *
 * - A target under an in-memory folder of the container (/tmp, /var/tmp) is written there.
 * - A target elsewhere in the (read-only) root filesystem gets a tmpfs of its own at its folder, which must not
 *   exist in the image (a tmpfs over /etc would hide the rest of /etc): `/etc/gcp/sa.json` works, `/etc/sa.json`
 *   does not.
 * - A target in the agent's workspace or home (volumes, on disk) is a symlink there to the file in the
 *   container's own secrets tmpfs; only the link, which holds no secret, is stored in the volume.
 *
 * The contents are written by the agent user after the container starts (the archive API cannot reach a tmpfs),
 * so every file is owned by the agent, with the configured mode.
 */
import { posix } from 'node:path';
import { GLOBAL_PATH, HOME_PATH, WORKSPACE_PATH } from './docker-names.js';
import { AGENT_UID } from './layout.js';
import type { SandboxFile } from './runtime.js';
import type { TarEntry } from './tar.js';

/** Where the contents of files whose target is in a volume are kept. */
export const SECRETS_PATH = '/run/praktor-secrets';

/** Folders no file may be placed under: the kernel's, and the shared read-only volume. */
const FORBIDDEN = ['/proc', '/dev', '/sys', GLOBAL_PATH];
const VOLUMES = [WORKSPACE_PATH, HOME_PATH];

const isUnder = (path: string, dir: string) => path === dir || path.startsWith(`${dir}/`);

/** A folder's mode for a file's mode: an execute bit for every read bit (0600 → 0700, 0644 → 0755). */
function folderMode(fileMode: number): number {
  return (fileMode & 0o777) | ((fileMode & 0o444) >> 2);
}

/** How a container shows its secret files. */
export interface SecretPlacement {
  /** tmpfs mounts to add to the container, by folder. */
  tmpfs: Record<string, string>;
  /** Folders given a tmpfs of their own, which must not exist in the image, each with a file placed there. */
  newFolders: { folder: string; file: SandboxFile }[];
  /** Entries (symlinks and their folders) to copy into a volume before the start, by the volume's mount path. */
  links: Map<string, TarEntry[]>;
  /** The files' contents, as entries relative to `/`, for the agent user to extract after the start. */
  contents: TarEntry[];
}

/**
 * Works out how `files` reach a container whose in-memory folders are `tmpfsDirs`. Throws an error naming the
 * secret and the target when a file cannot be placed.
 */
export function planSecretFiles(
  files: readonly SandboxFile[],
  tmpfsDirs: readonly string[],
): SecretPlacement {
  const plan: SecretPlacement = { tmpfs: {}, newFolders: [], links: new Map(), contents: [] };
  const folders = new Map<string, number>();
  const placedIn = new Map<string, SandboxFile>();
  const file = (path: string, f: SandboxFile): TarEntry => ({
    name: path.slice(1),
    type: 'file',
    mode: f.mode,
    uid: AGENT_UID,
    gid: AGENT_UID,
    content: f.content,
  });
  files.forEach((f, index) => {
    const target = posix.normalize(f.target);
    const cannot = (why: string) =>
      new Error(`the file of secret "${f.secret}" cannot be placed at ${f.target}: ${why}`);
    if (!posix.isAbsolute(target) || target === '/') throw cannot('the target must be an absolute file path');
    if (FORBIDDEN.some((dir) => isUnder(target, dir)))
      throw cannot('that folder is not the agent’s to write');
    const volume = VOLUMES.find((dir) => isUnder(target, dir));
    if (volume !== undefined) {
      if (target === volume) throw cannot('that is a folder');
      const stored = `${SECRETS_PATH}/${index}`;
      plan.contents.push(file(stored, f));
      folders.set(SECRETS_PATH, (folders.get(SECRETS_PATH) ?? 0) | folderMode(0o600));
      const entries = plan.links.get(volume) ?? [];
      const parts = posix.relative(volume, target).split('/');
      for (let depth = 1; depth < parts.length; depth++) {
        const name = `${parts.slice(0, depth).join('/')}/`;
        if (!entries.some((entry) => entry.name === name)) {
          entries.push({ name, type: 'dir', mode: folderMode(f.mode), uid: AGENT_UID, gid: AGENT_UID });
        }
      }
      entries.push({
        name: parts.join('/'),
        type: 'symlink',
        mode: 0o777,
        uid: AGENT_UID,
        gid: AGENT_UID,
        target: stored,
      });
      plan.links.set(volume, entries);
      return;
    }
    plan.contents.push(file(target, f));
    if (tmpfsDirs.some((dir) => isUnder(target, dir))) return;
    const folder = posix.dirname(target);
    if (folder === '/') throw cannot('a file needs a folder of its own, such as /etc/myapp/key.json');
    folders.set(folder, (folders.get(folder) ?? 0) | folderMode(f.mode));
    if (!placedIn.has(folder)) placedIn.set(folder, f);
  });
  // A folder inside another secret folder lives in that one's tmpfs.
  const outer = [...folders.keys()].filter(
    (dir) => ![...folders.keys()].some((other) => other !== dir && isUnder(dir, other)),
  );
  for (const dir of outer) {
    const size = files.reduce((sum, f) => sum + f.content.length, 0);
    const sizeKb = Math.ceil(size / 1024) + 64;
    const mode = (folders.get(dir) ?? 0o700).toString(8);
    plan.tmpfs[dir] = `rw,noexec,nosuid,nodev,size=${sizeKb}k,uid=${AGENT_UID},gid=${AGENT_UID},mode=${mode}`;
    const placed = placedIn.get(dir);
    if (placed) plan.newFolders.push({ folder: dir, file: placed });
  }
  return plan;
}
