/**
 * The local runtime: each runner is a child process of the gateway. Where bubblewrap is installed the process is
 * confined to its own folders; without it, it runs with the gateway's own rights (said loudly at start).
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { readAgentFile, writeAgentFile } from './agent-fs.js';
import { agentDirs } from './layout.js';
import type { AgentRef, Runtime, Sandbox, SandboxExit, SandboxSpec } from './runtime.js';
import { type FilePlacement, placeFiles } from './secret-files.js';

const runnerMain = createRequire(import.meta.url).resolve('@praktor/runner');

/** The folder whose node_modules hold the runner's dependencies: the sandbox must see it even under /tmp. */
function installRoot(from: string): string {
  for (let dir = dirname(from); dir !== dirname(dir); dir = dirname(dir)) {
    if (existsSync(join(dir, 'node_modules', '@anthropic-ai', 'claude-agent-sdk'))) return dir;
  }
  return dirname(from);
}

/** The bubblewrap binary on the PATH, or null. */
function findBwrap(): string | null {
  try {
    return execFileSync('sh', ['-c', 'command -v bwrap'], { encoding: 'utf8' }).trim() || null;
  } catch {
    return null;
  }
}

/** Variables of the gateway's environment a runner may need to run programs at all. */
const BASE_ENV = ['PATH', 'LANG', 'LC_ALL', 'TZ', 'TMPDIR'];

/** Runs runners as child processes, confined with bubblewrap when it is available. */
export class LocalRuntime implements Runtime {
  readonly name = 'local';
  readonly confinement: string;
  private readonly bwrap: string | null;

  constructor(
    private readonly dataDir: string,
    opts: { bwrap?: string | null } = {},
  ) {
    this.bwrap = opts.bwrap === undefined ? findBwrap() : opts.bwrap;
    this.confinement = this.bwrap
      ? 'bubblewrap: writes only its own workspace, home and /tmp; no capabilities; data directory hidden'
      : 'none: bubblewrap is not installed, agents run with the gateway user’s rights';
  }

  /** Whether runners are confined. */
  get confined(): boolean {
    return this.bwrap !== null;
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
    const files = placeFiles(spec.files, {
      dirs,
      confined: this.bwrap !== null,
      hidden: [this.dataDir, '/tmp'],
    });
    const [command, args] = this.bwrap
      ? [this.bwrap, [...this.confinementArgs(dirs, files), '--', process.execPath, runnerMain]]
      : [process.execPath, [runnerMain]];
    // A process group of its own, so stopping it also ends the Claude Code process it started.
    const child = spawn(command, args, {
      cwd: dirs.workspace,
      env,
      stdio: ['pipe', 'pipe', 'pipe'],
      detached: true,
    });
    return new LocalSandbox(child, files.cleanup);
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
    writeAgentFile(folder, name, content, { mode: 0o644 });
  }

  /** Sandboxes read the global folder itself, so they see every change at once. */
  async publishSharedFiles(): Promise<void> {}

  private confinementArgs(dirs: ReturnType<typeof agentDirs>, files: FilePlacement): string[] {
    // biome-ignore format: each flag stays on one line with its operands
    return [
      '--ro-bind', '/', '/',
      // Secret files whose folders must be made first (see secret-files.ts).
      ...files.early,
      '--dev', '/dev',
      '--proc', '/proc',
      '--tmpfs', '/tmp',
      // Praktor and Node may themselves live under /tmp: show them again, read-only.
      '--ro-bind', installRoot(runnerMain), installRoot(runnerMain),
      '--ro-bind', dirname(process.execPath), dirname(process.execPath),
      // Hide the whole data directory (the database, other agents) and show back only this agent's folders.
      '--tmpfs', this.dataDir,
      '--bind', dirs.workspace, dirs.workspace,
      '--bind', dirs.home, dirs.home,
      '--ro-bind', dirs.global, dirs.global,
      ...files.late,
      '--remount-ro', this.dataDir,
      '--unshare-pid', '--unshare-ipc', '--unshare-uts',
      '--cap-drop', 'ALL',
      '--die-with-parent',
      '--new-session',
    ];
  }
}

class LocalSandbox implements Sandbox {
  readonly exited: Promise<SandboxExit>;
  private done = false;

  constructor(
    private readonly child: ChildProcess,
    cleanup: () => void,
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
    // Secret files live only as long as the sandbox.
    void this.exited.then(cleanup);
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
