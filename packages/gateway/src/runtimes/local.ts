/**
 * The local runtime: each runner is a child process of the gateway. Where bubblewrap is installed the process is
 * confined (see local-confinement.ts); without it, it runs with the gateway's own rights (said loudly at start).
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import {
  existsSync,
  lchownSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  realpathSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { messageOf } from '@praktor/protocol';
import type { ResolvedAgent } from '../config/index.js';
import type { Logger } from '../log.js';
import { createAgentFile, readAgentFile, writeAgentFile } from './agent-fs.js';
import { AGENT_UID, agentDirs } from './layout.js';
import { type ConfinementPlan, confinementArgs } from './local-confinement.js';
import { type HostNix, hostNixFacts, judgeHostNix, localNixEnv } from './local-nix.js';
import { findProgram } from './programs.js';
import {
  type AgentRef,
  type Runtime,
  type Sandbox,
  type SandboxExit,
  type SandboxSpec,
  UPLOAD_NAME_TRIES,
} from './runtime.js';
import { placeFiles } from './secret-files.js';
import { numberedName, UPLOADS_FOLDER } from './upload-names.js';

const runnerMain = createRequire(import.meta.url).resolve('@praktor/runner');

/** The folder holding `from`'s package.json: the package's root. */
function packageRoot(from: string): string {
  let dir = dirname(from);
  while (!existsSync(join(dir, 'package.json')) && dir !== dirname(dir)) dir = dirname(dir);
  return dir;
}

/**
 * Praktor's code a runner needs, as real paths: the runner and protocol packages and the node_modules that hold
 * their dependencies (Claude Code among them). Nothing else of the installation (its configuration, its data) is shown.
 */
function runnerCode(): string[] {
  const runner = packageRoot(runnerMain);
  const protocol = packageRoot(createRequire(runnerMain).resolve('@praktor/protocol'));
  const sdk = createRequire(runnerMain).resolve('@anthropic-ai/claude-agent-sdk');
  let modules = dirname(sdk);
  while (!modules.endsWith('/node_modules') && modules !== dirname(modules)) modules = dirname(modules);
  return [...new Set([runner, protocol, realpathSync(modules)])];
}

/** The bubblewrap binary on the PATH, or null. */
export function findBwrap(): string | null {
  return findProgram('bwrap');
}

/**
 * Why `bwrap` cannot make the namespaces a sandbox needs on this machine (user namespaces switched off for
 * unprivileged users, a container without the rights), or null when it can.
 */
export function namespaceProblem(bwrap: string): string | null {
  try {
    execFileSync(bwrap, ['--unshare-net', '--unshare-pid', '--ro-bind', '/', '/', 'true'], {
      stdio: ['ignore', 'ignore', 'pipe'],
      timeout: 10_000,
    });
    return null;
  } catch (err) {
    const stderr = (err as { stderr?: Buffer }).stderr?.toString().trim();
    return stderr || messageOf(err);
  }
}

/** Who a local sandbox runs as: the agent user when the gateway is root and confines it, else the gateway's user. */
export function localSandboxUid(confined: boolean): number | null {
  return confined && process.getuid?.() === 0 ? AGENT_UID : null;
}

/** Variables of the gateway's environment a runner may need to run programs at all. */
const BASE_ENV = ['PATH', 'LANG', 'LC_ALL', 'TZ'];

/** How long a look at the host's nix holds. */
const NIX_LOOK_MS = 5_000;

/**
 * `/etc/passwd` and `/etc/group` for a sandbox that runs as the agent user: the host's, plus that user with its home,
 * so that programs asking who they are (`whoami`, `os.userInfo()`) get an answer. Written to a private folder of
 * their own, removed with the sandbox.
 */
function userFiles(home: string): { dir: string; passwd: string; group: string } {
  const dir = mkdtempSync(join(tmpdir(), 'praktor-users-'));
  const passwd = join(dir, 'passwd');
  const group = join(dir, 'group');
  const hostFile = (path: string) =>
    existsSync(path) ? readFileSync(path, 'utf8').replace(/\n?$/, '\n') : '';
  const entry = `praktor:x:${AGENT_UID}:${AGENT_UID}:Praktor agent:${home}:/bin/sh\n`;
  writeFileSync(passwd, `${hostFile('/etc/passwd')}${entry}`, { mode: 0o644 });
  writeFileSync(group, `${hostFile('/etc/group')}praktor:x:${AGENT_UID}:\n`, { mode: 0o644 });
  return { dir, passwd, group };
}

/** Gives `dir` and everything in it to `owner`, once: links are changed themselves, never followed. */
function ensureOwned(dir: string, owner: { uid: number; gid: number }): void {
  if (lstatSync(dir).uid === owner.uid) return;
  for (const entry of readdirSync(dir, { recursive: true }) as string[]) {
    lchownSync(join(dir, entry), owner.uid, owner.gid);
  }
  lchownSync(dir, owner.uid, owner.gid);
}

