/**
 * Programs on the gateway's PATH, found as its shell finds them: bubblewrap for the local sandbox, nix for agents'
 * packages.
 */
import { execFileSync } from 'node:child_process';

/** Where `name` is on the PATH, or null. */
export function findProgram(name: string): string | null {
  try {
    return execFileSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' }).trim() || null;
  } catch {
    // `command -v` exits non-zero when there is none: that is the answer, not a failure.
    return null;
  }
}
