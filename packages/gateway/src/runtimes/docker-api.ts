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
const UNREACHABLE = new Set(['ENOENT', 'ECONNREFUSED', 'EACCES', 'ETIMEDOUT', 'ECONNRESET', 'EHOSTUNREACH']);

/** Where the daemon is, for messages. */
function daemonAddress(): string {
  return process.env.DOCKER_HOST || '/var/run/docker.sock';
}

/**
 * Turns a failed Engine API call into an error a user can act on: an unreachable daemon is said so; anything else
 * keeps the daemon's own message.
 */
export function explainDockerError(err: unknown): Error {
  const code = (err as NodeJS.ErrnoException).code;
  if (code !== undefined && UNREACHABLE.has(code)) {
    return new Error(
      `Docker is not reachable at ${daemonAddress()} (${code}): start the Docker daemon, or set runtime: local`,
    );
  }
  const json = (err as { json?: { message?: string } }).json;
  return new Error(json?.message ?? messageOf(err));
}
