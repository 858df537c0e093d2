/**
 * `runtime: auto` with a Docker daemon that answers: agents run in Docker, and Mission Control says so for each
 * agent rather than repeating what the configuration asked for.
 */
import type { AgentSummary, StatusResponse } from '@praktor/protocol';
import {
  containersOf,
  defaultStackConfig,
  ensureTestImage,
  removeInstallation,
  requireDocker,
  type Stack,
  startStack,
  TEST_IMAGE_TIMEOUT_MS,
  TEST_USER_ID,
  testPrefix,
  withDocker,
} from '@praktor/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const missing = requireDocker('the runtime auto suite');
const prefix = testPrefix('auto');

async function get<T>(stack: Stack, path: string): Promise<T> {
  const response = await fetch(`${stack.praktor.webUrl}${path}`);
  expect(response.status).toBe(200);
  return (await response.json()) as T;
}

describe.skipIf(missing !== null)('runtime auto with Docker available', () => {
  let stack: Stack;

  beforeAll(async () => {
    const image = ensureTestImage();
    stack = await startStack({
      config: (urls) => {
        const docker = withDocker(defaultStackConfig(urls), { prefix, image });
        const defaults = docker.defaults as Record<string, unknown>;
        const agents = docker.agents as Record<string, Record<string, unknown>>;
        return {
          ...docker,
          defaults: { ...defaults, runtime: 'auto' },
          agents: { ...agents, coder: { ...agents.coder, runtime: 'local' } },
        };
      },
    });
  }, TEST_IMAGE_TIMEOUT_MS);

  afterAll(async () => {
    await stack?.close();
    removeInstallation(prefix);
  });

  it('shows an auto agent as running in Docker, and a local one as local', async () => {
    const agents = await get<AgentSummary[]>(stack, '/api/agents/definitions');
    expect(agents.map((a) => [a.id, a.runtime])).toEqual([
      ['general', 'docker'],
      ['coder', 'local'],
    ]);
    expect((await get<AgentSummary>(stack, '/api/agents/definitions/general')).runtime).toBe('docker');
    expect((await get<StatusResponse>(stack, '/api/status')).runtime.name).toBe('docker');
  });

  it('runs the auto agent in a container, as shown', async () => {
    await stack.telegram.say(TEST_USER_ID, 'where do you run?', { timeoutMs: 120_000 });
    expect(containersOf(prefix).map((c) => c.agent)).toEqual(['general']);
  });
});
