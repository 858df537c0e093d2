/**
 * The orchestrator's promises, checked on a real gateway: limits on running agents, idle stops that spare working
 * agents, chats taking turns at a busy agent, and stopping or resetting an agent from Telegram.
 */
import { eventually, type ModelRequest, reply, type Stack, startStack, TEST_USER_ID } from '@praktor/testkit';
import { afterEach, describe, expect, it } from 'vitest';

function echo(req: ModelRequest) {
  return req.kind === 'main' ? reply.text(`heard: ${req.lastUserText}`) : reply.text('side call');
}

/** A second user, with a private chat of their own. */
const OTHER_USER_ID = 2002;

function config(defaults: Record<string, unknown>) {
  return ({ telegramApiRoot, telegramToken }: { telegramApiRoot: string; telegramToken: string }) => ({
    telegram: { token: telegramToken, api_root: telegramApiRoot, allow_from: [TEST_USER_ID, OTHER_USER_ID] },
    defaults: { model: 'claude-test', ...defaults },
    // The default agent started on demand and stopped when idle, like the others; plain text to it without AI
    // routing: these suites measure the pool and the queues, not the warm-up or the classifier.
    agents: { general: { prewarm: false }, coder: {} },
    router: { default_agent: 'general', ai: false },
  });
}

function botMessages(stack: Stack, count: number, timeoutMs = 30_000) {
  return stack.telegram.waitFor(() => {
    const sent = stack.telegram.messagesIn(TEST_USER_ID);
    return sent.length >= count ? sent : undefined;
  }, timeoutMs);
}

let stack: Stack | undefined;
afterEach(async () => {
  await stack?.close();
  stack = undefined;
});

describe('max_running', () => {
  it('answers two agents messaged at once with max_running 1: one waits, none fails', async () => {
    stack = await startStack({ handler: echo, config: config({ max_running: 1 }) });
    stack.telegram.sendText({ userId: TEST_USER_ID, text: 'one for general' });
    stack.telegram.sendText({ userId: TEST_USER_ID, text: '@coder one for coder' });
    const sent = await botMessages(stack, 2);
    expect(sent.map((m) => m.text).sort()).toEqual(['coder: heard: one for coder', 'heard: one for general']);
    const evicted = stack.praktor.logs().filter((l) => l.msg === 'agent stopped' && l.reason === 'evicted');
    expect(evicted).toHaveLength(1);
  });
});

describe('idle_timeout', () => {
  it('stops an agent that has been idle for idle_timeout', async () => {
    const started = await startStack({ handler: echo, config: config({ idle_timeout: '1s' }) });
    stack = started;
    started.telegram.sendText({ userId: TEST_USER_ID, text: 'hello' });
    await botMessages(started, 1);
    const stopped = await started.praktor.waitForLog(
      'agent stopped',
      (l) => l.reason === 'idle_timeout',
      10_000,
    );
    expect(stopped.agent).toBe('general');
    // The sandbox's own init outlives the runner by a moment, as the kernel ends the sandbox's processes.
    await eventually(
      'no process left in the data directory',
      async () => started.praktor.leftovers(),
      (left) => left.length === 0,
      { timeoutMs: 5_000 },
    );
  });

  it('does not stop an agent in the middle of a turn longer than idle_timeout', async () => {
    stack = await startStack({
      handler: (req) =>
        req.kind === 'main' && req.lastUserText === 'take your time'
          ? reply.text('took my time', { delayMs: 3500 })
          : echo(req),
      config: config({ idle_timeout: '1s' }),
    });
    stack.telegram.sendText({ userId: TEST_USER_ID, text: 'take your time' });
    const [answer] = await botMessages(stack, 1);
    expect(answer?.text).toBe('took my time');
    const stops = stack.praktor.logs().filter((l) => l.msg === 'agent stopped');
    expect(stops).toEqual([]);
  });

  it('starts a stopped agent again on its next message, in the same conversation', async () => {
    stack = await startStack({ handler: echo, config: config({ idle_timeout: '1s' }) });
    stack.telegram.sendText({ userId: TEST_USER_ID, text: 'the code word is marmalade' });
    await botMessages(stack, 1);
    await stack.praktor.waitForLog('agent stopped', (l) => l.reason === 'idle_timeout', 10_000);
    stack.telegram.sendText({ userId: TEST_USER_ID, text: 'what was the code word?' });
    await botMessages(stack, 2);
    const request = await stack.anthropic.waitForRequest((r) => r.lastUserText === 'what was the code word?');
    expect(request.transcript).toContain('the code word is marmalade');
  });

  it('sends a message to a stopped agent as soon as Claude Code is up, without building its prompt ahead', async () => {
    stack = await startStack({ handler: echo, config: config({}) });
    const [answer] = await stack.telegram.say(TEST_USER_ID, 'hello');
    expect(answer?.text).toBe('heard: hello');
    // A warm start counts the context first (count_tokens); the waiting message would only wait for that.
    expect(stack.anthropic.otherRequests.filter((r) => r.url.includes('count_tokens'))).toEqual([]);
  });
});

