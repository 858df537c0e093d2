/**
 * What a test suite needs from the machine beyond Node: a suite whose tool is missing is skipped with a printed
 * reason on a developer's machine, and fails under CI, where a silent skip would hide a missing install step.
 */
import { execFileSync } from 'node:child_process';

/** Whether `command` is on the PATH. */
export function hasCommand(command: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/**
 * Null when `command` is installed. Otherwise: under CI, throws; elsewhere, prints why `suite` is skipped and
 * returns that reason (for `describe.skipIf`).
 */
export function requireCommand(command: string, suite: string, install: string): string | null {
  if (hasCommand(command)) return null;
  const reason = `${command} is not installed (${install})`;
  if (process.env.CI) throw new Error(`${suite} cannot run in CI: ${reason}`);
  console.warn(`skipping ${suite}: ${reason}`);
  return reason;
}
