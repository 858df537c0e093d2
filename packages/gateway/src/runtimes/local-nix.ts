/**
 * Nix in the local runtime: whether this machine's nix can serve an agent with `nix_enabled`, and how. The agent
 * uses the host's store with a profile of its own in its home; with a nix daemon (multi-user nix) it sees /nix
 * read-only and asks the daemon for every change, with a single-user store its sandbox may write /nix itself. When
 * neither works, the answer says how to enable it, and the agent's nix tools and `/nix` repeat that.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { accessSync, constants, realpathSync, statSync } from 'node:fs';
import { userInfo } from 'node:os';
import { dirname, join } from 'node:path';
import type { ResolvedAgent } from '../config/index.js';
import { nixSettings } from './nix-settings.js';
import { findProgram } from './programs.js';

/** The host's nix store and state, shown to sandboxes at the same path. */
export const NIX_ROOT = '/nix';
/** Where a multi-user nix's daemon listens. */
export const NIX_DAEMON_SOCKET = '/nix/var/nix/daemon-socket/socket';

/**
 * The agent's own nix profile, in its home (so agents never share installed packages, and the packages stay with
 * the agent across restarts); where newer nix puts a user's profile too.
 */
export function localNixProfile(home: string): string {
  return join(home, '.local', 'state', 'nix', 'profiles', 'profile');
}

/** How the host's nix serves local sandboxes, or why it cannot. */
export type HostNix =
  | {
      usable: true;
      /** `daemon`: /nix read-only plus the daemon's socket; `single-user`: /nix writable by the sandbox. */
      mode: 'daemon' | 'single-user';
      /** The folder of the nix programs as a real path, which the sandbox sees (/usr/bin, or one in /nix/store). */
      bin: string;
    }
  | { usable: false; problem: string };

/** What was found on the machine. */
export interface HostNixFacts {
  /** The `nix` program on the gateway's PATH, as a real path; null when there is none. */
  nix: string | null;
  /** Whether a Unix socket is at {@link NIX_DAEMON_SOCKET}. */
  daemonSocket: boolean;
  /** Whether /nix/store and /nix/var/nix exist and the sandbox's user may write them. */
  storeWritable: boolean;
  /**
   * Whether this machine's nix configuration makes the sandbox's user one of the daemon's `trusted-users` (by name,
   * by group, or `*`); null when the configuration could not be read.
   */
  daemonTrustsSandboxUser: boolean | null;
}

/** Who the sandbox runs as: `uid` when the gateway drops to the agent user, null when it keeps its own user. */
export interface SandboxUser {
  dropTo: number | null;
}

const HOW_ELSE =
  'or run the agent in Docker (runtime: docker), where it gets a nix store of its own. Then restart the agent.';

/** Whether the host's nix can serve sandboxes of `user`, and how; pure, for the facts {@link hostNixFacts} finds. */
export function judgeHostNix(facts: HostNixFacts, user: SandboxUser): HostNix {
  if (facts.nix === null) {
    return {
      usable: false,
      problem:
        'Nix is not available: this agent runs in the local runtime and this machine has no nix (no `nix` program ' +
        'on the gateway’s PATH). To enable it, install nix on this machine — multi-user, with its daemon running ' +
        `(https://nixos.org/download, or Debian’s nix-bin package) — ${HOW_ELSE}`,
    };
  }
  const bin = dirname(facts.nix);
  // The daemon wins where both would work: the sandbox then sees /nix read-only and cannot touch the host's store.
  if (facts.daemonSocket) {
    // A user the daemon trusts may import unsigned paths and name its own caches: as good as root on this machine.
    if (facts.daemonTrustsSandboxUser === false) return { usable: true, mode: 'daemon', bin };
    const who = user.dropTo === null ? 'the gateway’s user' : `the agents’ user (uid ${user.dropTo})`;
    return {
      usable: false,
      problem:
        facts.daemonTrustsSandboxUser === null
          ? `Nix is not available: this agent runs in the local runtime, and whether the nix daemon trusts ${who} ` +
            'could not be read from this machine’s nix configuration (`nix show-config`). Fix nix’s configuration, ' +
            HOW_ELSE
          : `Nix is not available: this agent runs in the local runtime, and the nix daemon trusts ${who} ` +
            '(trusted-users in nix.conf), which would let an agent do anything root can on this machine. Run the ' +
            `gateway as a user the daemon does not trust, or take it out of trusted-users, ${HOW_ELSE}`,
    };
  }
  if (facts.storeWritable) return { usable: true, mode: 'single-user', bin };
  const who = user.dropTo === null ? 'the gateway’s user' : `the agents’ user (uid ${user.dropTo})`;
  return {
    usable: false,
    problem:
      `Nix is not available: this agent runs in the local runtime, and this machine's nix has no daemon running ` +
      `(no socket at ${NIX_DAEMON_SOCKET}) and no store at ${NIX_ROOT} that ${who} may write. To enable it, start ` +
      `the nix daemon (multi-user nix: systemctl start nix-daemon, or nix-daemon run as root), ${HOW_ELSE}`,
  };
}