/** What the local runtime needs from the gateway. */
export interface LocalRuntimeOptions {
  dataDir: string;
  /** The agent as configured now (its `network`: `none` keeps it off the internet). */
  agent: (agentId: string) => ResolvedAgent;
  /** The configuration file, hidden from sandboxes (it holds credentials); null without one. */
  configFile: string | null;
  log: Logger;
  /** The bubblewrap binary, null for none; found on the PATH when left out. */
  bwrap?: string | null;
}

/** Runs runners as child processes, confined with bubblewrap when it is available. */
export class LocalRuntime implements Runtime {
  readonly name = 'local';
  readonly confinement: string;
  private readonly bwrap: string | null;
  /** The user sandboxes run as when the gateway runs as root; null keeps the gateway's own user. */
  private readonly owner: { uid: number; gid: number } | null;
  private readonly dataDir: string;
  /** The last look at the host's nix, and when it was taken. */
  private lastNixLook: { at: number; nix: HostNix } | null = null;

  constructor(private readonly opts: LocalRuntimeOptions) {
    this.dataDir = opts.dataDir;
    const found = opts.bwrap === undefined ? findBwrap() : opts.bwrap;
    const problem = found ? namespaceProblem(found) : null;
    this.bwrap = problem === null ? found : null;
    const uid = localSandboxUid(this.bwrap !== null);
    this.owner = uid === null ? null : { uid, gid: uid };
    const user = this.owner ? `as uid ${AGENT_UID}, not root` : 'as the gateway’s user';
    if (this.bwrap) {
      this.confinement =
        `bubblewrap: ${user}; writes only its own workspace, home and /tmp; no capabilities; ` +
        'own network namespace (model API and internet only through the gateway); data directory and host sockets hidden';
    } else if (problem !== null) {
      this.confinement =
        `none: bubblewrap cannot create namespaces here (${problem}); agents run with the gateway user’s rights ` +
        'and its network — enable unprivileged user namespaces (sysctl kernel.unprivileged_userns_clone=1) or use Docker';
    } else {
      this.confinement = 'none: bubblewrap is not installed, agents run with the gateway user’s rights';
    }
  }

  /** Whether runners are confined. */
  get confined(): boolean {
    return this.bwrap !== null;
  }

  /**
   * The host's nix as this runtime's sandboxes would use it now: looked at again after a few seconds, so a daemon
   * started later counts, while Mission Control's agent lists do not each run nix.
   */
  hostNix(): HostNix {
    const now = Date.now();
    if (this.lastNixLook !== null && now - this.lastNixLook.at < NIX_LOOK_MS) return this.lastNixLook.nix;
    const user = { dropTo: this.owner?.uid ?? null };
    let nix: HostNix;
    try {
      nix = judgeHostNix(hostNixFacts(user), user);
    } catch (err) {
      nix = {
        usable: false,
        problem: `Nix is not available: this machine's nix could not be examined (${messageOf(err)})`,
      };
    }
    this.lastNixLook = { at: now, nix };
    return nix;
  }

  nixProblem(): string | null {
    const nix = this.hostNix();
    return nix.usable ? null : nix.problem;
  }

  /** The host's folder itself, shown read-only to a confined sandbox at the same path. */
  embeddingModelDir(hostDir: string): string {
    return hostDir;
  }

  async start(spec: SandboxSpec): Promise<Sandbox> {
    const dirs = agentDirs(this.dataDir, spec.workspace);
    for (const dir of [dirs.workspace, dirs.home, dirs.global]) mkdirSync(dir, { recursive: true });
    const env: Record<string, string> = {};
    for (const name of BASE_ENV) {
      const value = process.env[name];
      if (value !== undefined) env[name] = value;
    }
    Object.assign(env, {
      HOME: dirs.home,
      CLAUDE_CONFIG_DIR: join(dirs.home, '.claude'),
      PRAKTOR_WORKSPACE: dirs.workspace,
      PRAKTOR_GLOBAL_DIR: dirs.global,
    });
    const agent = this.opts.agent(spec.agentId);
    const hostNix = agent.nixEnabled ? this.hostNix() : null;
    const nix = hostNix?.usable ? hostNix : null;
    if (nix) Object.assign(env, localNixEnv(nix, agent, dirs.home, env.PATH ?? ''));
    if (!this.bwrap) {
      const files = placeFiles(spec.files, { dirs, confined: false, hidden: [this.dataDir, '/tmp'] });
      const child = spawn(process.execPath, [runnerMain], {
        cwd: dirs.workspace,
        env,
        stdio: ['pipe', 'pipe', 'pipe'],
        detached: true,
      });
      return new LocalSandbox(child, () => this.cleanUp(spec.agentId, files.cleanup));
    }
    if (this.owner) for (const dir of [dirs.workspace, dirs.home]) ensureOwned(dir, this.owner);
    const files = placeFiles(spec.files, {
      dirs,
      confined: true,
      hidden: [this.dataDir, '/tmp'],
      ...(this.owner ? { owner: this.owner } : {}),
    });
    const users = this.owner ? userFiles(dirs.home) : null;
    const plan: ConfinementPlan = {
      dataDir: this.dataDir,
      dirs,
      files,
      code: runnerCode(),
      readOnly: spec.embeddingModelDir ? [spec.embeddingModelDir] : [],
      masked: this.opts.configFile ? [this.opts.configFile] : [],
      dropTo: this.owner && users ? { ...this.owner, ...users } : null,
      nix: nix?.mode ?? null,
    };
    // The sandbox has a network of its own with only loopback in it: the link is its way out (see gateway-routes.ts
    // in the runner), to the internet too unless the agent may not use the network.
    env.PRAKTOR_NETWORK = agent.network === 'none' ? 'none' : 'gateway';
    // A process group of its own, so stopping it also ends the Claude Code process it started.
    const child = spawn(this.bwrap, confinementArgs(plan, process.execPath, runnerMain), {
      cwd: dirs.workspace,
      env,
      stdio: ['pipe', 'pipe', 'pipe'],
      detached: true,
    });
    return new LocalSandbox(child, () =>
      this.cleanUp(spec.agentId, () => {
        files.cleanup();
        if (users) rmSync(users.dir, { recursive: true, force: true });
      }),
    );
  }

