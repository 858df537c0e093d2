/**
 * The scheduler on real gateway processes, with the real runner and Claude Code against the fake model and fake
 * Telegram: runs on time and once, catch-up after downtime by each policy, a crash during a run, two gateways on
 * one database, and failures the user is told about.
 */
import type { TaskItem, TaskRunItem } from '@praktor/protocol';
import {
  type ModelRequest,
  reply,
  type Stack,
  startPraktor,
  startStack,
  TEST_USER_ID,
} from '@praktor/testkit';
import { afterEach, describe, expect, it } from 'vitest';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Answers every run with "done: <prompt>". */
function model(req: ModelRequest) {
  if (req.kind !== 'main') return reply.text('side call');
  return reply.text(`done: ${req.lastUserText}`);
}

/** Like {@link model}, but the run of "slow job" takes a minute. */
function slowJob(req: ModelRequest) {
  return req.kind === 'main' && req.lastUserText === 'slow job'
    ? reply.text('never seen', { delayMs: 60_000 })
    : model(req);
}

/** Telegram on, results to the test user's chat, schedules in UTC; the poll far slower than the tests' timings. */
function stackConfig(scheduler: Record<string, unknown> = {}) {
  return ({ telegramApiRoot, telegramToken }: { telegramApiRoot: string; telegramToken: string }) => ({
    telegram: {
      token: telegramToken,
      api_root: telegramApiRoot,
      allow_from: [TEST_USER_ID],
      main_chat_id: TEST_USER_ID,
    },
    defaults: { model: 'claude-test' },
    agents: { general: {}, coder: {} },
    router: { default_agent: 'general' },
    scheduler: { poll_interval: '5m', timezone: 'UTC', ...scheduler },
  });
}

async function api<T = unknown>(base: string, method: string, path: string, body?: unknown) {
  const response = await fetch(`${base}${path}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${text}`);
  return JSON.parse(text) as T;
}

function createTask(base: string, task: Record<string, unknown>): Promise<TaskItem> {
  return api<TaskItem>(base, 'POST', '/api/tasks', { agent_id: 'general', ...task });
}

function runsOf(base: string, id: string): Promise<TaskRunItem[]> {
  return api<TaskRunItem[]>(base, 'GET', `/api/tasks/${id}/runs`);
}

/** Polls `check` until it returns something other than undefined. */
async function until<T>(check: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error('timed out');
    await sleep(100);
  }
}

/** The runs of a task once `done` accepts them. */
function runsWhen(base: string, id: string, done: (runs: TaskRunItem[]) => boolean, timeoutMs?: number) {
  return until(async () => {
    const runs = await runsOf(base, id);
    return done(runs) ? runs : undefined;
  }, timeoutMs);
}

const ended = (runs: TaskRunItem[]) => runs.filter((r) => r.status !== 'running');

/** How often the model was asked to run `prompt`. */
function modelRuns(stack: { anthropic: { requests: ModelRequest[] } }, prompt: string): number {
  return stack.anthropic.requests.filter((r) => r.kind === 'main' && r.lastUserText === prompt).length;
}

/** A 7-field cron expression (seconds first, year last) matching exactly these instants of one UTC minute. */
function cronAt(instants: number[]): string {
  const at = new Date(instants[0] as number);
  const seconds = instants.map((ms) => new Date(ms).getUTCSeconds()).join(',');
  return `${seconds} ${at.getUTCMinutes()} ${at.getUTCHours()} ${at.getUTCDate()} ${at.getUTCMonth() + 1} * ${at.getUTCFullYear()}`;
}

/** Instants `count` seconds apart from at least `leadMs` ahead, all within one UTC minute. */
async function instantsAhead(leadMs: number, count: number, stepMs = 2000): Promise<number[]> {
  const span = leadMs + 1000 + (count - 1) * stepMs;
  while (new Date(Date.now() + span).getUTCMinutes() !== new Date(Date.now()).getUTCMinutes())
    await sleep(250);
  const first = Math.ceil((Date.now() + leadMs) / 1000) * 1000;
  return Array.from({ length: count }, (_, i) => first + i * stepMs);
}

/**
 * The test user opens the chat (Telegram lets a bot write only to chats it has seen) with a command that needs no
 * model; the bot's answer to it is the chat's first message.
 */
