/**
 * Reading, writing and removing files inside an agent's own folders (its workspace and home) without following a
 * symbolic link the agent planted there.
 *
 * The gateway may run with more rights than the agent (as root), and the agent can change anything inside its
 * folders. So a path is never handed to the kernel whole: it is walked from the folder itself, which the agent
 * cannot replace (its parent is the gateway's), one name at a time with lstat, refusing a symbolic link or anything
 * but a folder on the way; a missing folder is made on its own (never recursively) and looked at again. The file is
 * opened with O_NOFOLLOW, and a written one is always a new file (O_CREAT|O_EXCL after unlinking the regular file
 * there, so a hard link the agent made to some other file is never written through). Before a byte is read or
 * written, realpath and the inode confirm that what was opened lies inside the folder.
 *
 * What remains: Node has no openat, so the kernel resolves the path again at every call, and an agent running while
 * the gateway works could swap a folder on the way, already checked, for a symbolic link in between. Opening then
 * still never follows the last name, never overwrites an existing file, and the realpath check refuses the file
 * before any content is written or read; at worst an empty file is left where the link pointed. Unlinking (the file
 * being replaced, or a file at clean-up) has no check after the fact: a swap in that window could unlink a file of
 * the same name elsewhere. The gateway places secret files before the agent's sandbox starts and removes them after
 * it has ended, when none of the agent's processes run; AGENT.md, which Mission Control saves while the agent may
 * run, lies directly in the workspace, with no folder on the way to swap.
 */