/** Whether `path` exists and `user` may write it. */
function writable(path: string, user: SandboxUser): boolean {
  try {
    if (user.dropTo === null) {
      accessSync(path, constants.W_OK);
      return true;
    }
    // The agent user has no groups in its sandbox (setpriv --clear-groups): only its own bits, or everyone's, count.
    const stat = statSync(path);
    return (stat.uid === user.dropTo && (stat.mode & 0o200) !== 0) || (stat.mode & 0o002) !== 0;
  } catch (err) {
    if (['ENOENT', 'EACCES', 'ENOTDIR'].includes((err as NodeJS.ErrnoException).code ?? '')) return false;
    throw err;
  }
}

function isSocket(path: string): boolean {
  try {
    return statSync(path).isSocket();
  } catch (err) {
    if (['ENOENT', 'EACCES', 'ENOTDIR'].includes((err as NodeJS.ErrnoException).code ?? '')) return false;
    throw err;
  }
}

/** Looks at this machine: the nix program, the daemon's socket, the store's rights for `user`, the daemon's trust. */
export function hostNixFacts(user: SandboxUser): HostNixFacts {
  const nix = findProgram('nix');
  const daemonSocket = isSocket(NIX_DAEMON_SOCKET);
  return {
    nix: nix === null ? null : realpathSync(nix),
    daemonSocket,
    storeWritable: [join(NIX_ROOT, 'store'), join(NIX_ROOT, 'var', 'nix')].every((dir) =>
      writable(dir, user),
    ),
    daemonTrustsSandboxUser: nix !== null && daemonSocket ? trustsSandboxUser(nix, user) : false,
  };
}

/** Whether the `trusted-users` of this machine's nix.conf name the sandbox's user; null when it cannot be read. */
function trustsSandboxUser(nix: string, user: SandboxUser): boolean | null {
  let trusted: unknown;
  try {
    const config = execFileSync(
      nix,
      ['--extra-experimental-features', 'nix-command', 'show-config', '--json'],
      {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'ignore'],
        timeout: 5_000,
      },
    );
    trusted = (JSON.parse(config) as Record<string, { value?: unknown }>)['trusted-users']?.value;
  } catch {
    return null;
  }
  if (!Array.isArray(trusted)) return null;
  const { name, groups } = sandboxIdentity(user);
  return trusted.some(
    (entry) =>
      entry === '*' ||
      (name !== null && entry === name) ||
      (typeof entry === 'string' && entry.startsWith('@') && groups.includes(entry.slice(1))),
  );
}

/** The sandbox user's name (null for a uid without one) and groups (none for the agent user, whose are cleared). */
function sandboxIdentity(user: SandboxUser): { name: string | null; groups: string[] } {
  if (user.dropTo !== null) {
    const entry = spawnSync('getent', ['passwd', String(user.dropTo)], { encoding: 'utf8' });
    const name = entry.status === 0 ? (entry.stdout.split(':')[0] ?? null) : null;
    return { name: name || null, groups: [] };
  }
  const groups = spawnSync('id', ['-Gn'], { encoding: 'utf8' });
  return {
    name: userInfo().username,
    groups: groups.status === 0 ? groups.stdout.trim().split(/\s+/) : [],
  };
}

/**
 * The sandbox's variables for an agent using the host's nix: its profile (whose `bin` leads the PATH), the daemon
 * when there is one, and the agent's caches.
 */
export function localNixEnv(
  nix: Extract<HostNix, { usable: true }>,
  agent: Pick<ResolvedAgent, 'nixCaches'>,
  home: string,
  path: string,
): Record<string, string> {
  const profile = localNixProfile(home);
  const folders = path.split(':').filter((dir) => dir !== '');
  return {
    PATH: [join(profile, 'bin'), ...(folders.includes(nix.bin) ? [] : [nix.bin]), ...folders].join(':'),
    PRAKTOR_NIX_PROFILE: profile,
    ...(nix.mode === 'daemon' ? { NIX_REMOTE: 'daemon' } : {}),
    NIX_CONFIG: nixSettings(agent.nixCaches, [
      // The host's nix.conf may not have them; the nix tools use `nix profile`.
      'experimental-features = nix-command flakes',
      // A sandbox has no network interface of its own (its internet goes through the gateway), and nix then turns
      // substitution off, keeps fetched flakes (nixpkgs) forever and never retries a download, unless told otherwise.
      'substitute = true',
      'tarball-ttl = 3600',
      'download-attempts = 5',
    ]),
  };
}
