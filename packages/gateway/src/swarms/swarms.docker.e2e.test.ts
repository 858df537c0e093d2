/**
 * Swarm members in Docker: each runs in a container labelled with its run and role, and no member's container
 * outlives its run — after it completes, after a cancel, and after a gateway killed with SIGKILL starts again.
 */
import type { SwarmRunDetail, SwarmRunView } from '@praktor/protocol';
import {
  callApi,
  docker,
  ensureTestImage,
  eventually,
  type ModelRequest,
  removeInstallation,
  reply,
  requireDocker,
  type Stack,
  startStack,
  TEST_IMAGE_TIMEOUT_MS,
  TEST_USER_ID,
  testPrefix,
  withDocker,
} from '@praktor/testkit';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';

const missing = requireDocker('the swarm suite in Docker');
const prefix = testPrefix('swarm');
const PASSWORD = 'swarm docker test password';
const basic = { authorization: `Basic ${Buffer.from(`any:${PASSWORD}`).toString('base64')}` };
let image = '';
let stack: Stack | undefined;

/** Answers `slow` after two minutes (it is still working when the test looks), everyone else at once. */
function model(req: ModelRequest) {
  const role = req.kind === 'main' ? /You are "([^"]+)" in a swarm/.exec(req.transcript)?.[1] : undefined;
  if (role === undefined) return reply.text('side');
  return role === 'slow' ? reply.text('never seen', { delayMs: 120_000 }) : reply.text(`${role} done`);
}

async function start(): Promise<Stack> {
  stack = await startStack({
    handler: model,
    config: ({ telegramApiRoot, telegramToken }) =>
      withDocker(
        {
          telegram: { token: telegramToken, api_root: telegramApiRoot, allow_from: [TEST_USER_ID] },
          defaults: { model: 'claude-swarm-model' },
          agents: { first: { prewarm: false }, slow: { prewarm: false } },
          router: { default_agent: 'first', ai: false },
          web: { auth: PASSWORD },
        },
        { prefix, image },
      ),
  });
  return stack;
}

const api = (method: string, path: string, body?: unknown) =>
  callApi(`${stack?.praktor.webUrl}`, method, path, { body, headers: basic });

/** Launches `first`, then `slow` given its output. */
async function launchPipeline(): Promise<SwarmRunView> {
  const { status, json } = await api('POST', '/api/swarms', {
    name: 'docker swarm',
    task: 'two steps',
    agents: [
      { agent_id: 'first', role: 'first' },
      { agent_id: 'slow', role: 'slow' },
    ],
    synapses: [{ from: 'first', to: 'slow' }],
  });
  expect(status).toBe(201);
  return json;
}

/** The containers (running or not) of swarm run `id`: their names and the role each is labelled with. */
function membersOf(id: string): { name: string; role: string; agent: string }[] {
  const out = docker([
    'ps',
    '--all',
    '--filter',
    `label=praktor.installation=${prefix}`,
    '--filter',
    `label=praktor.swarm=${id}`,
    '--format',
    '{{.Names}}\t{{.Label "praktor.swarm.role"}}\t{{.Label "praktor.agent"}}',
  ]);
  return out
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => {
      const [name = '', role = '', agent = ''] = line.split('\t');
      return { name, role, agent };
    });
}

const run = async (id: string): Promise<SwarmRunDetail> => (await api('GET', `/api/swarms/${id}`)).json;

/** Waits until `slow` works, in its container, and returns the run's containers then. */
async function slowWorking(id: string) {
  return eventually(
    'the slow member to work in its container',
    async () => ((await run(id)).members[1]?.status === 'running' ? membersOf(id) : []),
    (members) => members.some((m) => m.role === 'slow'),
    { timeoutMs: 90_000 },
  );
}

function gone(id: string, timeoutMs: number) {
  return eventually(
    'no container of the run left',
    async () => membersOf(id),
    (left) => left.length === 0,
    {
      timeoutMs,
    },
  );
}

describe.skipIf(missing !== null)('swarm members in Docker', () => {
  beforeAll(() => {
    image = ensureTestImage();
  }, TEST_IMAGE_TIMEOUT_MS);
  afterEach(async () => {
    await stack?.close();
    stack = undefined;
  });
  afterAll(() => removeInstallation(prefix));

  it('run in containers labelled with their run and role, removed within seconds of a cancel', async () => {
    await start();
    const launched = await launchPipeline();
    const working = await slowWorking(launched.id);
    expect(working).toEqual([
      { name: `${prefix}-agent-swarm-${launched.id.slice(0, 8)}-slow`, role: 'slow', agent: 'slow' },
    ]);
    const detail = await run(launched.id);
    expect(detail.members[0]).toMatchObject({ role: 'first', status: 'completed', output: 'first done' });
    expect((await api('POST', `/api/swarms/${launched.id}/cancel`)).status).toBe(200);
    await gone(launched.id, 10_000);
  }, 180_000);

  it('leaves no container when the run completes', async () => {
    await start();
    const { status, json } = await api('POST', '/api/swarms', {
      name: 'quick',
      task: 'one step',
      agents: [{ agent_id: 'first', role: 'first' }],
    });
    expect(status).toBe(201);
    const detail = await eventually(
      'the run to end',
      () => run(json.id),
      (d) => d.status !== 'running',
      {
        timeoutMs: 90_000,
      },
    );
    expect(detail.status).toBe('completed');
    expect(membersOf(json.id)).toEqual([]);
  }, 180_000);

  it('removes the containers a gateway killed with SIGKILL left, when it starts again', async () => {
    const live = await start();
    const launched = await launchPipeline();
    await slowWorking(launched.id);
    live.praktor.process.child.kill('SIGKILL');
    await live.praktor.process.exited;
    expect(membersOf(launched.id).map((m) => m.role)).toEqual(['slow']);
    await live.restart();
    await gone(launched.id, 30_000);
    expect((await run(launched.id)).status).toBe('interrupted');
  }, 240_000);
});
