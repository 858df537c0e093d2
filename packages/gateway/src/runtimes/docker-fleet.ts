/**
 * The Docker runtime over every host of `docker.hosts`: one {@link DockerRuntime} per daemon (its own volumes,
 * networks, shared volume and secret files there), and each agent sent to the host that holds its state, or
 * placed by the rule of docker-placement.ts. A host that is away or slow affects only the agents on it.
 */
import { messageOf } from '@praktor/protocol';
import type { ResolvedAgent } from '../config/index.js';
import { DockerRuntime } from './docker.js';
import { type DockerHost, hostProblem } from './docker-hosts.js';
import { DockerPlacement, type HostStanding, leastBusy } from './docker-placement.js';
import { IMAGE_EMBEDDING_MODEL_DIR } from './embedding-model.js';
import type { AgentRef, Runtime, Sandbox, SandboxSpec } from './runtime.js';

/** How long placement waits for each host to answer. */
const PLACEMENT_PING_MS = 3_000;

/** What the fleet needs. */
export interface DockerFleetOptions {
  dataDir: string;
  prefix: string;
  agent: (agentId: string) => ResolvedAgent;
  hosts: DockerHost[];
}

/** One host and the runtime that serves it. */
export interface FleetMember {
  host: DockerHost;
  runtime: DockerRuntime;
  /** This gateway's agents running there. */
  running: Set<string>;
}

/** Runs each agent in a container on its Docker host. */
export class DockerFleet implements Runtime {
  readonly name = 'docker';
  readonly confinement: string;
  readonly members: FleetMember[];
  private readonly placement: DockerPlacement;
  /** Agents being placed now, so that two starts of one agent agree on a host. */
  private readonly placing = new Map<string, Promise<FleetMember>>();

  constructor(private readonly opts: DockerFleetOptions) {
    const named = opts.hosts.length > 1;
    this.members = opts.hosts.map((host) => ({
      host,
      runtime: new DockerRuntime({
        dataDir: opts.dataDir,
        prefix: opts.prefix,
        agent: opts.agent,
        docker: host.api,
        streams: host.streams,
        ...(named || host.name !== 'local' ? { daemon: { name: host.name, url: host.url } } : {}),
      }),
      running: new Set(),
    }));
    this.confinement = this.members[0]?.runtime.confinement ?? 'docker';
    this.placement = new DockerPlacement(opts.dataDir);
  }

  /** Null when at least one host answers within `timeoutMs`, else why none does. */
  async unreachable(timeoutMs: number): Promise<string | null> {
    const problems = await Promise.all(this.members.map((m) => hostProblem(m.host, timeoutMs)));
    if (problems.some((problem) => problem === null)) return null;
    return problems.join('; ');
  }

  /** Removes the containers an earlier run left on every host that answers; returns them as `host/name`. */
  async removeLeftovers(timeoutMs: number): Promise<{ removed: string[]; problems: string[] }> {
    const outcomes = await Promise.all(
      this.members.map(async (member) => {
        const problem = await hostProblem(member.host, timeoutMs);
        if (problem !== null) return { removed: [], problems: [problem] };
        try {
          const names = await member.runtime.removeLeftovers();
          return { removed: names.map((name) => `${member.host.name}/${name}`), problems: [] };
        } catch (err) {
          return { removed: [], problems: [`${member.host.name}: ${messageOf(err)}`] };
        }
      }),
    );
    return {
      removed: outcomes.flatMap((o) => o.removed),
      problems: outcomes.flatMap((o) => o.problems),
    };
  }

  async start(spec: SandboxSpec): Promise<Sandbox> {
    const member = await this.memberFor(spec.agentId, true);
    if (member === null) throw new Error(`agent ${spec.agentId} has no Docker host`);
    const sandbox = await member.runtime.start(spec);
    member.running.add(spec.agentId);
    void sandbox.exited.then(() => member.running.delete(spec.agentId));
    return sandbox;
  }

  async readWorkspaceFile(agent: AgentRef, name: string): Promise<string | null> {
    const member = await this.memberFor(agent.agentId, false);
    return member === null ? null : member.runtime.readWorkspaceFile(agent, name);
  }

  async writeWorkspaceFile(agent: AgentRef, name: string, content: string): Promise<void> {
    const member = await this.memberFor(agent.agentId, true);
    await member?.runtime.writeWorkspaceFile(agent, name, content);
  }

  async saveUpload(agent: AgentRef, name: string, content: Buffer): Promise<string> {
    const member = await this.memberFor(agent.agentId, true);
    if (member === null) throw new Error(`agent ${agent.agentId} has no Docker host`);
    return member.runtime.saveUpload(agent, name, content);
  }

  /** Every member is a Docker runtime: each agent with nix_enabled has a nix store of its own. */
  nixProblem(): string | null {
    return null;
  }