async function openChat(stack: Stack): Promise<void> {
  await stack.telegram.say(TEST_USER_ID, '/agents', { timeoutMs: 5000 });
}

/** What the bot wrote in the chat after opening it. */
function chat(stack: Stack): string[] {
  return stack.telegram
    .messagesIn(TEST_USER_ID)
    .slice(1)
    .map((m) => m.text);
}

/** Waits until the bot has written `count` messages in the chat after opening it. */
function chatWhen(stack: Stack, count: number): Promise<string[]> {
  return stack.telegram.waitFor(() => (chat(stack).length >= count ? chat(stack) : undefined), 30_000);
}

let stack: Stack | undefined;
afterEach(async () => {
  await stack?.close();
  stack = undefined;
});

describe('a scheduled run', () => {
  it('runs once at its time, not at the next poll, and its answer reaches the Telegram chat', async () => {
    stack = await startStack({ handler: model, config: stackConfig() });
    await openChat(stack);
    const base = stack.praktor.webUrl;
    const [due] = await instantsAhead(2000, 1);
    const task = await createTask(base, {
      name: 'brief',
      schedule: cronAt([due as number]),
      prompt: 'brief me',
    });
    expect(task.next_run_at).toBe(due);
    const [answer] = await chatWhen(stack, 1);
    expect(answer).toBe('done: brief me');
    const [run] = await runsWhen(base, task.id, (runs) => ended(runs).length === 1);
    expect(run).toMatchObject({ status: 'ok', scheduled_for: due, answer: 'done: brief me', error: null });
    // Woken by its timer: the poll (every 5 minutes) would have been far later.
    expect((run?.started_at as number) - (due as number)).toBeGreaterThanOrEqual(0);
    expect((run?.started_at as number) - (due as number)).toBeLessThan(1500);
    expect(run?.usage?.output_tokens).toBeGreaterThan(0);
    await sleep(2000);
    expect(await runsOf(base, task.id)).toHaveLength(1);
    expect(modelRuns(stack, 'brief me')).toBe(1);
    expect(chat(stack)).toHaveLength(1);
  });

  it('runs a +1s one-shot once, then the task is completed', async () => {
    stack = await startStack({ handler: model, config: stackConfig() });
    await openChat(stack);
    const base = stack.praktor.webUrl;
    const task = await createTask(base, { name: 'remind', schedule: '+1s', prompt: 'remind me' });
    expect(task).toMatchObject({ status: 'active', schedule_display: expect.stringMatching(/^Once at /) });
    await runsWhen(base, task.id, (runs) => ended(runs).length === 1);
    const after = await api<TaskItem>(base, 'GET', `/api/tasks/${task.id}`);
    expect(after).toMatchObject({
      status: 'completed',
      enabled: false,
      next_run_at: null,
      last_status: 'ok',
    });
    await sleep(1500);
    expect(await runsOf(base, task.id)).toHaveLength(1);
    expect(modelRuns(stack, 'remind me')).toBe(1);
  });

  it('hands a prompt that starts with a slash to the model as text, never to Claude Code as a command', async () => {
    stack = await startStack({ handler: model, config: stackConfig() });
    await openChat(stack);
    const base = stack.praktor.webUrl;
    const task = await createTask(base, { name: 'costs', schedule: '+1s', prompt: '/cost' });
    const [run] = await runsWhen(base, task.id, (runs) => ended(runs).length === 1);
    expect(run).toMatchObject({ status: 'ok', answer: 'done:  /cost' });
    expect(stack.anthropic.requests.filter((r) => r.kind === 'main').map((r) => r.lastUserText)).toEqual([
      ' /cost',
    ]);
  });

  it('is recorded as failed with its error when the model call fails, and the chat is told', async () => {
    stack = await startStack({
      handler: (req) =>
        req.kind === 'main' && req.lastUserText === 'fail me'
          ? reply.error(400, 'the model refuses this one')
          : model(req),
      config: stackConfig(),
    });
    await openChat(stack);
    const base = stack.praktor.webUrl;
    const task = await createTask(base, { name: 'doomed', schedule: '+1s', prompt: 'fail me' });
    const [run] = await runsWhen(base, task.id, (runs) => ended(runs).length === 1);
    expect(run?.status).toBe('error');
    expect(run?.error).toContain('the model refuses this one');
    const after = await api<TaskItem>(base, 'GET', `/api/tasks/${task.id}`);
    expect(after).toMatchObject({ last_status: 'error', last_error: run?.error });
    const [told] = await chatWhen(stack, 1);
    expect(told).toMatch(/^⚠️ .*the model refuses this one/s);
  });

  it('fails with a clear error, told in the chat, when its agent is no longer configured', async () => {
    stack = await startStack({ handler: model, config: stackConfig() });
    await openChat(stack);
    const task = await createTask(stack.praktor.webUrl, {
      agent_id: 'coder',
      name: 'orphan',
      schedule: '+3s',
      prompt: 'code something',
    });
    await stack.praktor.stop();
    const home = stack.praktor.home;
    await sleep(3500);
    // The same data, a configuration without `coder`.
    const withoutCoder = stackConfig()({
      telegramApiRoot: stack.telegram.apiRoot,
      telegramToken: stack.telegram.token,
    });
    withoutCoder.agents = { general: {} } as typeof withoutCoder.agents;
    stack.praktor = await startPraktor({ config: withoutCoder, anthropicUrl: stack.anthropic.url, home });
    const base = stack.praktor.webUrl;
    const [run] = await runsWhen(base, task.id, (runs) => ended(runs).length === 1);
    expect(run).toMatchObject({
      status: 'error',
      error: 'its agent "coder" is no longer configured (agents: general); give the task another agent',
    });
    const listed = await api<TaskItem>(base, 'GET', `/api/tasks/${task.id}`);
    expect(listed.agent_name).toBeNull();
    const [told] = await chatWhen(stack, 1);
    expect(told).toContain(
      'The scheduled task "orphan" could not run: its agent "coder" is no longer configured',
    );
    expect(modelRuns(stack, 'code something')).toBe(0);
  });
});

