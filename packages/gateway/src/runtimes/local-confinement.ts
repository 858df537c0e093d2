/**
 * What a confined local sandbox sees, as bubblewrap arguments. The sandbox starts from an empty root and is shown
 * only what it needs: the system's programs and libraries read-only, Praktor's runner and its dependencies
 * read-only, its own workspace and home writable, the shared folder read-only, fresh /tmp, /var/tmp and /run
 * (so no host Unix socket — Docker's, D-Bus, an ssh-agent, a database — is reachable), a network namespace with
 * nothing but loopback (its only way out is the link to the gateway), and no capabilities. When the gateway runs as
 * root, the runner runs as the unprivileged agent user instead, so the host's root-only files (/etc/shadow) stay
 * closed to it. An agent with `nix_enabled` on a machine with nix also sees /nix (and the nix daemon's socket).
 */
import { existsSync, lstatSync, readlinkSync } from 'node:fs';
import { dirname } from 'node:path';
import type { AgentDirs } from './layout.js';
import { NIX_DAEMON_SOCKET, NIX_ROOT } from './local-nix.js';
import type { FilePlacement } from './secret-files.js';

/** Top-level folders of the host shown read-only: programs, libraries and system settings. */
const SYSTEM_DIRS = ['/usr', '/bin', '/sbin', '/lib', '/lib32', '/lib64', '/libx32', '/etc'];

/** Everything that shapes one sandbox's view. */
export interface ConfinementPlan {
  dataDir: string;
  dirs: AgentDirs;
  files: FilePlacement;
  /** Folders of Praktor's own code the runner needs, shown read-only. */
  code: string[];
  /** Other host folders the runner reads, shown read-only: the embedding model's. */
  readOnly: string[];
  /** Files that must look empty inside (the configuration file, which holds credentials). */
  masked: string[];
  /** When set, the runner drops to this user; else it keeps the gateway's (non-root) user. */
  dropTo: { uid: number; gid: number; passwd: string; group: string } | null;
  /** How the agent uses the host's nix (see local-nix.ts); null shows no /nix at all. */
  nix: 'daemon' | 'single-user' | null;
}

/**
 * The host's /nix. With a daemon: read-only, so the store can only change through the daemon, which checks what it
 * is given; the socket is shown in a folder of its own, as the host's (Debian: group nix-users) would keep the
 * agent user out, and `nix_enabled` is the permission to use it. Single-user: writable, as nix itself writes the
 * store and its database there.
 */
function nixArgs(mode: ConfinementPlan['nix']): string[] {
  // biome-ignore format: each flag stays on one line with its operands
  switch (mode) {
    case null:
      return [];
    case 'single-user':
      return ['--bind', NIX_ROOT, NIX_ROOT];
    case 'daemon':
      return [
        '--ro-bind', NIX_ROOT, NIX_ROOT,
        '--perms', '0755', '--tmpfs', dirname(NIX_DAEMON_SOCKET),
        '--bind', NIX_DAEMON_SOCKET, NIX_DAEMON_SOCKET,
      ];
  }
}

/** `--ro-bind` for a real folder, `--symlink` for a link (merged-/usr systems link /bin to usr/bin). */
function systemArgs(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return lstatSync(dir).isSymbolicLink() ? ['--symlink', readlinkSync(dir), dir] : ['--ro-bind', dir, dir];
}

/**
 * Makes the folders on the way to each mount point, readable and searchable by everyone: bubblewrap would make
 * them private to root, which the agent user could not pass through. Folders already there are skipped.
 */
class Parents {
  private readonly made = new Set(['/', '/tmp', '/var', '/var/tmp', '/run', '/dev', '/proc']);

  /** `--dir` arguments for the folders above `target` not made yet. */
  above(target: string): string[] {
    const args: string[] = [];
    const chain: string[] = [];
    for (let dir = dirname(target); dir !== dirname(dir); dir = dirname(dir)) chain.unshift(dir);
    for (const dir of chain) {
      if (this.made.has(dir) || SYSTEM_DIRS.some((system) => isUnder(dir, system))) continue;
      this.made.add(dir);
      args.push('--perms', '0755', '--dir', dir);
    }
    return args;
  }

  /** `flag source target`, after the folders above `target`. */
  mount(flag: string, source: string, target: string): string[] {
    return [...this.above(target), flag, source, target];
  }
}

const isUnder = (path: string, dir: string) => path === dir || path.startsWith(`${dir}/`);

/** The bubblewrap arguments, then the command that runs `main` with `node` inside. */
export function confinementArgs(plan: ConfinementPlan, node: string, main: string): string[] {
  const { dirs, files, dataDir } = plan;
  const drop = plan.dropTo;
  const parents = new Parents();
  // biome-ignore format: each flag stays on one line with its operands
  return [
    '--unshare-net', '--unshare-pid', '--unshare-ipc', '--unshare-uts',
    '--die-with-parent',
    '--new-session',
    ...SYSTEM_DIRS.flatMap(systemArgs),
    // Secret files whose folders must be made first (see secret-files.ts).
    ...files.early,
    '--dev', '/dev',
    '--proc', '/proc',
    '--perms', '1777', '--tmpfs', '/tmp',
    '--perms', '1777', '--tmpfs', '/var/tmp',
    '--tmpfs', '/run',
    ...(drop ? ['--ro-bind', drop.passwd, '/etc/passwd', '--ro-bind', drop.group, '/etc/group'] : []),
    ...nixArgs(plan.nix),
    ...plan.code.flatMap((dir) => parents.mount('--ro-bind', dir, dir)),
    ...plan.readOnly.flatMap((dir) => parents.mount('--ro-bind', dir, dir)),
    // Node from the system is already shown with /usr; one installed elsewhere (nvm, /opt) is shown on its own.
    ...(SYSTEM_DIRS.some((dir) => isUnder(node, dir)) ? [] : parents.mount('--ro-bind', dirname(node), dirname(node))),
    // The data directory is shown with only this agent's folders in it; the database and other agents stay out.
    ...parents.above(dataDir), '--perms', '0755', '--tmpfs', dataDir,
    ...parents.mount('--bind', dirs.workspace, dirs.workspace),
    ...parents.mount('--bind', dirs.home, dirs.home),
    ...parents.mount('--ro-bind', dirs.global, dirs.global),
    ...files.late,
    '--remount-ro', dataDir,
    ...plan.masked.flatMap((path) => (existsSync(path) ? ['--ro-bind', '/dev/null', path] : [])),
    // As root, capabilities are dropped by setpriv together with root itself; otherwise bubblewrap drops them.
    ...(drop ? [] : ['--cap-drop', 'ALL']),
    '--',
    ...(drop
      ? [
          'setpriv', `--reuid=${drop.uid}`, `--regid=${drop.gid}`, '--clear-groups',
          '--inh-caps=-all', '--bounding-set=-all', '--no-new-privs', '--',
        ]
      : []),
    node, main,
  ];
}