  /** The copy in the image, on every host alike. */
  embeddingModelDir(): string {
    return IMAGE_EMBEDDING_MODEL_DIR;
  }

  /** Copies the shared files to every host where an agent has started; a host that is away misses this copy only. */
  async publishSharedFiles(): Promise<void> {
    const outcomes = await Promise.allSettled(this.members.map((m) => m.runtime.publishSharedFiles()));
    const problems = outcomes.flatMap((o) => (o.status === 'rejected' ? [messageOf(o.reason)] : []));
    if (problems.length > 0) throw new Error(problems.join('; '));
  }

  /** The member called `name`, or an error listing the hosts. */
  member(name: string): FleetMember {
    const found = this.members.find((m) => m.host.name === name);
    if (found === undefined) {
      const names = this.members.map((m) => m.host.name).join(', ');
      throw new Error(`no Docker host "${name}" (docker.hosts: ${names})`);
    }
    return found;
  }

  /**
   * The host holding agent `agentId`'s state: the recorded one, else the one whose volumes it finds (every host must
   * answer for that), else null.
   */
  async stateHost(agentId: string): Promise<FleetMember | null> {
    const recorded = this.placement.hostOf(agentId);
    if (recorded !== null) return this.member(recorded);
    const workspace = this.opts.agent(agentId).workspace;
    const holders = await Promise.all(
      this.members.map(async (member) => {
        const problem = await hostProblem(member.host, PLACEMENT_PING_MS);
        if (problem !== null) throw new Error(`cannot tell where agent ${agentId} lives: ${problem}`);
        return (await member.runtime.hasWorkspace(workspace)) ? member : null;
      }),
    );
    return holders.find((member) => member !== null) ?? null;
  }

  /** Records that agent `agentId`'s state is on host `name` now. */
  recordHost(agentId: string, name: string): void {
    this.member(name);
    this.placement.record(agentId, name);
  }

  /**
   * The host of agent `agentId`: where its state is, else (with `place`) where the rule puts it, recorded; null
   * when it has none and `place` is false. Throws, saying so, when the host it must use cannot be used.
   */
  async memberFor(agentId: string, place: boolean): Promise<FleetMember | null> {
    const agent = this.opts.agent(agentId);
    const recorded = this.placement.hostOf(agentId);
    if (agent.host !== null && recorded !== null && recorded !== agent.host) {
      throw new Error(
        `agent ${agentId} is pinned to the Docker host "${agent.host}" (agents.${agentId}.host), but its memory and ` +
          `conversation are on "${recorded}": move them with \`praktor agent move ${agentId} --to ${agent.host}\`, ` +
          `or pin it to "${recorded}"`,
      );
    }
    // With one host there is nothing to choose: its own errors (no daemon, no image) say best what is wrong.
    const only = this.members.length === 1 ? (this.members[0]?.host.name ?? null) : null;
    const chosen = agent.host ?? recorded ?? only;
    if (chosen !== null) {
      const member = this.member(chosen);
      if (member.host.problem !== null) throw new Error(member.host.problem);
      if (recorded === null && place) this.placement.record(agentId, chosen);
      return member;
    }
    const pending = this.placing.get(agentId);
    if (pending) return pending;
    const placing = this.place(agent, place);
    if (!place) return placing;
    const recording = placing.then((member) => {
      if (member === null) throw new Error(`agent ${agentId} has no Docker host`);
      return member;
    });
    this.placing.set(agentId, recording);
    try {
      return await recording;
    } finally {
      this.placing.delete(agentId);
    }
  }

  /**
   * Places an agent that has no recorded host: on the host that holds its volumes (an installation from before
   * `docker.hosts`), else by the rule; recorded when `record`.
   */
  private async place(agent: ResolvedAgent, record: boolean): Promise<FleetMember | null> {
    const standings = await Promise.all(
      this.members.map(async (member): Promise<HostStanding & { holds: boolean }> => {
        const base = { name: member.host.name, running: member.running.size, holds: false };
        const problem = await hostProblem(member.host, PLACEMENT_PING_MS);
        if (problem !== null) return { ...base, problem };
        try {
          const [holds, image] = await Promise.all([
            member.runtime.hasWorkspace(agent.workspace),
            member.runtime.hasImage(agent.image),
          ]);
          return {
            ...base,
            holds,
            problem: image ? null : `the Docker host "${member.host.name}" lacks the image ${agent.image}`,
          };
        } catch (err) {
          return { ...base, problem: messageOf(err) };
        }
      }),
    );
    const holder = standings.find((s) => s.holds);
    const chosen = holder ?? (record ? leastBusy(standings) : null);
    if (chosen === null || chosen === undefined) {
      if (!record) return null;
      throw new Error(
        `no Docker host can run agent ${agent.id}: ${standings.map((s) => s.problem).join('; ')}`,
      );
    }
    if (record) this.placement.record(agent.id, chosen.name);
    return this.member(chosen.name);
  }
}