describe('chats taking turns', () => {
  it('answers a chat’s message after at most one of the 20 another chat sent the same agent before it', async () => {
    let lastUpdateId: number | null = null;
    // The gateway acknowledges an update only once its message is stored and queued.
    const allQueued = () =>
      stack?.telegram.waitFor(
        () =>
          lastUpdateId !== null &&
          stack?.telegram.calls.some(
            (c) => c.method === 'getUpdates' && Number(c.params.offset) > (lastUpdateId as number),
          ),
        30_000,
      );
    stack = await startStack({
      // The first answer waits until every other message is queued behind it.
      handler: async (req) => {
        if (req.kind !== 'main' || req.lastUserText !== 'a1') return echo(req);
        await allQueued();
        return reply.text('heard: a1');
      },
      config: config({}),
    });
    stack.telegram.sendText({ userId: TEST_USER_ID, text: 'a1' });
    await stack.anthropic.waitForRequest((r) => r.kind === 'main' && r.lastUserText === 'a1');
    for (let i = 2; i <= 20; i++) stack.telegram.sendText({ userId: TEST_USER_ID, text: `a${i}` });
    lastUpdateId = stack.telegram.sendText({ userId: OTHER_USER_ID, text: 'b1' }).updateId;
    const [answer] = await stack.telegram.waitFor(() => {
      const sent = stack?.telegram.messagesIn(OTHER_USER_ID) ?? [];
      return sent.length > 0 ? sent : undefined;
    }, 30_000);
    expect(answer?.text).toBe('heard: b1');
    await stack.anthropic.waitForRequest((r) => r.kind === 'main' && r.lastUserText === 'a2');
    const order = stack.anthropic.requests.filter((r) => r.kind === 'main').map((r) => r.lastUserText);
    expect(order.slice(0, 3)).toEqual(['a1', 'b1', 'a2']);
  });
});

describe('/stop', () => {
  it('interrupts the turn in progress and drops the waiting messages, saying so', async () => {
    stack = await startStack({
      handler: (req) =>
        req.kind === 'main' && req.lastUserText === 'a very long job'
          ? reply.text('never delivered', { delayMs: 20_000 })
          : echo(req),
      config: config({}),
    });
    stack.telegram.sendText({ userId: TEST_USER_ID, text: 'a very long job' });
    await stack.anthropic.waitForRequest((r) => r.lastUserText === 'a very long job');
    stack.telegram.sendText({ userId: TEST_USER_ID, text: 'queued behind it' });
    await new Promise((resolve) => setTimeout(resolve, 300));
    stack.telegram.sendText({ userId: TEST_USER_ID, text: '/stop' });
    const [confirmation] = await botMessages(stack, 1);
    expect(confirmation?.text).toBe('Stopped general. Dropped 1 waiting message.');
    stack.telegram.sendText({ userId: TEST_USER_ID, text: 'are you free now?' });
    const sent = await botMessages(stack, 2);
    expect(sent[1]?.text).toMatch(/heard: .*are you free now\?$/s);
    expect(sent.map((m) => m.text)).not.toContain('never delivered');
    expect(stack.anthropic.requests.some((r) => r.lastUserText === 'queued behind it')).toBe(false);
  });

  it('names the agents when asked to stop one that does not exist', async () => {
    stack = await startStack({ handler: echo, config: config({}) });
    stack.telegram.sendText({ userId: TEST_USER_ID, text: '/stop writer' });
    const [answer] = await botMessages(stack, 1);
    expect(answer?.text).toBe('There is no agent called “writer”. Agents: general, coder.');
  });
});

describe('/reset', () => {
  it('starts a new conversation: the next request no longer carries the earlier exchange', async () => {
    stack = await startStack({ handler: echo, config: config({}) });
    stack.telegram.sendText({ userId: TEST_USER_ID, text: 'remember the number 4817' });
    await botMessages(stack, 1);
    stack.telegram.sendText({ userId: TEST_USER_ID, text: '/reset' });
    const sent = await botMessages(stack, 2);
    expect(sent[1]?.text).toBe('New conversation started with general.');
    stack.telegram.sendText({ userId: TEST_USER_ID, text: 'which number?' });
    await botMessages(stack, 3);
    const request = await stack.anthropic.waitForRequest((r) => r.lastUserText === 'which number?');
    expect(request.transcript).not.toContain('4817');
  });
});
