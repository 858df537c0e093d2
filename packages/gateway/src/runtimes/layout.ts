/**
 * Where agents' files live in the data directory on the gateway's machine.
 */
import { join } from 'node:path';

/**
 * The user agents run as: in the agent image (images/agent/Dockerfile), and in the local sandbox when the gateway
 * itself runs as root.
 */
export const AGENT_UID = 10321;

/** The folders of one agent, and the one shared by all. */
export interface AgentDirs {
  /** The agent's workspace: AGENT.md and whatever it makes. */
  workspace: string;
  /** The agent's home: Claude Code keeps its sessions under `.claude` here. */
  home: string;
  /** Shared by every agent, read-only for them: USER.md and CLAUDE.md. */
  global: string;
  /** The agent's secret files while its sandbox runs; never visible inside any sandbox. */
  secrets: string;
}

/** The folders of the agent whose workspace is `workspace` (a safe name). */
export function agentDirs(dataDir: string, workspace: string): AgentDirs {
  return {
    workspace: join(dataDir, 'agents', workspace, 'workspace'),
    home: join(dataDir, 'agents', workspace, 'home'),
    global: globalDir(dataDir),
    secrets: join(dataDir, 'agents', workspace, 'secrets'),
  };
}

/** The folder shared by all agents. */
export function globalDir(dataDir: string): string {
  return join(dataDir, 'global');
}
