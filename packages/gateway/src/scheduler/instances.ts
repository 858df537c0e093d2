/**
 * Whether a gateway recorded in the database is still running. Each gateway's scheduler registers itself and
 * beats every few seconds; this is what other gateways, `praktor restore` and `praktor doctor` read.
 */
import { hostname } from 'node:os';
import type { SchedulerInstance } from '../store/index.js';

/** A scheduler silent this long is taken for stopped (sooner on this machine: its process is gone). */
export const LEASE_MS = 60_000;

/**
 * Whether the gateway of `instance` (not this process's own) still runs: it beat within the lease, and, on this
 * machine, its process is still there.
 */
export function instanceRunning(instance: SchedulerInstance, now: number): boolean {
  if (now - instance.heartbeatAt > LEASE_MS) return false;
  if (instance.host !== hostname()) return true;
  // Our own pid under another id: an earlier gateway in this container (pids repeat across restarts there).
  if (instance.pid === process.pid) return false;
  try {
    process.kill(instance.pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
