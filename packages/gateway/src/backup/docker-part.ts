/**
 * The Docker side of backups: whether an installation keeps agents' files in Docker volumes, and a handle on the
 * volumes of each Docker host it runs agents on (`docker.hosts`, with `local` unless redefined).
 */
import type { Config } from '../config/index.js';
import { LOCAL_DOCKER_HOST } from '../config/index.js';
import { type DockerHost, dockerHostsOf, hostProblem, type SecretReader } from '../runtimes/docker-hosts.js';
import { DockerNames } from '../runtimes/docker-names.js';
import { DockerVolumes } from '../runtimes/docker-volumes.js';

/** How long each host has to answer before a backup or restore says it is away. */
export const HOST_PING_MS = 5_000;

/** The secret reader for a backup or restore given none: no host may name a vault secret then. */
export function noSecrets(name: string): never {
  throw new Error(`the vault secret ${name} cannot be read here`);
}

/** One host's volumes and how to reach them. */
export interface HostVolumes {
  host: DockerHost;
  volumes: DockerVolumes;
}

/** An installation's volumes on its hosts. */
export interface VolumeAccess {
  names: DockerNames;
  /** The image whose helper containers copy volumes (each host needs it). */
  image: string;
  /** The hosts that answered, `local` first, then in the configuration's order. */
  hosts: HostVolumes[];
}

/** Whether agents of `config` may run in Docker (then their workspaces and homes are volumes). */
export function usesDocker(config: Config): boolean {
  return runtimeKinds(config).some((kind) => kind === 'docker' || kind === 'auto');
}

function runtimeKinds(config: Config): (string | undefined)[] {
  return [config.defaults.runtime, ...Object.values(config.agents).map((agent) => agent.runtime)];
}

/**
 * The volumes of every host to back up, or null when agents run only locally, or run on `auto` and no Docker is
 * there (then they ran locally and have no volumes). The `local` daemon the configuration does not name may be
 * away on `auto`; a host that `docker.hosts` names, or any host with `runtime: docker`, must answer: a backup
 * that silently left out a host's agents would be found out only when it is needed. Rejects naming the hosts.
 */
export async function backupAccess(
  config: Config,
  image: string | undefined,
  secret: SecretReader,
): Promise<VolumeAccess | null> {
  if (!usesDocker(config)) return null;
  const strict = runtimeKinds(config).includes('docker');
  const hosts = dockerHostsOf(config, secret);
  const problems = await Promise.all(hosts.map((host) => hostProblem(host, HOST_PING_MS)));
  const away: string[] = [];
  const reached: DockerHost[] = [];
  hosts.forEach((host, i) => {
    const problem = problems[i] ?? null;
    if (problem === null) reached.push(host);
    else if (strict || Object.hasOwn(config.docker.hosts, host.name)) away.push(problem);
  });
  if (away.length > 0) {
    throw new Error(`${away.join('; ')}: its volumes cannot be backed up; start it, or check docker.hosts`);
  }
  if (reached.length === 0) return null;
  return accessTo(config, image, reached);
}

/** The volumes of `hosts`, which answered. */
export function accessTo(config: Config, image: string | undefined, hosts: DockerHost[]): VolumeAccess {
  const names = new DockerNames(config.docker.prefix);
  return {
    names,
    image: image ?? config.defaults.image,
    hosts: hosts.map((host) => ({ host, volumes: new DockerVolumes(host.api, names) })),
  };
}

/** The host an archive's volume goes back to: its own, or `local` for an archive from before hosts. */
export function hostOfVolume(host: string | null): string {
  return host ?? LOCAL_DOCKER_HOST;
}

/** A volume's name without the installation's prefix (`praktor-wk-main` → `wk-main`). */
export function volumeSuffix(names: DockerNames, volume: string): string {
  return volume.slice(names.prefix.length + 1);
}
