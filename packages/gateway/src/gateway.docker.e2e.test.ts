/**
 * The whole message loop, end to end, with every agent in a Docker container (see conversation.test-support.ts).
 */
import {
  containersOf,
  ensureTestImage,
  removeInstallation,
  requireDocker,
  TEST_IMAGE_TIMEOUT_MS,
  testPrefix,
  withDocker,
} from '@praktor/testkit';
import { afterAll, beforeAll, describe } from 'vitest';
import { describeConversation } from './conversation.test-support.js';

const missing = requireDocker('the conversation suites in Docker');
const prefix = testPrefix('conversation');
let image = '';

describe.skipIf(missing !== null)('in Docker', () => {
  beforeAll(() => {
    image = ensureTestImage();
  }, TEST_IMAGE_TIMEOUT_MS);
  afterAll(() => removeInstallation(prefix));

  describeConversation({
    name: 'docker',
    config: (base) => withDocker(base, { prefix, image }),
    leftovers: () => containersOf(prefix),
    leftoverKind: 'agent container',
  });
});
