/**
 * Runs one suite on each runtime that can run here: the local sandbox (with bubblewrap) and Docker. Each missing
 * one is skipped with a printed reason on a developer's machine and fails under CI (see the testkit's requirements).
 */
import {
  ensureTestImage,
  removeInstallation,
  requireCommand,
  requireDocker,
  TEST_IMAGE_TIMEOUT_MS,
  testPrefix,
  withDocker,
} from '@praktor/testkit';
import { afterAll, beforeAll, describe } from 'vitest';

/** Adds a runtime's settings to a stack's configuration. */
export type WithRuntime = (base: Record<string, unknown>) => Record<string, unknown>;

/**
 * Declares `suite` once per runtime: with the runtime's name, a function that puts its settings into a stack's
 * configuration, and (for Docker) the installation prefix its containers carry.
 */
export function describeOnEachRuntime(
  name: string,
  suite: (runtime: 'local' | 'Docker', withRuntime: WithRuntime, prefix: string | null) => void,
): void {
  const noBwrap = requireCommand('bwrap', `${name} (local)`, 'apt-get install bubblewrap');
  const noDocker = requireDocker(`${name} (Docker)`);

  describe.skipIf(noBwrap !== null)('local', () => {
    suite('local', (base) => base, null);
  });

  describe.skipIf(noDocker !== null)('docker', () => {
    const prefix = testPrefix(name.replace(/[^a-z]/g, '').slice(0, 6));
    let image = '';
    beforeAll(() => {
      image = ensureTestImage();
    }, TEST_IMAGE_TIMEOUT_MS);
    afterAll(() => removeInstallation(prefix));
    suite('Docker', (base) => withDocker(base, { prefix, image }), prefix);
  });
}
