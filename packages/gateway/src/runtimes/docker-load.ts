/**
 * What an installation's containers use on one Docker host: each running container's stats read once
 * (`stream=false`), all at the same time, each given at most a deadline, so that a slow host or container shows as
 * unread instead of holding up the doctor or Mission Control.
 */
import type { HostLoad } from '@praktor/protocol';
import { type DockerHost, within } from './docker-hosts.js';
import type { DockerNames } from './docker-names.js';

/** The parts of the Engine API's container stats that the load is made of. */
interface ContainerStats {
  cpu_stats?: { cpu_usage?: { total_usage?: number }; system_cpu_usage?: number; online_cpus?: number };
  precpu_stats?: { cpu_usage?: { total_usage?: number }; system_cpu_usage?: number };
  memory_stats?: { usage?: number; stats?: Record<string, number> };
}

/** The load of `names`' running containers on `host`; rejects only when the host cannot list its containers. */
export async function hostLoad(host: DockerHost, names: DockerNames, timeoutMs: number): Promise<HostLoad> {
  const containers = await within(host.api.listContainers({ filters: names.filter }), timeoutMs);
  const readings = await Promise.all(
    containers.map((c) =>
      within(
        host.api.getContainer(c.Id).stats({ stream: false }) as Promise<ContainerStats>,
        timeoutMs,
      ).catch(() => null),
    ),
  );
  const read = readings.filter((stats) => stats !== null);
  return {
    containers: containers.length,
    memory_bytes: read.reduce((sum, stats) => sum + memoryOf(stats), 0),
    cpu_percent: Math.round(read.reduce((sum, stats) => sum + cpuOf(stats), 0) * 10) / 10,
    unread: containers.length - read.length,
  };
}

/** Memory in use as `docker stats` counts it: the usage less the inactive page cache (cgroup v2, else v1). */
function memoryOf(stats: ContainerStats): number {
  const usage = stats.memory_stats?.usage ?? 0;
  const detail = stats.memory_stats?.stats ?? {};
  const cache = detail.inactive_file ?? detail.total_inactive_file ?? 0;
  return Math.max(0, usage - cache);
}

/** CPU use between the two samples the daemon takes, in percent of one CPU, as `docker stats` counts it. */
function cpuOf(stats: ContainerStats): number {
  const now = stats.cpu_stats;
  const before = stats.precpu_stats;
  const used = (now?.cpu_usage?.total_usage ?? 0) - (before?.cpu_usage?.total_usage ?? 0);
  const system = (now?.system_cpu_usage ?? 0) - (before?.system_cpu_usage ?? 0);
  if (used <= 0 || system <= 0) return 0;
  return (used / system) * (now?.online_cpus ?? 1) * 100;
}
