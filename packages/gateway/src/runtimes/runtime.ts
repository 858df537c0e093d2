/**
 * The runtime interface: how an agent's runner is started in its sandbox, whatever the sandbox is.
 * The gateway speaks the link over the sandbox's stdin/stdout and needs nothing else from it.
 */
import type { Readable, Writable } from 'node:stream';

/** What to start. */
export interface SandboxSpec {
  agentId: string;
  /** The swarm run and role the sandbox works for, when it is a swarm member's; Docker labels its container so. */
  swarm?: { runId: string; role: string };
  /** The agent's workspace name (already safe for paths and container names). */
  workspace: string;
  /** Files the sandbox must show at absolute paths (vault secrets from the agent's `files`). */
  files: SandboxFile[];
  /**
   * The sandbox's own name when it is not the agent's ordinary sandbox (a swarm member's), so the two never take
   * each other's place; the agent's id when absent.
   */
  name?: string;
  /**
   * The embedding model folder of `memory.embeddings.model_dir` on the host, which a runtime that reads it from the
   * host shows to the sandbox read-only; absent when none is configured.
   */
  embeddingModelDir?: string;
}

/** A file placed in the sandbox: the bytes of a vault secret at `target`, with permissions `mode`. */
export interface SandboxFile {
  /** The vault secret it holds, for messages. */
  secret: string;
  /** Absolute path inside the sandbox. */
  target: string;
  mode: number;
  content: Buffer;
}

/** How a sandbox ended. */
export interface SandboxExit {
  code: number | null;
  signal: string | null;
  /** Why it could not run at all (for example the binary is missing). */
  error: string | null;
}

/** A started sandbox with a runner in it. */
export interface Sandbox {
  /** Link messages to the runner. */
  readonly stdin: Writable;
  /** Link messages from the runner. */
  readonly stdout: Readable;
  /** Lines the runner and Claude Code print for people. */
  readonly stderr: Readable;
  /** Settles once the sandbox is gone, however it went. */
  readonly exited: Promise<SandboxExit>;
  /** Ends the sandbox: politely first, by force after `graceMs`. Resolves when nothing of it is left. */
  stop(graceMs: number): Promise<void>;
}

/** Whose files: an agent's id and its workspace name. */
export type AgentRef = Pick<SandboxSpec, 'agentId' | 'workspace'>;

/** A way to run sandboxes. */
export interface Runtime {
  readonly name: string;
  /** What the sandbox confines, in one line, for logs and Mission Control. */
  readonly confinement: string;
  start(spec: SandboxSpec): Promise<Sandbox>;
  /** The text of file `name` in the agent's workspace, or null when there is none; whether or not it runs. */
  readWorkspaceFile(agent: AgentRef, name: string): Promise<string | null>;
  /** Writes file `name` of the agent's workspace so that the agent can still edit it; whether or not it runs. */
  writeWorkspaceFile(agent: AgentRef, name: string, content: string): Promise<void>;
  /**
   * Saves an upload as a new file of the agent's `uploads/` folder, whether or not it runs: under `name` (already
   * safe, see uploads/names.ts), or `name-2`, `name-3`, … when taken, never over anything already there. Returns the
   * path it was saved at, relative to the workspace.
   */
  saveUpload(agent: AgentRef, name: string, content: Buffer): Promise<string>;
  /**
   * Shows the shared files (USER.md, CLAUDE.md in the data directory's global folder) as they are now to this
   * runtime's sandboxes, running ones included; called after they change.
   */
  publishSharedFiles(): Promise<void>;
  /**
   * Why an agent with `nix_enabled` gets no nix in this runtime's sandboxes now, as its nix tools and `/nix` say it
   * (with how to enable it); null when it does.
   */
  nixProblem(): string | null;
  /**
   * Where the sandbox finds the embedding model folder configured on the host as `hostDir`: the folder itself
   * (local), or the copy `praktor image build` put into the image (Docker).
   */
  embeddingModelDir(hostDir: string): string;
}

/** Whether `agent` has nix where `runtime` runs it, and why not when it asked for it but has none. */
export function nixFor(
  agent: { nixEnabled: boolean },
  runtime: Pick<Runtime, 'nixProblem'>,
): { enabled: boolean; problem: string | null } {
  const problem = agent.nixEnabled ? runtime.nixProblem() : null;
  return { enabled: agent.nixEnabled && problem === null, problem };
}

/** How many numbered names an upload tries before giving up. */
export const UPLOAD_NAME_TRIES = 100;

/** Replaces every character that is unsafe in a path or container name, as the original did. */
export function safeWorkspaceName(workspace: string): string {
  return workspace.replace(/[^A-Za-z0-9_-]/g, '-');
}