import {
  closeSync,
  constants,
  fchmodSync,
  fchownSync,
  fstatSync,
  lchownSync,
  lstatSync,
  mkdirSync,
  openSync,
  readFileSync,
  realpathSync,
  type Stats,
  statSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { join, sep } from 'node:path';

/** One of an agent's folders. */
export interface AgentFolder {
  /** Its absolute path; the folder holding it must be the gateway's alone. */
  path: string;
  /** How messages name it: `home`, `workspace`. */
  name: string;
}

/** Who should own what the gateway creates for an agent that runs as another user. */
export interface FileOwner {
  uid: number;
  gid: number;
}

/** Which file the gateway wrote, so that it removes that file and never one the agent put in its place. */
export interface FileIdentity {
  dev: number;
  ino: number;
}

const { O_CREAT, O_EXCL, O_NOFOLLOW, O_NONBLOCK, O_RDONLY, O_WRONLY } = constants;

const codeOf = (err: unknown) => (err as NodeJS.ErrnoException).code;

function lstatOrNull(path: string): Stats | null {
  try {
    return lstatSync(path);
  } catch (err) {
    if (codeOf(err) === 'ENOENT') return null;
    throw err;
  }
}

/** Unlinks `path`; says false when it was already gone. */
function unlinkOrGone(path: string): boolean {
  try {
    unlinkSync(path);
    return true;
  } catch (err) {
    if (codeOf(err) === 'ENOENT') return false;
    throw err;
  }
}

/** The names leading from `folder` to the file `rel`; refuses anything but a plain relative path. */
function namesOf(folder: AgentFolder, rel: string): string[] {
  const names = rel.split('/');
  if (names.some((name) => name === '' || name === '.' || name === '..')) {
    throw new Error(`"${rel}" is not a plain file path inside the agent's ${folder.name}`);
  }
  return names;
}

/** Why `stats` is no folder to pass through (`shown` names it), or null when it is one. */
function notAFolder(stats: Stats, shown: string): string | null {
  if (stats.isSymbolicLink()) return `${shown} is a symbolic link`;
  if (!stats.isDirectory()) return `${shown} is not a folder`;
  return null;
}

/** Why `stats` is no file the gateway may read or replace (`shown` names it), or null when it is one. */
function notAFile(stats: Stats, shown: string): string | null {
  if (stats.isSymbolicLink()) return `${shown} is a symbolic link`;
  if (stats.isDirectory()) return `${shown} is a folder`;
  if (!stats.isFile()) return `${shown} is not a regular file`;
  return null;
}

function makeFolder(path: string, owner: FileOwner | undefined): void {
  try {
    mkdirSync(path, { mode: 0o700 });
  } catch (err) {
    // Made meanwhile by someone else: the lstat that follows judges it like any existing entry.
    if (codeOf(err) === 'EEXIST') return;
    throw err;
  }
  if (owner) lchownSync(path, owner.uid, owner.gid);
}

type Reached = { dir: string } | { refused: string } | { missing: string };

/**
 * The folder holding the last of `names`, reached from `folder` through real folders only. Missing folders are made
 * when `make` is given, and otherwise reported as missing.
 */
function reachParent(folder: AgentFolder, names: string[], make: { owner?: FileOwner } | null): Reached {
  const top = lstatOrNull(folder.path);
  if (top === null) return { missing: folder.name };
  const topRefusal = notAFolder(top, folder.name);
  if (topRefusal !== null) return { refused: topRefusal };
  let dir = folder.path;
  for (let i = 0; i < names.length - 1; i++) {
    const path = join(dir, names[i] as string);
    const shown = [folder.name, ...names.slice(0, i + 1)].join('/');
    let stats = lstatOrNull(path);
    if (stats === null) {
      if (make === null) return { missing: shown };
      makeFolder(path, make.owner);
      stats = lstatSync(path);
    }
    const refusal = notAFolder(stats, shown);
    if (refusal !== null) return { refused: refusal };
    dir = path;
  }
  return { dir };
}

/** Refuses the open file `fd` unless `path` still leads to it and it lies inside `folder`. */
function requireInside(folder: AgentFolder, fd: number, path: string, shown: string): void {
  const real = realpathSync(path);
  const opened = fstatSync(fd);
  const there = statSync(real);
  const inside = real.startsWith(`${realpathSync(folder.path)}${sep}`);
  if (!inside || opened.dev !== there.dev || opened.ino !== there.ino) {
    throw new Error(`${shown} led outside the agent's ${folder.name} while the gateway opened it`);
  }
}

/**
 * Writes `content` to the file `rel` (a relative path) of `folder` with permissions `mode`, owned by `owner` when
 * given, making missing folders on the way (mode 0700). An existing regular file there is replaced by a new one.
 * Throws an error naming the path and why when the way or the file is a symbolic link, or not a folder or file.
 */
export function writeAgentFile(
  folder: AgentFolder,
  rel: string,
  content: string | Uint8Array,
  opts: { mode: number; owner?: FileOwner },
): FileIdentity {
  const names = namesOf(folder, rel);
  const shown = [folder.name, ...names].join('/');
  const reached = reachParent(folder, names, { owner: opts.owner });
  if ('refused' in reached) throw new Error(reached.refused);
  if ('missing' in reached) throw new Error(`the agent's ${folder.name} (${folder.path}) does not exist`);
  const path = join(reached.dir, names[names.length - 1] as string);
  const existing = lstatOrNull(path);
  if (existing !== null) {
    const refusal = notAFile(existing, shown);
    if (refusal !== null) throw new Error(refusal);
    unlinkOrGone(path);
  }
  const written = writeNewFile(folder, path, shown, content, opts);
  if (written === 'exists') throw new Error(`${shown} was put back while the gateway replaced it`);
  return written;
}

/**
 * Writes `content` to a new file `rel` (a relative path) of `folder`, like {@link writeAgentFile}, but never over
 * anything already there: returns null when the name is taken.
 */
export function createAgentFile(
  folder: AgentFolder,
  rel: string,
  content: string | Uint8Array,
  opts: { mode: number; owner?: FileOwner },
): FileIdentity | null {
  const names = namesOf(folder, rel);
  const shown = [folder.name, ...names].join('/');
  const reached = reachParent(folder, names, { owner: opts.owner });
  if ('refused' in reached) throw new Error(reached.refused);
  if ('missing' in reached) throw new Error(`the agent's ${folder.name} (${folder.path}) does not exist`);
  const written = writeNewFile(
    folder,
    join(reached.dir, names[names.length - 1] as string),
    shown,
    content,
    opts,
  );
  return written === 'exists' ? null : written;
}

/** Creates the file at `path` (O_EXCL, never following a link) and writes it; 'exists' when something is there. */
function writeNewFile(
  folder: AgentFolder,
  path: string,
  shown: string,
  content: string | Uint8Array,
  opts: { mode: number; owner?: FileOwner },
): FileIdentity | 'exists' {
  let fd: number;
  try {
    fd = openSync(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, opts.mode);
  } catch (err) {
    const code = codeOf(err);
    if (code === 'EEXIST' || code === 'ELOOP') return 'exists';
    throw err;
  }
  try {
    requireInside(folder, fd, path, shown);
    if (opts.owner) fchownSync(fd, opts.owner.uid, opts.owner.gid);
    // The mode given to open is cut by the umask.
    fchmodSync(fd, opts.mode);
    writeFileSync(fd, content);
    const { dev, ino } = fstatSync(fd);
    return { dev, ino };
  } finally {
    closeSync(fd);
  }
}

/**
 * The bytes of the file `rel` (a relative path) of `folder`, or null when it or a folder on the way is missing.
 * Throws an error naming the path and why when the way or the file is a symbolic link, or not a folder or file.
 */
export function readAgentFile(folder: AgentFolder, rel: string): Buffer | null {
  const names = namesOf(folder, rel);
  const shown = [folder.name, ...names].join('/');
  const reached = reachParent(folder, names, null);
  if ('refused' in reached) throw new Error(reached.refused);
  if ('missing' in reached) return null;
  const path = join(reached.dir, names[names.length - 1] as string);
  const stats = lstatOrNull(path);
  if (stats === null) return null;
  const refusal = notAFile(stats, shown);
  if (refusal !== null) throw new Error(refusal);
  let fd: number;
  try {
    // O_NONBLOCK: a named pipe swapped in after the lstat must not hold the gateway at open.
    fd = openSync(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK);
  } catch (err) {
    if (codeOf(err) === 'ENOENT') return null;
    if (codeOf(err) === 'ELOOP') throw new Error(`${shown} is a symbolic link`);
    throw err;
  }
  try {
    const opened = fstatSync(fd);
    const openedRefusal = notAFile(opened, shown);
    if (openedRefusal !== null) throw new Error(openedRefusal);
    // A second name may be a hard link the agent made to a file of the machine it cannot read itself.
    if (opened.nlink > 1)
      throw new Error(`${shown} has other hard links, so it may be a file from elsewhere`);
    requireInside(folder, fd, path, shown);
    return readFileSync(fd);
  } finally {
    closeSync(fd);
  }
}

/**
 * Unlinks the file `rel` (a relative path) of `folder` if it is still the file `identity` the gateway wrote, and
 * says whether it did. Nothing is followed or removed recursively: when the agent moved, replaced or linked away the
 * file or a folder on the way, whatever it left lies in its own folders, and the gateway leaves it there.
 */
export function removeAgentFile(folder: AgentFolder, rel: string, identity: FileIdentity): boolean {
  const names = namesOf(folder, rel);
  const reached = reachParent(folder, names, null);
  if (!('dir' in reached)) return false;
  const path = join(reached.dir, names[names.length - 1] as string);
  const stats = lstatOrNull(path);
  if (stats === null || !stats.isFile() || stats.dev !== identity.dev || stats.ino !== identity.ino)
    return false;
  return unlinkOrGone(path);
}
