/**
 * The scheduled tasks' API on a real gateway: every endpoint's answer with the original's task JSON and Praktor's
 * additions, its validation (400 naming the field), unknown ids (404), refusals (409), and the live feed.
 */
import type { TaskItem, TaskRunItem, WsEvent } from '@praktor/protocol';
import { callApi, type ModelRequest, reply, type Stack, startStack, TEST_USER_ID } from '@praktor/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';

const PASSWORD = 'tasks api password';
const basic = { authorization: `Basic ${Buffer.from(`any:${PASSWORD}`).toString('base64')}` };
const HOUR = 3_600_000;

let stack: Stack;
let base: string;

const call = (method: string, path: string, body?: unknown) =>
  callApi(base, method, path, { body, headers: basic }).then(({ status, json }) => ({ status, json }));

async function create(task: Record<string, unknown>): Promise<TaskItem> {
  const response = await call('POST', '/api/tasks', {
    agent_id: 'general',
    name: 'a task',
    prompt: 'Reply with: hi',
    schedule: 'every 2h',
    ...task,
  });
  if (response.status !== 201) throw new Error(`create failed: ${JSON.stringify(response.json)}`);
  return response.json;
}

async function until<T>(check: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** The task's runs once one has ended. */
function endedRuns(id: string): Promise<TaskRunItem[]> {
  return until(async () => {
    const runs: TaskRunItem[] = (await call('GET', `/api/tasks/${id}/runs`)).json;
    return runs.some((r) => r.status !== 'running') ? runs : undefined;
  });
}

function model(req: ModelRequest) {
  if (req.kind !== 'main') return reply.text('side call');
  return reply.text(`done: ${req.lastUserText}`);
}

beforeAll(async () => {
  stack = await startStack({
    handler: model,
    config: ({ telegramApiRoot, telegramToken }) => ({
      telegram: { token: telegramToken, api_root: telegramApiRoot, allow_from: [TEST_USER_ID] },
      agents: { general: {}, coder: {} },
      router: { default_agent: 'general' },
      web: { auth: PASSWORD },
      scheduler: { timezone: 'Europe/Berlin' },
    }),
  });
  base = stack.praktor.webUrl;
});

afterAll(async () => {
  await stack?.close();
});

describe('POST /api/tasks', () => {
  it('creates a task with the original’s fields and Praktor’s', async () => {
    const before = Date.now();
    const response = await call('POST', '/api/tasks', {
      agent_id: 'coder',
      name: 'check the build',
      schedule: 'every 2h',
      prompt: 'Reply with: build is green',
    });
    expect(response.status).toBe(201);
    const task: TaskItem = response.json;
    expect(task).toMatchObject({
      name: 'check the build',
      schedule: '{"kind":"interval","cron_expr":"","interval_ms":7200000,"at_ms":0}',
      schedule_display: 'Every 2 hours',
      agent_id: 'coder',
      agent_name: 'coder',
      prompt: 'Reply with: build is green',
      enabled: true,
      status: 'active',
      last_run: null,
      timezone: null,
      effective_timezone: 'Europe/Berlin',
      catch_up: 'once',
      schedule_edit: 'every 2h',
      last_status: null,
      last_error: null,
      last_run_at: null,
      run_requested_at: null,
      chat: { channel: 'web', chat_id: 'web' },
      created_by: 'api',
    });
    expect(task.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(task.next_run_at).toBeGreaterThanOrEqual(before + 2 * HOUR);
    expect(task.next_run_at).toBeLessThanOrEqual(Date.now() + 2 * HOUR);
    expect(task.next_run).toMatch(/^(\d\d:\d\d|[A-Z][a-z]{2} \d{1,2} \d\d:\d\d)$/);
  });

  it('creates a task paused, without a next run, when enabled is false', async () => {
    const task = await create({ enabled: false });
    expect(task).toMatchObject({ status: 'paused', enabled: false, next_run_at: null, next_run: null });
  });

  it('takes the task’s own zone, catch-up policy and chat', async () => {
    const task = await create({
      schedule: '0 9 * * *',
      timezone: 'America/New_York',
      catch_up: 'all',
      chat: { channel: 'telegram', chat_id: String(TEST_USER_ID) },
    });
    expect(task).toMatchObject({
      timezone: 'America/New_York',
      effective_timezone: 'America/New_York',
      catch_up: 'all',
      chat: { channel: 'telegram', chat_id: String(TEST_USER_ID) },
      schedule_display: 'Every day at 09:00',
    });
    const wall = new Intl.DateTimeFormat('en-US', {
      timeZone: 'America/New_York',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    }).format(task.next_run_at as number);
    expect(wall).toBe('09:00');
  });

  it.each([
    [{ prompt: undefined }, 'prompt: is required'],
    [{ name: '  ' }, 'name: must not be empty'],
    [{ agent_id: 'writer' }, 'agent_id: "writer" is not a configured agent (agents: general, coder)'],
    [
      { timezone: 'Mars/Base' },
      'timezone: unknown time zone "Mars/Base" (use an IANA name such as Europe/Berlin or UTC)',
    ],
    [{ catch_up: 'sometimes' }, "catch_up: must be 'skip', 'once' or 'all'"],
    [{ chat: { channel: 'email', chat_id: 'x' } }, "chat.channel: must be 'telegram' or 'web'"],
    [
      { schedule: '2020-01-01T09:00' },
      'schedule: "2020-01-01T09:00" is in the past: the task would never run',
    ],
  ])('answers 400 naming the field for %j', async (change, error) => {
    const response = await call('POST', '/api/tasks', {
      agent_id: 'general',
      name: 'bad',
      prompt: 'p',
      schedule: 'every 1h',
      ...change,
    });
    expect(response).toEqual({ status: 400, json: { error } });
  });

  it('answers 400 with what is wrong in a cron expression', async () => {
    const response = await call('POST', '/api/tasks', {
      agent_id: 'general',
      name: 'bad',
      prompt: 'p',
      schedule: '61 * * * *',
    });
    expect(response.status).toBe(400);
    expect(response.json.error).toMatch(/^schedule: invalid cron expression "61 \* \* \* \*": .*minute/);
  });
});

describe('GET /api/tasks', () => {
  it('lists every task oldest first, or one agent’s', async () => {
    const all: TaskItem[] = (await call('GET', '/api/tasks')).json;
    expect(all.length).toBeGreaterThanOrEqual(3);
    expect(all.map((t) => t.created_at)).toEqual([...all.map((t) => t.created_at)].sort((a, b) => a - b));
    const coder: TaskItem[] = (await call('GET', '/api/tasks?agent_id=coder')).json;
    expect(coder.map((t) => t.name)).toEqual(['check the build']);
  });

  it('shows one task, and 404 for an unknown id', async () => {
    const task = await create({ name: 'one' });
    expect((await call('GET', `/api/tasks/${task.id}`)).json).toEqual(task);
    expect(await call('GET', '/api/tasks/nope')).toEqual({
      status: 404,
      json: { error: 'task nope not found' },
    });
  });
});

describe('PUT /api/tasks/{id}', () => {
  it('renames a task without touching its schedule, its kind or its next run', async () => {
    const task = await create({ schedule: 'every 2h' });
    const renamed = await call('PUT', `/api/tasks/${task.id}`, { name: 'renamed' });
    expect(renamed.status).toBe(200);
    expect(renamed.json).toMatchObject({
      name: 'renamed',
      schedule: task.schedule,
      schedule_display: 'Every 2 hours',
      next_run_at: task.next_run_at,
    });
  });

  it('keeps an interval an interval when its edit form is saved unchanged', async () => {
    const task = await create({ schedule: 'every 2h' });
    const saved = await call('PUT', `/api/tasks/${task.id}`, {
      schedule: task.schedule_edit,
      prompt: 'new prompt',
    });
    expect(saved.json).toMatchObject({ schedule: task.schedule, prompt: 'new prompt', status: 'active' });
  });

  it('computes the next run again for a new schedule, and pauses and resumes with enabled', async () => {
    const task = await create({ schedule: 'every 2h' });
    const daily = (await call('PUT', `/api/tasks/${task.id}`, { schedule: '@daily' })).json as TaskItem;
    expect(daily).toMatchObject({ schedule_display: 'Every day at 00:00' });
    expect(daily.next_run_at).not.toBe(task.next_run_at);
    const paused = (await call('PUT', `/api/tasks/${task.id}`, { enabled: false })).json as TaskItem;
    expect(paused).toMatchObject({ status: 'paused', enabled: false, next_run_at: null });
    const active = (await call('PUT', `/api/tasks/${task.id}`, { enabled: true })).json as TaskItem;
    expect(active).toMatchObject({ status: 'active', next_run_at: daily.next_run_at });
  });

  it('answers 400 naming the field, and 404 for an unknown id', async () => {
    const task = await create({});
    const badStatus = await call('PUT', `/api/tasks/${task.id}`, { status: 'bogus' });
    expect(badStatus).toEqual({
      status: 400,
      json: { error: "status: must be 'active', 'paused' or 'completed'" },
    });
    const badSchedule = await call('PUT', `/api/tasks/${task.id}`, { schedule: 'whenever' });
    expect(badSchedule.status).toBe(400);
    expect(badSchedule.json.error).toMatch(/^schedule: /);
    expect((await call('PUT', '/api/tasks/nope', { name: 'x' })).status).toBe(404);
  });
});

describe('pause, resume and run now', () => {
  it('pauses a task off its schedule and resumes it from now', async () => {
    const task = await create({ schedule: '@hourly' });
    const paused = await call('POST', `/api/tasks/${task.id}/pause`);
    expect(paused).toMatchObject({ status: 200, json: { status: 'paused', next_run_at: null } });
    const resumed = await call('POST', `/api/tasks/${task.id}/resume`);
    expect(resumed).toMatchObject({ status: 200, json: { status: 'active', next_run_at: task.next_run_at } });
  });

  it('runs a task now, outside its schedule, which stays as it was', async () => {
    const task = await create({ schedule: '@yearly', prompt: 'run me now' });
    const asked = await call('POST', `/api/tasks/${task.id}/run`);
    expect(asked.status).toBe(202);
    expect(asked.json.run_requested_at).toBeGreaterThan(0);
    const [run] = await endedRuns(task.id);
    expect(run).toMatchObject({ triggered_by: 'manual', status: 'ok', answer: 'done: run me now' });
    const after = (await call('GET', `/api/tasks/${task.id}`)).json as TaskItem;
    expect(after).toMatchObject({ next_run_at: task.next_run_at, run_requested_at: null, last_status: 'ok' });
    const messages = (await call('GET', '/api/agents/definitions/general/messages')).json as {
      text: string;
    }[];
    expect(messages.map((m) => m.text)).toContain('done: run me now');
  });

  it('keeps a completed one-shot completed when asked to resume, and says why', async () => {
    const task = await create({ schedule: '+1s', prompt: 'once only' });
    await endedRuns(task.id);
    const done = (await call('GET', `/api/tasks/${task.id}`)).json as TaskItem;
    expect(done.status).toBe('completed');
    const resumed = await call('POST', `/api/tasks/${task.id}/resume`);
    expect(resumed.status).toBe(409);
    expect(resumed.json.error).toBe(
      `task ${task.id} has no run left (${done.schedule_display}); give it a new schedule to run it again`,
    );
    expect((await call('PUT', `/api/tasks/${task.id}`, { enabled: true })).status).toBe(409);
    expect((await call('GET', `/api/tasks/${task.id}`)).json.status).toBe('completed');
    expect((await call('POST', `/api/tasks/${task.id}/pause`)).status).toBe(409);
  });

  it('answers 404 for an unknown id', async () => {
    for (const action of ['pause', 'resume', 'run']) {
      expect(await call('POST', `/api/tasks/nope/${action}`)).toEqual({
        status: 404,
        json: { error: 'task nope not found' },
      });
    }
  });
});

describe('GET /api/tasks/{id}/runs', () => {
  it('answers 404 for an unknown task and 400 for a bad limit', async () => {
    expect((await call('GET', '/api/tasks/nope/runs')).status).toBe(404);
    const task = await create({});
    const bad = await call('GET', `/api/tasks/${task.id}/runs?limit=0`);
    expect(bad.status).toBe(400);
    expect(bad.json.error).toMatch(/^limit: /);
    expect((await call('GET', `/api/tasks/${task.id}/runs`)).json).toEqual([]);
  });
});

describe('DELETE', () => {
  it('deletes a task, and 404 once it is gone', async () => {
    const task = await create({});
    expect(await call('DELETE', `/api/tasks/${task.id}`)).toEqual({
      status: 200,
      json: { status: 'deleted' },
    });
    expect((await call('GET', `/api/tasks/${task.id}`)).status).toBe(404);
    expect((await call('DELETE', `/api/tasks/${task.id}`)).status).toBe(404);
  });

  it('deletes every completed task at once', async () => {
    const all: TaskItem[] = (await call('GET', '/api/tasks')).json;
    const completed = all.filter((t) => t.status === 'completed').length;
    expect(completed).toBeGreaterThan(0);
    expect(await call('DELETE', '/api/tasks/completed')).toEqual({
      status: 200,
      json: { status: 'deleted', count: completed },
    });
    const left: TaskItem[] = (await call('GET', '/api/tasks')).json;
    expect(left.filter((t) => t.status === 'completed')).toEqual([]);
  });
});

describe('the API description and the live feed', () => {
  it('documents every task endpoint in /api/openapi.json', async () => {
    const doc = (await call('GET', '/api/openapi.json')).json as {
      paths: Record<string, Record<string, unknown>>;
    };
    expect(Object.keys(doc.paths['/api/tasks'] ?? {}).sort()).toEqual(['get', 'post']);
    expect(Object.keys(doc.paths['/api/tasks/{id}'] ?? {}).sort()).toEqual(['delete', 'get', 'put']);
    for (const path of ['completed', '{id}/runs', '{id}/pause', '{id}/resume', '{id}/run']) {
      expect(doc.paths).toHaveProperty([`/api/tasks/${path}`]);
    }
  });

  it('announces tasks and their runs as they change', async () => {
    const socket = new WebSocket(`${base.replace('http', 'ws')}/api/ws`, { headers: basic });
    const events: WsEvent[] = [];
    socket.on('message', (data) => events.push(JSON.parse(String(data))));
    await new Promise((resolve, reject) => {
      socket.on('open', resolve);
      socket.on('error', reject);
    });
    try {
      const task = await create({ schedule: '@yearly', prompt: 'live run' });
      await call('POST', `/api/tasks/${task.id}/run`);
      await endedRuns(task.id);
      await call('DELETE', `/api/tasks/${task.id}`);
      await until(async () => (events.some((e) => e.type === 'task' && e.task === null) ? true : undefined));
      const mine = events.filter(
        (e) => (e.type === 'task' || e.type === 'task_run') && e.task_id === task.id,
      );
      expect(mine[0]).toMatchObject({ type: 'task', task: { id: task.id, status: 'active' } });
      const runs = mine.flatMap((e) => (e.type === 'task_run' ? [e.run.status] : []));
      expect(runs).toEqual(['running', 'ok']);
      expect(mine.at(-1)).toMatchObject({ type: 'task', task: null });
    } finally {
      socket.close();
    }
  });
});
