/**
 * The Docker side of backups: whether an installation keeps agents' files in Docker volumes, and a handle on them.
 */
import Docker from 'dockerode';
import type { Config } from '../config/index.js';
import { explainDockerError } from '../runtimes/docker-api.js';
import { DockerNames } from '../runtimes/docker-names.js';
import { DockerVolumes } from '../runtimes/docker-volumes.js';

/** An installation's volumes and how to reach them. */
export interface VolumeAccess {
  volumes: DockerVolumes;
  names: DockerNames;
  /** The image whose helper containers copy volumes. */
  image: string;
}

/** Whether agents of `config` may run in Docker (then their workspaces and homes are volumes). */
export function usesDocker(config: Config): boolean {
  const kinds = [config.defaults.runtime, ...Object.values(config.agents).map((agent) => agent.runtime)];
  return kinds.some((kind) => kind === 'docker' || kind === 'auto');
}

/**
 * The installation's volumes, or null when its agents run only locally, or run on `auto` and Docker is not there
 * (then they ran locally and have no volumes). Rejects with the fix when Docker is `required` (volumes are to be
 * restored) or `runtime: docker` is configured, and Docker does not answer.
 */
export async function volumeAccess(
  config: Config,
  image: string | undefined,
  required = false,
): Promise<VolumeAccess | null> {
  if (!required && !usesDocker(config)) return null;
  const docker = new Docker();
  try {
    await docker.ping();
  } catch (err) {
    const kinds = [config.defaults.runtime, ...Object.values(config.agents).map((agent) => agent.runtime)];
    if (!required && !kinds.includes('docker')) return null;
    throw explainDockerError(err);
  }
  const names = new DockerNames(config.docker.prefix);
  return { volumes: new DockerVolumes(docker, names), names, image: image ?? config.defaults.image };
}

/** A volume's name without the installation's prefix (`praktor-wk-main` → `wk-main`). */
export function volumeSuffix(names: DockerNames, volume: string): string {
  return volume.slice(names.prefix.length + 1);
}