describe('runs missed while no gateway was running', () => {
  it('are caught up by policy: skip runs none, once runs one, all runs each', async () => {
    stack = await startStack({ handler: model, config: stackConfig() });
    await openChat(stack);
    const base = stack.praktor.webUrl;
    const instants = await instantsAhead(5000, 3);
    const schedule = cronAt(instants);
    const tasks = {
      skip: await createTask(base, { name: 'skip', schedule, prompt: 'policy skip', catch_up: 'skip' }),
      once: await createTask(base, { name: 'once', schedule, prompt: 'policy once', catch_up: 'once' }),
      all: await createTask(base, { name: 'all', schedule, prompt: 'policy all', catch_up: 'all' }),
    };
    await stack.praktor.stop();
    // Meaningless unless the gateway was down before the first occurrence.
    expect(Date.now()).toBeLessThan(instants[0] as number);
    await sleep((instants[2] as number) + 1000 - Date.now());
    await stack.restart();
    const base2 = stack.praktor.webUrl;

    const all = await runsWhen(base2, tasks.all.id, (runs) => ended(runs).length === 3);
    const once = await runsWhen(base2, tasks.once.id, (runs) => ended(runs).length === 1);
    await sleep(2000);
    expect(all.map((r) => [r.scheduled_for, r.status]).sort()).toEqual(instants.map((at) => [at, 'ok']));
    expect(await runsOf(base2, tasks.all.id)).toHaveLength(3);
    expect(once.map((r) => [r.scheduled_for, r.status])).toEqual([[instants[0], 'ok']]);
    expect(await runsOf(base2, tasks.once.id)).toHaveLength(1);
    expect((await runsOf(base2, tasks.skip.id)).map((r) => [r.scheduled_for, r.status, r.error])).toEqual([
      [instants[0], 'skipped', '3 runs missed while Praktor was not running, not run (catch_up: skip)'],
    ]);
    expect([
      modelRuns(stack, 'policy skip'),
      modelRuns(stack, 'policy once'),
      modelRuns(stack, 'policy all'),
    ]).toEqual([0, 1, 3]);
    for (const task of Object.values(tasks)) {
      expect(await api<TaskItem>(base2, 'GET', `/api/tasks/${task.id}`)).toMatchObject({
        status: 'completed',
      });
    }
  });
});

