/**
 * Talking to the Docker Engine API: the status of a failed call, "not found" as a value, and failures turned into
 * messages a user can act on.
 */
import { messageOf } from '@praktor/protocol';

/** The HTTP status of a failed Engine API call, if it has one. */
export function statusOf(err: unknown): number | undefined {
  return (err as { statusCode?: number }).statusCode;
}

/** What `call` resolves with, or null when the Engine API answers 404 (no such object); any other failure rejects. */
export async function unless404<T>(call: Promise<T>): Promise<T | null> {
  try {
    return await call;
  } catch (err) {
    if (statusOf(err) === 404) return null;
    throw err;
  }
}

/** Connection failures that mean the daemon is not there (as opposed to a request it refused). */
const UNREACHABLE = new Set([
  'ENOENT',
  'ECONNREFUSED',
  'EACCES',
  'ETIMEDOUT',
  'ECONNRESET',
  'EHOSTUNREACH',
  'EPIPE',
]);

/** Where the local daemon is, for messages. */
function daemonAddress(): string {
  return process.env.DOCKER_HOST || '/var/run/docker.sock';
}

/** Which daemon a call went to, for messages: a host of `docker.hosts` other than the local one. */
export interface DaemonRef {
  name: string;
  url: string;
}

/** Whether `err` says the daemon is not there (refused, reset, timed out), rather than that it refused a request. */
export function isUnreachable(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException).code;
  return code !== undefined && UNREACHABLE.has(code);
}

/**
 * Turns a failed Engine API call into an error a user can act on: an unreachable daemon is said so (naming the
 * Docker host `daemon` when it is one of `docker.hosts`); anything else keeps the daemon's own message.
 */
export function explainDockerError(err: unknown, daemon?: DaemonRef): Error {
  const code = (err as NodeJS.ErrnoException).code;
  if (code !== undefined && UNREACHABLE.has(code)) {
    if (daemon !== undefined) {
      return new Error(
        `the Docker host "${daemon.name}" (${daemon.url}) does not answer (${code}): start its daemon or check the network to it`,
      );
    }
    return new Error(
      `Docker is not reachable at ${daemonAddress()} (${code}): start the Docker daemon, or set runtime: local`,
    );
  }
  const json = (err as { json?: { message?: string } }).json;
  return new Error(json?.message ?? messageOf(err));
}
