/**
 * `praktor doctor` for each Docker host of `docker.hosts`: whether it answers, its Docker version, CPUs and memory,
 * which agents run there and what their containers use (memory, CPU), whether it has the images of the agents that may run there, and whether its clock agrees
 * with this machine's.
 */
import { type DoctorCheck, formatBytes, type HostLoad, messageOf } from '@praktor/protocol';
import { type Config, resolveAgent } from '../config/index.js';
import { unless404 } from '../runtimes/docker-api.js';
import { type DockerHost, dockerHostsOf, hostProblem } from '../runtimes/docker-hosts.js';
import { hostLoad } from '../runtimes/docker-load.js';
import { AGENT_LABEL, DockerNames } from '../runtimes/docker-names.js';
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
  const problem = await hostProblem(host, timeoutMs);
  if (problem !== null) {
    return {
      id,
      label,
      status: 'fail',
      detail: problem,
      fix: `start the daemon at ${host.url}, or check the network and its TLS files (docker.hosts.${host.name}); its agents cannot start meanwhile`,
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
    const images = imagesFor(config, host.name);
    const missing: string[] = [];
    for (const image of images) {
      if ((await unless404(host.api.getImage(image).inspect())) === null) missing.push(image);
    }
    const skew = info.SystemTime ? Math.round((Date.now() - Date.parse(info.SystemTime)) / 1000) : null;
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
    if (missing.length > 0) {
      return {
        id,
        label,
        ...withLoad,
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
        status: 'warn',
        detail: `${found}; its clock is ${Math.abs(skew)} s ${skew > 0 ? 'behind' : 'ahead of'} this machine's`,
        fix: 'synchronise both clocks (NTP: systemd-timesyncd, chrony)',
      };
    }
    return {
      id,
      label,
      ...withLoad,
      status: 'ok',
      detail: `${found}; has ${images.join(', ')}; clock within ${Math.max(1, Math.abs(skew ?? 0))} s`,
      fix: null,
    };
  } catch (err) {
    return { id, label, status: 'fail', detail: messageOf(err), fix: `check the daemon at ${host.url}` };
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