describe('a gateway killed during a run', () => {
  it('never runs it a second time: the run is interrupted and the chat told once', async () => {
    stack = await startStack({ handler: slowJob, config: stackConfig() });
    await openChat(stack);
    const task = await createTask(stack.praktor.webUrl, {
      name: 'slow',
      schedule: '+1s',
      prompt: 'slow job',
    });
    await stack.anthropic.waitForRequest((r) => r.kind === 'main' && r.lastUserText === 'slow job', 30_000);
    stack.praktor.process.child.kill('SIGKILL');
    await stack.praktor.process.exited;
    await stack.restart();
    const base = stack.praktor.webUrl;
    const [run] = await runsWhen(base, task.id, (runs) => ended(runs).length === 1);
    expect(run).toMatchObject({
      status: 'interrupted',
      error: 'interrupted: Praktor stopped while the task was running',
    });
    const [told] = await chatWhen(stack, 1);
    expect(told).toContain('The scheduled task "slow" was interrupted');
    await stack.restart();
    await sleep(3000);
    expect(modelRuns(stack, 'slow job')).toBe(1);
    expect(await runsOf(stack.praktor.webUrl, task.id)).toHaveLength(1);
    expect(chat(stack)).toHaveLength(1);
    expect(await api<TaskItem>(stack.praktor.webUrl, 'GET', `/api/tasks/${task.id}`)).toMatchObject({
      status: 'completed',
      last_status: 'interrupted',
    });
  });
});

describe('a gateway stopped with SIGTERM during a run', () => {
  it('leaves the run to the next start, which settles it as interrupted and tells the chat once', async () => {
    stack = await startStack({ handler: slowJob, config: stackConfig() });
    await openChat(stack);
    const task = await createTask(stack.praktor.webUrl, {
      name: 'slow',
      schedule: '+1s',
      prompt: 'slow job',
    });
    await stack.anthropic.waitForRequest((r) => r.kind === 'main' && r.lastUserText === 'slow job', 30_000);
    expect((await stack.praktor.stop()).code).toBe(0);
    await stack.restart();
    const [run] = await runsWhen(stack.praktor.webUrl, task.id, (runs) => ended(runs).length === 1);
    expect(run).toMatchObject({
      status: 'interrupted',
      error: 'interrupted: Praktor stopped while the task was running',
    });
    const [told] = await chatWhen(stack, 1);
    expect(told).toContain('The scheduled task "slow" was interrupted');
    await sleep(2000);
    expect(chat(stack)).toHaveLength(1);
    expect(modelRuns(stack, 'slow job')).toBe(1);
  });
});

describe('two gateways on one database', () => {
  it('never run the same occurrence twice', async () => {
    const anthropicStack = await startStack({ handler: model, config: webOnlyConfig });
    stack = anthropicStack;
    const first = anthropicStack.praktor;
    const second = await startPraktor({
      config: webOnlyConfig(),
      anthropicUrl: anthropicStack.anthropic.url,
      home: first.home,
    });
    try {
      const instants = await instantsAhead(3000, 4);
      const prompts = Array.from({ length: 6 }, (_, i) => `shared ${i}`);
      const tasks = await Promise.all(
        prompts.map((prompt, i) =>
          createTask(i % 2 === 0 ? first.webUrl : second.webUrl, {
            name: prompt,
            schedule: cronAt(instants),
            prompt,
            // Every occurrence, even one that waited for a free slot past the next.
            catch_up: 'all',
          }),
        ),
      );
      for (const task of tasks) {
        const runs = await runsWhen(first.webUrl, task.id, (r) => ended(r).length === 4, 90_000);
        expect(runs.map((r) => r.status)).toEqual(['ok', 'ok', 'ok', 'ok']);
        expect(runs.map((r) => r.scheduled_for).sort()).toEqual(instants);
      }
      await sleep(2000);
      for (const prompt of prompts) expect(modelRuns(anthropicStack, prompt)).toBe(4);
      const started = [first, second].map((p) => p.logs().filter((l) => l.msg === 'task run started').length);
      console.log(`two gateways: runs started ${started.join(' + ')}`);
      expect(started[0] as number).toBeGreaterThan(0);
      expect(started[1] as number).toBeGreaterThan(0);
      expect((started[0] as number) + (started[1] as number)).toBe(24);
    } finally {
      await second.stop();
    }
  }, 150_000);
});

/** Mission Control only (one Telegram bot cannot be polled by two gateways): results go to the web chat. */
function webOnlyConfig() {
  return {
    defaults: { model: 'claude-test' },
    agents: { general: {} },
    scheduler: { poll_interval: '5m', timezone: 'UTC', max_parallel: 3 },
  };
}
