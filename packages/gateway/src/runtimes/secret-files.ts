/**
 * Placing an agent's secret files (`files:` entries) for the local runtime.
 *
 * Each file is written, with its mode, into the agent's private `secrets` folder in the data directory (hidden from
 * every sandbox) and shown inside the sandbox at its target by a read-only bubblewrap bind mount. The sandbox's
 * root is the host's, read-only, so a target whose folder does not exist (`/etc/gcp/sa.json`) needs a place to
 * create it: the deepest existing folder on the way (`/etc`) is shadowed by an empty tmpfs into which each of its
 * entries is bound back read-only, the missing folders are created there, and the tmpfs is made read-only again.
 * The agent sees the same `/etc` plus the new file, and the host's `/etc` is untouched.
 *
 * A target inside the agent's own home or workspace is written there directly, in both modes, without following any
 * symbolic link the agent left on the way (agent-fs.ts). Without bubblewrap nothing else can be placed without
 * writing into the host's own folders, which Praktor refuses to do.
 * Every file is removed when the sandbox ends: the private folder as a whole, and in the agent's folders exactly the
 * files written, unless the agent replaced them.
 */

import {
  chmodSync,
  chownSync,
  existsSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  readlinkSync,
  realpathSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join, posix, relative, sep } from 'node:path';
import { messageOf } from '@praktor/protocol';
import {
  type AgentFolder,
  type FileIdentity,
  type FileOwner,
  removeAgentFile,
  writeAgentFile,
} from './agent-fs.js';
import type { AgentDirs } from './layout.js';
import type { SandboxFile } from './runtime.js';

/** How the files of one sandbox are shown, and how to take them away again. */
export interface FilePlacement {
  /** bubblewrap arguments to give right after the root is bound (shadows and the files in them). */
  early: string[];
  /** bubblewrap arguments to give after the sandbox's own tmpfs mounts (files under /tmp, over existing files). */
  late: string[];
  /** Removes every file written for this sandbox. */
  cleanup(): void;
}

/** Folders no file may be placed under: the kernel's, and the sandbox's own device tree. */
const FORBIDDEN = ['/proc', '/dev', '/sys'];

const isUnder = (path: string, dir: string) =>
  path === dir || path.startsWith(dir.endsWith(sep) ? dir : `${dir}${sep}`);

/** Writes a staged copy into the gateway's private `secrets` folder, which no agent can reach. */
function writeStaged(path: string, file: SandboxFile, owner: FileOwner | undefined): void {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  rmSync(path, { force: true });
  writeFileSync(path, file.content, { mode: file.mode });
  chmodSync(path, file.mode);
  if (owner) chownSync(path, owner.uid, owner.gid);
}

/** The agent's folders, where files are written in place. */
const agentFolders = (dirs: AgentDirs): AgentFolder[] => [
  { path: dirs.workspace, name: 'workspace' },
  { path: dirs.home, name: 'home' },
];

/** The deepest folder on the way to `target` that exists on this machine (symlinks resolved), and the rest. */
function existingAncestor(target: string): { dir: string; rest: string } {
  let dir = dirname(target);
  while (!existsSync(dir)) dir = dirname(dir);
  if (!statSync(dir).isDirectory()) throw new Error(`${dir} is not a folder`);
  const real = realpathSync(dir);
  return { dir: real, rest: relative(dir, target) };
}

/** Arguments that replace `dir` by a tmpfs holding read-only binds of everything `dir` holds. */
function shadowArgs(dir: string): string[] {
  const args = ['--tmpfs', dir];
  for (const entry of readdirSync(dir)) {
    const path = join(dir, entry);
    if (lstatSync(path).isSymbolicLink()) args.push('--symlink', readlinkSync(path), path);
    else args.push('--ro-bind-try', path, path);
  }
  return args;
}

/**
 * `--dir` arguments for the folders between `below` (which exists) and `target`'s own folder, searchable by
 * everyone: bubblewrap would make them private to root, and a sandbox running as the agent user could not reach
 * its file.
 */
