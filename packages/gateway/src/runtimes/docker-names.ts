/**
 * How one Praktor installation names and labels its Docker objects, and where things are inside an agent's
 * container. Every name starts with the installation's prefix (`docker.prefix`, default `praktor`), so several
 * installations — or several test files — share a daemon without touching each other's containers and volumes.
 */
import { randomBytes } from 'node:crypto';

/** Where the agent's workspace volume is mounted; also the runner's working folder. */
export const WORKSPACE_PATH = '/workspace/agent';
/** Where the shared volume (USER.md, CLAUDE.md) is mounted, read-only. */
export const GLOBAL_PATH = '/workspace/global';
/** The agent user's home, a volume of its own: Claude Code keeps its sessions in `.claude` there. */
export const HOME_PATH = '/home/praktor';

/** Where an agent with nix_enabled has its own nix store, a volume of its own. */
export const NIX_PATH = '/nix';

/** Label on everything Praktor creates. */
export const MANAGED_LABEL = 'praktor.managed';
/** Label naming the installation (its prefix). */
export const INSTALLATION_LABEL = 'praktor.installation';
/** Label naming the agent a container runs. */
export const AGENT_LABEL = 'praktor.agent';
/** Labels naming the swarm run (its whole id) and the role a swarm member's container works for. */
export const SWARM_LABEL = 'praktor.swarm';
export const SWARM_ROLE_LABEL = 'praktor.swarm.role';

/** The names of one installation's containers, volumes and network. */
export class DockerNames {
  constructor(readonly prefix: string) {}

  /** The container of agent `agentId`. */
  container(agentId: string): string {
    return `${this.prefix}-agent-${agentId}`;
  }

  /** The workspace volume of a (safe) workspace name. */
  workspaceVolume(workspace: string): string {
    return `${this.prefix}-wk-${workspace}`;
  }

  /** The home volume of a (safe) workspace name. */
  homeVolume(workspace: string): string {
    return `${this.prefix}-home-${workspace}`;
  }

  /** The nix store volume of a (safe) workspace name, for agents with nix_enabled. */
  nixVolume(workspace: string): string {
    return `${this.prefix}-nix-${workspace}`;
  }

  /** The volume every agent shares, read-only. */
  get globalVolume(): string {
    return `${this.prefix}-global`;
  }

  /** Praktor's own bridge network, the default for agents. */
  get network(): string {
    return `${this.prefix}-net`;
  }

  /** A new name for a short-lived helper container (volume file access). */
  helper(): string {
    return `${this.prefix}-helper-${randomBytes(4).toString('hex')}`;
  }

  /** Labels marking an object as this installation's, plus `extra`. */
  labels(extra: Record<string, string> = {}): Record<string, string> {
    return { [MANAGED_LABEL]: 'true', [INSTALLATION_LABEL]: this.prefix, ...extra };
  }

  /** A Docker list filter matching this installation's objects. */
  get filter(): { label: string[] } {
    return { label: [`${MANAGED_LABEL}=true`, `${INSTALLATION_LABEL}=${this.prefix}`] };
  }
}
