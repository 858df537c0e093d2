/**
 * `praktor image`: building the agent image that the Docker runtime runs.
 */

import { parseArgs } from 'node:util';
import { messageOf } from '@praktor/protocol';
import Docker from 'dockerode';
import { type Config, loadConfig } from '../config/index.js';
import { buildAgentImage, DEFAULT_BASE_IMAGE } from './agent-image.js';
import { dockerHostsOf, type SecretReader } from './docker-hosts.js';

/** The image agents run when `defaults.image` is not set. */
export const DEFAULT_AGENT_IMAGE = 'praktor-agent:latest';

export const IMAGE_USAGE = `Usage: praktor image build [--tag NAME] [--base IMAGE] [--host NAME] [--quiet]

Builds the agent image from this installation's runner and its dependencies (Claude Code included), with
the local embedding model of memory.embeddings.model_dir in praktor.yaml, if set, at /app/models/embedding.
  --tag NAME     the image to build (default ${DEFAULT_AGENT_IMAGE}, the default of defaults.image)
  --base IMAGE   the image to build on (default ${DEFAULT_BASE_IMAGE}); tests use the offline base
                 of images/base/build.sh
  --host NAME    build on the Docker host NAME of docker.hosts in praktor.yaml (default: the local daemon)
  --quiet        print only the tag

An image that is up to date (same runner, dependencies, Dockerfile, base and model) is not built again. Docker is
reached through DOCKER_HOST, or /var/run/docker.sock. See docs/docker.md.
`;

/**
 * Runs `praktor image <args>`; resolves with the exit code. `secrets` opens the vault when the host's TLS files are
 * vault secrets.
 */
export async function imageCommand(
  argv: string[],
  out: NodeJS.WritableStream = process.stdout,
  err: NodeJS.WritableStream = process.stderr,
  secrets: (config: Config) => Promise<SecretReader> = async () => (name) => {
    throw new Error(`the vault secret ${name} cannot be read here`);
  },
): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined || command === 'help' || command === '--help' || command === '-h') {
    out.write(IMAGE_USAGE);
    return command === undefined ? 1 : 0;
  }
  // Help anywhere after the command shows the usage and builds nothing.
  if (rest.some((arg) => arg === '--help' || arg === '-h' || arg === 'help')) {
    out.write(IMAGE_USAGE);
    return 0;
  }
  if (command !== 'build') {
    err.write(`praktor image: unknown command "${command}"\n\n${IMAGE_USAGE}`);
    return 1;
  }
  let values: { tag?: string; base?: string; host?: string; quiet?: boolean };
  try {
    ({ values } = parseArgs({
      args: rest,
      options: {
        tag: { type: 'string' },
        base: { type: 'string' },
        host: { type: 'string' },
        quiet: { type: 'boolean' },
      },
      strict: true,
    }));
  } catch (e) {
    err.write(`praktor image build: ${messageOf(e)}\n\n${IMAGE_USAGE}`);
    return 1;
  }
  const quiet = values.quiet ?? false;
  try {
    const config = loadConfig().config;
    const docker = await daemonFor(config, values.host, secrets);
    const embeddingModel = config.memory.embeddings.model_dir;
    const result = await buildAgentImage(docker, {
      tag: values.tag ?? DEFAULT_AGENT_IMAGE,
      base: values.base ?? DEFAULT_BASE_IMAGE,
      onProgress: quiet ? undefined : (line) => err.write(`${line}\n`),
      ...(embeddingModel ? { embeddingModel } : {}),
    });
    if (!quiet) {
      const { Size } = await docker.getImage(result.tag).inspect();
      const size = `${(Size / 1e9).toFixed(2)} GB`;
      err.write(
        result.built
          ? `built ${result.tag} (${size}) in ${(result.ms / 1000).toFixed(1)} s\n`
          : `${result.tag} (${size}) is up to date\n`,
      );
    }
    out.write(`${result.tag}\n`);
    return 0;
  } catch (e) {
    err.write(`praktor image build: ${messageOf(e)}\n`);
    return 1;
  }
}

/** The daemon to build on: the local one, or host `name` of the configuration's `docker.hosts`. */
async function daemonFor(
  config: Config,
  name: string | undefined,
  secrets: (config: Config) => Promise<SecretReader>,
): Promise<Docker> {
  if (name === undefined) return new Docker();
  const hosts = dockerHostsOf(config, await secrets(config));
  const host = hosts.find((h) => h.name === name);
  if (host === undefined) {
    throw new Error(`no Docker host "${name}" (docker.hosts: ${hosts.map((h) => h.name).join(', ')})`);
  }
  if (host.problem !== null) throw new Error(host.problem);
  // A build sends nothing for long stretches while a step runs: the client without the idle timeout.
  return host.streams;
}
