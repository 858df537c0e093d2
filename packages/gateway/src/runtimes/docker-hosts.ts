/**
 * The Docker daemons agents may run on (`docker.hosts`), each reached by a client of its own: `local` (DOCKER_HOST,
 * else the socket) unless the configuration redefines it, and every host it names, over TCP with mutual TLS, over
 * SSH, or over a Unix socket. TLS files come from paths on this machine or from the vault (`secret:NAME`).
 */
import { readFileSync } from 'node:fs';
import { messageOf } from '@praktor/protocol';
import Docker from 'dockerode';
import { type Config, LOCAL_DOCKER_HOST } from '../config/index.js';
import type { DaemonRef } from './docker-api.js';

/**
 * The longest an ordinary Engine API call may go without a byte moving before it fails: a host that hangs must not
 * hold an agent's start, or the gateway's, for longer.
 */
export const DOCKER_CALL_TIMEOUT_MS = 30_000;
/** The longest connecting to a daemon may take. */
export const DOCKER_CONNECT_TIMEOUT_MS = 5_000;

/** One Docker daemon agents may run on. */
export interface DockerHost extends DaemonRef {
  labels: Record<string, string>;
  /** Ordinary calls (create, inspect, archives), each failing after {@link DOCKER_CALL_TIMEOUT_MS} of silence. */
  api: Docker;
  /** Calls that wait as long as a container runs (attach, wait): only connecting is timed. */
  streams: Docker;
  /** Why the host cannot be used at all (a TLS file that cannot be read), or null. */
  problem: string | null;
}

/** Reads a vault secret by name; throws with a message when it cannot. */
export type SecretReader = (name: string) => Buffer;

/** The address of the local daemon, for messages. */
export function localDockerUrl(): string {
  return process.env.DOCKER_HOST || 'unix:///var/run/docker.sock';
}

/** The hosts of `config`, `local` first, then in the order written. */
export function dockerHostsOf(config: Config, secret: SecretReader): DockerHost[] {
  const configured = config.docker.hosts;
  const hosts: DockerHost[] = [];
  if (!Object.hasOwn(configured, LOCAL_DOCKER_HOST)) {
    hosts.push({
      name: LOCAL_DOCKER_HOST,
      url: localDockerUrl(),
      labels: {},
      api: client({}, DOCKER_CALL_TIMEOUT_MS),
      streams: client({}, null),
      problem: null,
    });
  }
  for (const [name, host] of Object.entries(configured)) {
    let options: Docker.DockerOptions;
    let problem: string | null = null;
    try {
      options = clientOptions(host.url, host.tls ?? {}, secret);
    } catch (err) {
      problem = `the Docker host "${name}" cannot be used: ${messageOf(err)}`;
      options = {};
    }
    hosts.push({
      name,
      url: host.url,
      labels: host.labels,
      api: client(options, DOCKER_CALL_TIMEOUT_MS),
      streams: client(options, null),
      problem,
    });
  }
  return hosts;
}

/**
 * A client of the daemon `options` reach: connecting times out after {@link DOCKER_CONNECT_TIMEOUT_MS}, a call after
 * `idleMs` without a byte (null: never). Left without an address, DOCKER_HOST or the socket.
 */
function client(options: Docker.DockerOptions, idleMs: number | null): Docker {
  // docker-modem reads `connectionTimeout`, which dockerode's types do not list.
  const timeouts = { connectionTimeout: DOCKER_CONNECT_TIMEOUT_MS, ...(idleMs ? { timeout: idleMs } : {}) };
  return new Docker({ ...options, ...timeouts } as Docker.DockerOptions);
}

/** What dockerode needs to reach the daemon at `url`. */
function clientOptions(
  url: string,
  tls: { ca?: string | undefined; cert?: string | undefined; key?: string | undefined },
  secret: SecretReader,
): Docker.DockerOptions {
  const parsed = new URL(url);
  if (parsed.protocol === 'unix:') return { socketPath: decodeURIComponent(parsed.pathname) };
  if (parsed.protocol === 'ssh:') {
    return {
      protocol: 'ssh',
      host: parsed.hostname,
      port: parsed.port || 22,
      ...(parsed.username ? { username: decodeURIComponent(parsed.username) } : {}),
      // The SSH agent holds the key, as it does for `docker -H ssh://…`.
      sshOptions: process.env.SSH_AUTH_SOCK ? { agent: process.env.SSH_AUTH_SOCK } : {},
    };
  }
  const files = {
    ca: tls.ca ? credential(tls.ca, secret) : undefined,
    cert: tls.cert ? credential(tls.cert, secret) : undefined,
    key: tls.key ? credential(tls.key, secret) : undefined,
  };
  const secure = files.ca !== undefined || files.cert !== undefined;
  if (secure && (files.cert === undefined) !== (files.key === undefined)) {
    throw new Error('tls needs both cert and key (the client certificate and its private key)');
  }
  return {
    protocol: secure ? 'https' : 'http',
    host: parsed.hostname,
    port: parsed.port || (secure ? 2376 : 2375),
    ...(files.ca ? { ca: files.ca } : {}),
    ...(files.cert ? { cert: files.cert } : {}),
    ...(files.key ? { key: files.key } : {}),
  };
}

/** The bytes of a TLS file named by path or as `secret:NAME`. */
function credential(source: string, secret: SecretReader): Buffer {
  if (source.startsWith('secret:')) return secret(source.slice('secret:'.length));
  try {
    return readFileSync(source);
  } catch (err) {
    throw new Error(`cannot read ${source}: ${messageOf(err)}`);
  }
}

/**
 * `request` to a Docker host, or a rejection (code `ETIMEDOUT`) after `ms`: a slow host must not hold up what asks
 * it.
 */
export function within<T>(request: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(Object.assign(new Error('no answer'), { code: 'ETIMEDOUT' })), ms);
  });
  return Promise.race([request, late]).finally(() => clearTimeout(timer));
}

/** Null when `host` answers a ping within `timeoutMs`, else why not. */
export async function hostProblem(host: DockerHost, timeoutMs: number): Promise<string | null> {
  if (host.problem !== null) return host.problem;
  try {
    await within(host.api.ping(), timeoutMs);
    return null;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    return `the Docker host "${host.name}" (${host.url}) does not answer${code ? ` (${code})` : `: ${messageOf(err)}`}`;
  }
}
