/**
 * `praktor doctor` for each Docker host of `docker.hosts`: whether it answers, its Docker version, CPUs and memory,
 * which agents run there and what their containers use (memory, CPU), whether it has the images of the agents that
 * may run there, and whether its clock agrees with this machine's; in a sentence for the doctor and as fields
 * (`host`) for Mission Control's hosts view.
 */
import {
  type DockerHostReading,
  type DoctorCheck,
  formatBytes,
  type HostAgent,
  type HostLoad,
  messageOf,
} from '@praktor/protocol';
import { type Config, resolveAgent } from '../config/index.js';
import { unless404 } from '../runtimes/docker-api.js';
import { type DockerHost, dockerHostsOf, hostProblem } from '../runtimes/docker-hosts.js';
import { hostLoad } from '../runtimes/docker-load.js';
import { AGENT_LABEL, DockerNames } from '../runtimes/docker-names.js';
import { DockerPlacement } from '../runtimes/docker-placement.js';
import { vaultHostSecrets } from '../vault/host-secrets.js';

/** How far a host's clock may be from this machine's before containers' times (and logs) visibly disagree. */
const HOST_CLOCK_SKEW_S = 60;

/** One check per host that `docker.hosts` names; none when it names none. */
export async function dockerHostChecks(config: Config, timeoutMs: number): Promise<DoctorCheck[]> {
  if (Object.keys(config.docker.hosts).length === 0) return [];
  const secrets = await vaultHostSecrets(config);
  const hosts = dockerHostsOf(config, secrets);
  return Promise.all(hosts.map((host) => hostCheck(config, host, timeoutMs)));
}

async function hostCheck(config: Config, host: DockerHost, timeoutMs: number): Promise<DoctorCheck> {
  const id = `docker_host_${host.name}`;
  const label = `Docker host ${host.name}`;
  const images = imagesFor(config, host.name);
  const unread = {
    name: host.name,
    url: host.url,
    version: null,
    cpus: null,
    memory_total_bytes: null,
    clock_skew_s: null,
    images: images.map((name) => ({ name, present: null })),
    agents: agentsOn(config, host.name, new Set()),
    read_at: Date.now(),
  };
  const problem = await hostProblem(host, timeoutMs);
  if (problem !== null) {
    return {
      id,
      label,
      status: 'fail',
      detail: problem,
      fix: `start the daemon at ${host.url}, or check the network and its TLS files (docker.hosts.${host.name}); its agents cannot start meanwhile`,
      host: { ...unread, problem },
    };
  }
  // Read beside the other calls, and never failing the check: the load is news, not a fault.
  const loading = hostLoad(host, new DockerNames(config.docker.prefix), timeoutMs).catch(() => undefined);
  try {
    const info = (await host.api.info()) as {
      ServerVersion?: string;
      SystemTime?: string;
      NCPU?: number;
      MemTotal?: number;
    };
    const running = await runningAgents(config, host);
    const missing: string[] = [];
    for (const image of images) {
      if ((await unless404(host.api.getImage(image).inspect())) === null) missing.push(image);
    }
    const hostTime = Date.parse(info.SystemTime ?? '');
    // A time the daemon does not give, or gives in a form Date cannot read, is no skew to report.
    const skew = Number.isFinite(hostTime) ? Math.round((Date.now() - hostTime) / 1000) : null;
    const size =
      info.NCPU && info.MemTotal
        ? ` (${info.NCPU} CPUs, ${(info.MemTotal / 2 ** 30).toFixed(1)} GB memory)`
        : '';
    const load = await loading;
    const found =
      `Docker ${info.ServerVersion ?? '?'} at ${host.url}${size}; ` +
      (running.length > 0
        ? `running ${running.join(', ')}${describeLoad(load, timeoutMs)}`
        : 'no agent running');
    const withLoad = load === undefined ? {} : { load };
    const reading: DockerHostReading = {
      ...unread,
      problem: null,
      version: info.ServerVersion ?? null,
      cpus: info.NCPU ?? null,
      memory_total_bytes: info.MemTotal ?? null,
      clock_skew_s: skew,
      images: images.map((name) => ({ name, present: !missing.includes(name) })),
      agents: agentsOn(config, host.name, new Set(running)),
      read_at: Date.now(),
    };
    if (missing.length > 0) {
      return {
        id,
        label,
        ...withLoad,
        host: reading,
        status: 'fail',
        detail: `${found}; missing the image ${missing.join(', ')}`,
        fix: missing.map((image) => `praktor image build --tag ${image} --host ${host.name}`).join('; '),
      };
    }
    if (skew !== null && Math.abs(skew) > HOST_CLOCK_SKEW_S) {
      return {
        id,
        label,
        ...withLoad,
        host: reading,
        status: 'warn',
        detail: `${found}; its clock is ${Math.abs(skew)} s ${skew > 0 ? 'behind' : 'ahead of'} this machine's`,
        fix: 'synchronise both clocks (NTP: systemd-timesyncd, chrony)',
      };
    }
    return {
      id,
      label,
      ...withLoad,
      host: reading,
      status: 'ok',
      detail: `${found}; has ${images.join(', ')}; clock within ${Math.max(1, Math.abs(skew ?? 0))} s`,
      fix: null,
    };
  } catch (err) {
    const detail = messageOf(err);
    return {
      id,
      label,
      status: 'fail',
      detail,
      fix: `check the daemon at ${host.url}`,
      host: { ...unread, problem: detail },
    };
  }
}

