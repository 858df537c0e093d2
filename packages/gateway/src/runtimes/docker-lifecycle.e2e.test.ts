/**
 * Agent containers over their life, on the real engine: started on demand, stopped when idle but never while
 * working, queued under max_running, replaced after being killed mid-turn, cleaned up after a gateway that was
 * killed, and a clear word to the user when Docker or the image is missing.
 */
import {
  containersOf,
  docker,
  ensureTestImage,
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
import { afterEach, beforeAll, describe, expect, it } from 'vitest';

const missing = requireDocker('the Docker lifecycle suite');

function echo(req: ModelRequest) {
  return req.kind === 'main' ? reply.text(`heard: ${req.lastUserText}`) : reply.text('side call');
}

let image = '';
let stack: Stack | undefined;
const prefixes: string[] = [];

/** A stack whose agents `general` (the default) and `coder` run in Docker, in an installation of its own. */
async function dockerStack(
  handler: (req: ModelRequest) => ReturnType<typeof echo>,
  defaults: Record<string, unknown> = {},
  opts: { env?: NodeJS.ProcessEnv; agents?: Record<string, unknown>; image?: string } = {},
): Promise<{ stack: Stack; prefix: string }> {
  const prefix = testPrefix('life');
  prefixes.push(prefix);
  stack = await startStack({
    handler,
    ...(opts.env ? { env: opts.env } : {}),
    config: ({ telegramApiRoot, telegramToken }) =>
      withDocker(
        {
          telegram: { token: telegramToken, api_root: telegramApiRoot, allow_from: [TEST_USER_ID] },
          defaults: { model: 'claude-test', ...defaults },
          // Started by their first message and stopped when idle: these suites measure the pool.
          agents: opts.agents ?? { general: { prewarm: false }, coder: {} },
          router: { default_agent: 'general', ai: false },
        },
        { prefix, image: opts.image ?? image },
      ),
  });
  return { stack, prefix };
}

function botMessages(s: Stack, count: number, timeoutMs = 60_000) {
  return s.telegram.waitFor(() => {
    const sent = s.telegram.messagesIn(TEST_USER_ID);
    return sent.length >= count ? sent : undefined;
  }, timeoutMs);
}

describe.skipIf(missing !== null)('agent containers over their life', () => {
  beforeAll(() => {
    image = ensureTestImage();
  }, TEST_IMAGE_TIMEOUT_MS);

  afterEach(async () => {
    await stack?.close();
    stack = undefined;
    for (const prefix of prefixes.splice(0)) removeInstallation(prefix);
  });

  it('answers from a new container, in the same session, after the old one was killed mid-turn', async () => {
    const { stack: s, prefix } = await dockerStack((req) =>
      req.kind === 'main' && req.lastUserText === 'a long job'
        ? reply.text('never delivered', { delayMs: 30_000 })
        : echo(req),
    );
    s.telegram.sendText({ userId: TEST_USER_ID, text: 'the password is kiwi' });
    await botMessages(s, 1);
    s.telegram.sendText({ userId: TEST_USER_ID, text: 'a long job' });
    await s.anthropic.waitForRequest((r) => r.lastUserText === 'a long job', 30_000);
    const [killed] = containersOf(prefix);
    expect(killed?.state).toBe('running');
    docker(['kill', killed?.id ?? '']);
    const sent = await botMessages(s, 2);
    expect(sent[1]?.text).toMatch(/^⚠️ .*stopped unexpectedly.*SIGKILL/);
    s.telegram.sendText({ userId: TEST_USER_ID, text: 'what is the password?' });
    const after = await botMessages(s, 3);
    expect(after[2]?.text).toMatch(/heard: .*what is the password\?$/s);
    const request = await s.anthropic.waitForRequest((r) => r.lastUserText.endsWith('what is the password?'));
    expect(request.transcript).toContain('the password is kiwi');
    const [replacement] = containersOf(prefix);
    expect(replacement?.state).toBe('running');
    expect(replacement?.id).not.toBe(killed?.id);
  });

  it('removes the containers of a gateway killed with -9 at the next start, before serving, and no others', async () => {
    const { stack: s, prefix } = await dockerStack(echo);
    const other = testPrefix('other');
    prefixes.push(other);
    docker([
      'create',
      '--label',
      'praktor.managed=true',
      '--label',
      `praktor.installation=${other}`,
      '--name',
      `${other}-agent-general`,
      image,
    ]);
    s.telegram.sendText({ userId: TEST_USER_ID, text: 'hello' });
    s.telegram.sendText({ userId: TEST_USER_ID, text: '@coder hello' });
    await botMessages(s, 2);
    expect(containersOf(prefix)).toHaveLength(2);
    s.praktor.process.child.kill('SIGKILL');
    await s.praktor.process.exited;
    expect(containersOf(prefix)).toHaveLength(2);
    await s.restart();
    // startPraktor returns at "gateway ready": by then the orphans are gone.
    expect(containersOf(prefix)).toEqual([]);
    const lines = s.praktor.logs().map((l) => l.msg);
    expect(lines.indexOf('removed containers left by an earlier run')).toBeGreaterThanOrEqual(0);
    expect(lines.indexOf('removed containers left by an earlier run')).toBeLessThan(
      lines.indexOf('gateway ready'),
    );
    expect(containersOf(other).map((c) => c.name)).toEqual([`${other}-agent-general`]);
    s.telegram.sendText({ userId: TEST_USER_ID, text: 'still there?' });
    const sent = await botMessages(s, 3);
    expect(sent[2]?.text).toBe('heard: still there?');
  });

  it('answers two agents messaged at once with max_running 1: one waits, none fails', async () => {
    const { stack: s } = await dockerStack(echo, { max_running: 1 });
    s.telegram.sendText({ userId: TEST_USER_ID, text: 'one for general' });
    s.telegram.sendText({ userId: TEST_USER_ID, text: '@coder one for coder' });
    const sent = await botMessages(s, 2);
    expect(sent.map((m) => m.text).sort()).toEqual(['coder: heard: one for coder', 'heard: one for general']);
    const evicted = s.praktor.logs().filter((l) => l.msg === 'agent stopped' && l.reason === 'evicted');
    expect(evicted).toHaveLength(1);
  });

  it('stops and removes an idle container after idle_timeout', async () => {
    const { stack: s, prefix } = await dockerStack(echo, { idle_timeout: '1s' });
    s.telegram.sendText({ userId: TEST_USER_ID, text: 'hello' });
    await botMessages(s, 1);
    const stopped = await s.praktor.waitForLog('agent stopped', (l) => l.reason === 'idle_timeout', 15_000);
    expect(stopped.agent).toBe('general');
    expect(containersOf(prefix)).toEqual([]);
  });

  it('does not stop a container in the middle of a turn longer than idle_timeout', async () => {
    const { stack: s, prefix } = await dockerStack(
      (req) =>
        req.kind === 'main' && req.lastUserText === 'take your time'
          ? reply.text('took my time', { delayMs: 3500 })
          : echo(req),
      { idle_timeout: '1s' },
    );
    s.telegram.sendText({ userId: TEST_USER_ID, text: 'take your time' });
    await s.anthropic.waitForRequest((r) => r.lastUserText === 'take your time', 30_000);
    const [working] = containersOf(prefix);
    const [answer] = await botMessages(s, 1);
    expect(answer?.text).toBe('took my time');
    expect(s.praktor.logs().filter((l) => l.msg === 'agent stopped')).toEqual([]);
    expect(containersOf(prefix)[0]?.id).toBe(working?.id);
  });

  it('tells the user how to build the image when it is missing', async () => {
    const absent = `praktor-agent:absent-${testPrefix('img')}`;
    const { stack: s, prefix } = await dockerStack(echo, {}, { image: absent });
    s.telegram.sendText({ userId: TEST_USER_ID, text: 'hello' });
    const [answer] = await botMessages(s, 1);
    // Telegram shows the command as code, without its backticks.
    expect(answer?.text).toBe(
      `⚠️ I could not start: image ${absent} not found: build it with praktor image build --tag ${absent}`,
    );
    expect(containersOf(prefix)).toEqual([]);
  });

  it('tells the user when Docker is unreachable, while runtime auto falls back to local', async () => {
    const { stack: s } = await dockerStack(
      echo,
      {},
      {
        env: { DOCKER_HOST: 'unix:///nonexistent/docker.sock' },
        agents: { general: { prewarm: false }, flexible: { runtime: 'auto' } },
      },
    );
    const auto = s.praktor.logs().find((l) => l.msg === 'runtime auto: chose where agents run');
    expect(auto?.runtime).toBe('local');
    s.telegram.sendText({ userId: TEST_USER_ID, text: 'hello' });
    const [refusal] = await botMessages(s, 1);
    expect(refusal?.text).toContain(
      'Docker is not reachable at unix:///nonexistent/docker.sock (ENOENT): start the Docker daemon, or set runtime: local',
    );
    s.telegram.sendText({ userId: TEST_USER_ID, text: '@flexible hello' });
    const sent = await botMessages(s, 2);
    expect(sent[1]?.text).toBe('flexible: heard: hello');
  });
});