function foldersBetween(below: string, target: string): string[] {
  const folders: string[] = [];
  for (let dir = dirname(target); dir !== below && isUnder(dir, below); dir = dirname(dir))
    folders.unshift(dir);
  return folders.flatMap((dir) => ['--perms', '0755', '--dir', dir]);
}

/**
 * Writes `files` for a sandbox with folders `dirs` and works out how it shows them (the agent's private `secrets`
 * folder is emptied first: a crash may have left files there); `confined` says whether bubblewrap runs the sandbox;
 * `hidden` are the folders the sandbox replaces with a tmpfs of its own (its /tmp, the data directory); `owner`,
 * when the sandbox runs as another user than the gateway, owns the files and the folders made for them.
 * Throws an error naming the secret and the target when a file cannot be placed.
 */
export function placeFiles(
  files: readonly SandboxFile[],
  opts: { dirs: AgentDirs; confined: boolean; hidden: string[]; owner?: FileOwner },
): FilePlacement {
  const secretsDir = opts.dirs.secrets;
  const placed: { folder: AgentFolder; rel: string; identity: FileIdentity }[] = [];
  const cleanup = () => {
    rmSync(secretsDir, { recursive: true, force: true });
    // A file the agent moved or replaced is left alone: whatever is there now is the agent's own doing.
    for (const { folder, rel, identity } of placed) removeAgentFile(folder, rel, identity);
  };
  rmSync(secretsDir, { recursive: true, force: true });
  const shadows = new Set<string>();
  const binds: { staged: string; target: string; late: boolean; below: string }[] = [];
  try {
    files.forEach((file, index) => {
      const target = posix.normalize(file.target);
      const cannot = (why: string) =>
        new Error(`the file of secret "${file.secret}" cannot be placed at ${file.target}: ${why}`);
      if (!posix.isAbsolute(target) || target === '/')
        throw cannot('the target must be an absolute file path');
      const folder = agentFolders(opts.dirs).find((candidate) => isUnder(target, candidate.path));
      if (folder !== undefined) {
        if (target === folder.path) throw cannot('that is a folder');
        const rel = posix.relative(folder.path, target);
        try {
          const identity = writeAgentFile(folder, rel, file.content, { mode: file.mode, owner: opts.owner });
          placed.push({ folder, rel, identity });
        } catch (err) {
          throw cannot(messageOf(err));
        }
        return;
      }
      if (!opts.confined) {
        throw cannot(
          'bubblewrap is not installed (apt-get install bubblewrap), and without it Praktor places files only ' +
            `inside the agent's home (${opts.dirs.home}) or workspace`,
        );
      }
      if (FORBIDDEN.some((dir) => isUnder(target, dir))) throw cannot('that folder belongs to the kernel');
      const staged = join(secretsDir, String(index));
      writeStaged(staged, file, opts.owner);
      const hiddenBy = opts.hidden.find((dir) => isUnder(target, dir));
      if (hiddenBy !== undefined) {
        if (hiddenBy !== '/tmp') throw cannot('that is inside the data directory');
        binds.push({ staged, target, late: true, below: '/tmp' });
        return;
      }
      if (existsSync(target)) {
        if (!statSync(target).isFile()) throw cannot('something other than a file is there');
        const real = realpathSync(target);
        binds.push({ staged, target: real, late: true, below: dirname(real) });
        return;
      }
      const { dir, rest } = existingAncestor(target);
      if (FORBIDDEN.some((forbidden) => isUnder(dir, forbidden)))
        throw cannot('that folder belongs to the kernel');
      shadows.add(dir);
      binds.push({ staged, target: join(dir, rest), late: false, below: dir });
    });
  } catch (err) {
    cleanup();
    throw err;
  }
  const ordered = [...shadows].sort((a, b) => a.length - b.length);
  const bindArgs = (late: boolean) =>
    binds
      .filter((bind) => bind.late === late)
      .flatMap((bind) => [...foldersBetween(bind.below, bind.target), '--ro-bind', bind.staged, bind.target]);
  return {
    early: [
      ...ordered.flatMap(shadowArgs),
      ...bindArgs(false),
      ...ordered.flatMap((dir) => ['--remount-ro', dir]),
    ],
    late: bindArgs(true),
    cleanup,
  };
}