/**
 * The agents pinned to host `name`, those whose state is recorded there and those `running` there, in config order
 * (a running agent no longer configured last).
 */
function agentsOn(config: Config, name: string, running: ReadonlySet<string>): HostAgent[] {
  const placed = placedOn(config, name);
  const ids = [...new Set([...Object.keys(config.agents), ...running])];
  return ids.flatMap((agentId) => {
    const agent = {
      id: agentId,
      pinned: Object.hasOwn(config.agents, agentId) && resolveAgent(config, agentId).host === name,
      placed: placed.has(agentId),
      running: running.has(agentId),
    };
    return agent.pinned || agent.placed || agent.running ? [agent] : [];
  });
}

/** The agents whose state the placement file records on host `name`; none when the file cannot be read (the
 * gateway says why when it places an agent). */
function placedOn(config: Config, name: string): Set<string> {
  const placement = new DockerPlacement(config.dataDir);
  try {
    return new Set(Object.keys(config.agents).filter((agentId) => placement.hostOf(agentId) === name));
  } catch {
    return new Set();
  }
}

/** ` (312 MB memory, 4.5% CPU)`, or nothing when the load could not be read. */
function describeLoad(load: HostLoad | undefined, timeoutMs: number): string {
  if (load === undefined || load.containers === load.unread) return '';
  const unread =
    load.unread > 0
      ? `; ${load.unread} container${load.unread === 1 ? '' : 's'} not read within ${timeoutMs / 1000} s`
      : '';
  return ` (${formatBytes(load.memory_bytes)} memory, ${load.cpu_percent}% CPU${unread})`;
}

/** The agents of this installation with a running container on `host` (a swarm member's counts as its agent's). */
async function runningAgents(config: Config, host: DockerHost): Promise<string[]> {
  const names = new DockerNames(config.docker.prefix);
  const containers = await host.api.listContainers({ filters: names.filter });
  return [
    ...new Set(containers.flatMap((c) => (c.Labels[AGENT_LABEL] ? [c.Labels[AGENT_LABEL]] : []))),
  ].sort();
}

/** The images of the agents that may run on host `name`: those pinned there and those placed by the rule. */
export function imagesFor(config: Config, name: string): string[] {
  const agents = Object.keys(config.agents).map((id) => resolveAgent(config, id));
  const there = agents.filter((agent) => agent.host === null || agent.host === name);
  return [...new Set(there.map((agent) => agent.image))];
}