  /** Runs a sandbox's clean-up; a failure is logged (the sandbox is gone either way), never thrown. */
  private async cleanUp(agentId: string, cleanup: () => void | Promise<void>): Promise<void> {
    try {
      await cleanup();
    } catch (err) {
      this.opts.log.error({ agent: agentId, err: messageOf(err) }, 'could not clean up after a sandbox');
    }
  }

  /** Refuses to follow a symbolic link the agent made of the file, which could lead to any file on the machine. */
  async readWorkspaceFile(agent: AgentRef, name: string): Promise<string | null> {
    const folder = { path: agentDirs(this.dataDir, agent.workspace).workspace, name: 'workspace' };
    return readAgentFile(folder, name)?.toString('utf8') ?? null;
  }

  /** Refuses to write through a symbolic link the agent made of the file; replaces the file with a new one. */
  async writeWorkspaceFile(agent: AgentRef, name: string, content: string): Promise<void> {
    const folder = { path: agentDirs(this.dataDir, agent.workspace).workspace, name: 'workspace' };
    // The workspace's parent is the gateway's, so making the workspace itself follows nothing the agent made.
    mkdirSync(folder.path, { recursive: true });
    // Owned by the agent user where the sandbox runs as one, so that the agent can still edit it.
    writeAgentFile(folder, name, content, { mode: 0o644, ...(this.owner ? { owner: this.owner } : {}) });
  }

  /** Refuses an `uploads` folder the agent replaced by a symbolic link; never replaces an existing file. */
  async saveUpload(agent: AgentRef, name: string, content: Buffer): Promise<string> {
    const folder = { path: agentDirs(this.dataDir, agent.workspace).workspace, name: 'workspace' };
    mkdirSync(folder.path, { recursive: true });
    for (let n = 1; n <= UPLOAD_NAME_TRIES; n++) {
      const rel = `${UPLOADS_FOLDER}/${numberedName(name, n)}`;
      const created = createAgentFile(folder, rel, content, {
        mode: 0o644,
        ...(this.owner ? { owner: this.owner } : {}),
      });
      if (created !== null) return rel;
    }
    throw new Error(`the agent's uploads folder already has ${UPLOAD_NAME_TRIES} files named like ${name}`);
  }

  /** Sandboxes read the global folder itself, so they see every change at once. */
  async publishSharedFiles(): Promise<void> {}
}

class LocalSandbox implements Sandbox {
  readonly exited: Promise<SandboxExit>;
  private readonly cleaned: Promise<void>;
  private done = false;

  constructor(
    private readonly child: ChildProcess,
    cleanup: () => Promise<void>,
  ) {
    this.exited = new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        this.done = true;
        resolve({ code, signal, error: null });
      });
      child.once('error', (err) => {
        this.done = true;
        resolve({ code: null, signal: null, error: err.message });
      });
    });
    // Secret files and the sandbox's sockets live only as long as the sandbox.
    this.cleaned = this.exited.then(cleanup);
  }

  get stdin() {
    return this.child.stdin as NonNullable<ChildProcess['stdin']>;
  }
  get stdout() {
    return this.child.stdout as NonNullable<ChildProcess['stdout']>;
  }
  get stderr() {
    return this.child.stderr as NonNullable<ChildProcess['stderr']>;
  }

  async stop(graceMs: number): Promise<void> {
    if (!this.done) {
      this.signalGroup('SIGTERM');
      const timer = setTimeout(() => this.signalGroup('SIGKILL'), graceMs);
      await this.exited;
      clearTimeout(timer);
    }
    // The runner may be gone while a Claude Code process it started lingers in the group.
    this.signalGroup('SIGKILL');
    await this.cleaned;
  }

  private signalGroup(signal: NodeJS.Signals): void {
    if (this.child.pid === undefined) return;
    try {
      process.kill(-this.child.pid, signal);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ESRCH') throw err;
    }
  }
}
