import type {
  ActivityItem,
  AgentSummary,
  MessageItem,
  StatusResponse,
  TaskItem,
  TaskRunItem,
  WsEvent,
} from '@praktor/protocol';
import { QueryClient } from '@tanstack/react-query';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { keys } from '../api/queries';
import {
  applyEvent,
  coalesce,
  joinsAgent,
  type LiveTargets,
  rememberTask,
  upsertMessage,
  upsertRecent,
  upsertRun,
  upsertTask,
} from './cache';
import { DraftStore } from './drafts';

function message(id: number, over: Partial<MessageItem> = {}): MessageItem {
  return {
    id,
    agent_id: 'general',
    role: 'user',
    text: `message ${id}`,
    channel: 'web',
    chat_id: 'web',
    sender: 'user:web',
    state: 'routed',
    error: null,
    in_reply_to: null,
    routing: null,
    created_at: 1_000 + id,
    task: null,
    file: null,
    spend: null,
    ...over,
  };
}

function agent(id: string, over: Partial<AgentSummary> = {}): AgentSummary {
  return {
    id,
    name: id,
    description: '',
    model: 'm',
    workspace: id,
    runtime: 'local',
    image: null,
    nix_enabled: false,
    nix_problem: null,
    workbench: null,
    agent_status: 'stopped',
    default_agent: false,
    message_count: 0,
    last_active: null,
    ...over,
  };
}

function status(recent: MessageItem[]): StatusResponse {
  return {
    status: 'ok',
    version: '0.1.0',
    started_at: 0,
    uptime_seconds: 1,
    agents_count: 2,
    active_agents: 0,
    telegram: { state: 'off' },
    runtime: { name: 'local', confinement: 'none' },
    scheduler: { timezone: 'UTC', default_chat: { channel: 'web', chat_id: 'web' } },
    backlog: { inbox: 0, outbox: 0, failed_deliveries: 0 },
    recent_messages: recent,
    setup: [],
    vault: { locked: false },
    config_warnings: [],
    config: { file: '/srv/praktor.yaml', loaded_at: 0, error: null },
  };
}

function task(id: string, over: Partial<TaskItem> = {}): TaskItem {
  return {
    id,
    name: `task ${id}`,
    schedule: '{"kind":"interval","interval_ms":60000}',
    schedule_display: 'Every minute',
    agent_id: 'general',
    agent_name: 'general',
    prompt: 'p',
    enabled: true,
    status: 'active',
    last_run: null,
    next_run: '09:00',
    timezone: null,
    effective_timezone: 'UTC',
    catch_up: 'once',
    schedule_edit: 'every 1m',
    last_status: null,
    last_error: null,
    last_run_at: null,
    next_run_at: 5_000,
    run_requested_at: null,
    chat: { channel: 'web', chat_id: 'web' },
    created_by: 'api',
    created_at: 100,
    updated_at: 100,
    ...over,
  };
}

function run(id: number, over: Partial<TaskRunItem> = {}): TaskRunItem {
  return {
    id,
    task_id: 'a',
    scheduled_for: 1_000 + id,
    triggered_by: 'schedule',
    started_at: 1_000 + id,
    ended_at: null,
    status: 'running',
    error: null,
    answer: null,
    cost_usd: null,
    usage: null,
    message_id: null,
    ...over,
  };
}

function targets(): LiveTargets & { errors: string[]; refreshes: number } {
  const t = {
    client: new QueryClient(),
    drafts: new DraftStore(),
    errors: [] as string[],
    refreshes: 0,
    refreshStatus: () => {
      t.refreshes += 1;
    },
    showError: (msg: string) => t.errors.push(msg),
  };
  return t;
}

const messageEvent = (m: MessageItem): WsEvent => ({
  type: 'message',
  timestamp: 0,
  agent_id: m.agent_id,
  message: m,
});

describe('upsertMessage', () => {
  it('inserts in id order and replaces by id', () => {
    const list = [message(1), message(3)];
    expect(upsertMessage(list, message(2)).map((m) => m.id)).toEqual([1, 2, 3]);
    expect(upsertMessage(list, message(4)).map((m) => m.id)).toEqual([1, 3, 4]);
    const replaced = upsertMessage(list, message(3, { state: 'processing' }));
    expect(replaced.map((m) => [m.id, m.state])).toEqual([
      [1, 'routed'],
      [3, 'processing'],
    ]);
  });

  it('ignores a copy that is behind the one held (a late REST reply after newer events)', () => {
    const list = [message(1, { state: 'answered' })];
    expect(upsertMessage(list, message(1, { state: 'routed' }))).toBe(list);
    const sent = [message(2, { role: 'assistant', state: 'sent' })];
    expect(upsertMessage(sent, message(2, { role: 'assistant', state: 'pending' }))).toBe(sent);
  });
});

describe('upsertRecent', () => {
  it('keeps the ten newest, newest first', () => {
    const recent = Array.from({ length: 10 }, (_, i) => message(10 - i));
    expect(upsertRecent(recent, message(11)).map((m) => m.id)).toEqual([11, 10, 9, 8, 7, 6, 5, 4, 3, 2]);
    expect(upsertRecent(recent, message(0))).toHaveLength(10);
    expect(upsertRecent(recent, message(0)).map((m) => m.id)).not.toContain(0);
  });
});

describe('joinsAgent', () => {
  it('counts an inbound message when routed and an answer when created', () => {
    expect(joinsAgent(message(1, { state: 'routed' }))).toBe(true);
    expect(joinsAgent(message(1, { state: 'processing' }))).toBe(false);
    expect(joinsAgent(message(2, { role: 'assistant', state: 'pending' }))).toBe(true);
    expect(joinsAgent(message(2, { role: 'assistant', state: 'sent' }))).toBe(false);
    expect(joinsAgent(message(3, { role: 'system', state: 'pending' }))).toBe(true);
  });
});

describe('applyEvent', () => {
  it('patches the conversation, recent activity and the agent counts without duplicating', () => {
    const t = targets();
    t.client.setQueryData(keys.messages('general'), [message(1, { state: 'answered' })]);
    t.client.setQueryData(keys.status, status([]));
    t.client.setQueryData(keys.agents, [agent('general', { message_count: 1 }), agent('coder')]);
    t.client.setQueryData(keys.agent('general'), agent('general', { message_count: 1 }));

    applyEvent(t, messageEvent(message(2, { state: 'routed', created_at: 5_000 })));
    applyEvent(t, messageEvent(message(2, { state: 'processing', created_at: 5_000 })));

    expect(
      t.client.getQueryData<MessageItem[]>(keys.messages('general'))?.map((m) => [m.id, m.state]),
    ).toEqual([
      [1, 'answered'],
      [2, 'processing'],
    ]);
    expect(t.client.getQueryData<StatusResponse>(keys.status)?.recent_messages.map((m) => m.id)).toEqual([2]);
    const [general, coder] = t.client.getQueryData<AgentSummary[]>(keys.agents) ?? [];
    expect(general).toMatchObject({ message_count: 2, last_active: 5_000 });
    expect(coder).toMatchObject({ message_count: 0 });
    expect(t.client.getQueryData<AgentSummary>(keys.agent('general'))?.message_count).toBe(2);
  });

  it('leaves a message with no agent yet (not routed) out of every conversation', () => {
    const t = targets();
    t.client.setQueryData(keys.status, status([]));
    applyEvent(t, messageEvent(message(1, { agent_id: null, state: 'received' })));
    expect(t.client.getQueryData<StatusResponse>(keys.status)?.recent_messages).toEqual([]);
  });

  it('does not create a conversation cache nobody has loaded', () => {
    const t = targets();
    applyEvent(t, messageEvent(message(1)));
    expect(t.client.getQueryData(keys.messages('general'))).toBeUndefined();
  });

  it('collects deltas into a draft that the answer replaces', () => {
    const t = targets();
    applyEvent(t, { type: 'delta', timestamp: 0, agent_id: 'general', message_id: 7, text: 'Hel' });
    applyEvent(t, { type: 'delta', timestamp: 0, agent_id: 'general', message_id: 7, text: 'lo' });
    expect(t.drafts.snapshot().get(7)?.text).toBe('Hello');
    applyEvent(t, messageEvent(message(7, { state: 'answered' })));
    expect(t.drafts.snapshot().get(7)?.text).toBe('Hello');
    applyEvent(t, messageEvent(message(8, { role: 'assistant', state: 'pending', in_reply_to: 7 })));
    expect(t.drafts.snapshot().size).toBe(0);
  });

  it('drops the draft of a question stopped on request, and every draft of a stopped agent', () => {
    const t = targets();
    applyEvent(t, { type: 'delta', timestamp: 0, agent_id: 'general', message_id: 7, text: 'a' });
    applyEvent(t, messageEvent(message(7, { state: 'stopped', error: 'stopped by the user' })));
    expect(t.drafts.snapshot().size).toBe(0);
    applyEvent(t, { type: 'delta', timestamp: 0, agent_id: 'coder', message_id: 9, text: 'b' });
    applyEvent(t, {
      type: 'agent_status',
      timestamp: 0,
      agent_id: 'coder',
      status: 'stopped',
      reason: 'crashed',
    });
    expect(t.drafts.snapshot().size).toBe(0);
  });

  it('patches an agent’s status and asks for the status counts again', () => {
    const t = targets();
    t.client.setQueryData(keys.agents, [agent('general'), agent('coder')]);
    applyEvent(t, { type: 'agent_status', timestamp: 0, agent_id: 'coder', status: 'busy', reason: null });
    expect(t.client.getQueryData<AgentSummary[]>(keys.agents)?.map((a) => a.agent_status)).toEqual([
      'stopped',
      'busy',
    ]);
    expect(t.refreshes).toBe(1);
  });

  it('shows announced errors with the agent they concern', () => {
    const t = targets();
    applyEvent(t, { type: 'error', timestamp: 0, agent_id: 'coder', message: 'could not start' });
    expect(t.errors).toEqual(['could not start']);
  });

  it('puts a change of Telegram’s connection into the status', () => {
    const t = targets();
    t.client.setQueryData(keys.status, status([]));
    const telegram = { state: 'failed', error: 'Telegram refused the bot token' } as const;
    applyEvent(t, { type: 'telegram', timestamp: 0, telegram });
    expect(t.client.getQueryData<StatusResponse>(keys.status)?.telegram).toEqual(telegram);
  });
});

describe('activity events', () => {
  function line(id: number, agentId = 'general'): ActivityItem {
    return {
      id,
      message_id: 2,
      agent_id: agentId,
      kind: 'tool',
      tool: 'Bash',
      summary: `step ${id}`,
      detail: '{}',
      created_at: 2_000 + id,
    };
  }
  const activityEvent = (activity: ActivityItem): WsEvent => ({ type: 'activity', timestamp: 0, activity });

  it('appends a line to the agent’s loaded activity, once, and leaves other agents’ alone', () => {
    const t = targets();
    t.client.setQueryData(keys.activity('general', 1), [line(1)]);
    t.client.setQueryData(keys.activity('coder', 1), []);

    applyEvent(t, activityEvent(line(2)));
    applyEvent(t, activityEvent(line(2)));

    expect(t.client.getQueryData<ActivityItem[]>(keys.activity('general', 1))?.map((a) => a.id)).toEqual([
      1, 2,
    ]);
    expect(t.client.getQueryData<ActivityItem[]>(keys.activity('coder', 1))).toEqual([]);
  });

  it('does not create an activity cache nobody has loaded', () => {
    const t = targets();
    applyEvent(t, activityEvent(line(1)));
    expect(t.client.getQueryData(keys.activity('general', 0))).toBeUndefined();
  });
});

describe('upsertTask', () => {
  it('replaces a task in place and adds a new one by creation time', () => {
    const list = [task('a', { created_at: 1 }), task('c', { created_at: 3 })];
    expect(upsertTask(list, task('b', { created_at: 2 })).map((t) => t.id)).toEqual(['a', 'b', 'c']);
    expect(upsertTask(list, task('d', { created_at: 4 })).map((t) => t.id)).toEqual(['a', 'c', 'd']);
    const renamed = upsertTask(list, task('c', { created_at: 3, name: 'renamed' }));
    expect(renamed.map((t) => [t.id, t.name])).toEqual([
      ['a', 'task a'],
      ['c', 'renamed'],
    ]);
  });
});

describe('upsertRun', () => {
  it('keeps the newest run first', () => {
    const list = [run(5), run(3)];
    expect(upsertRun(list, run(6)).map((r) => r.id)).toEqual([6, 5, 3]);
    expect(upsertRun(list, run(4)).map((r) => r.id)).toEqual([5, 4, 3]);
    expect(upsertRun(list, run(1)).map((r) => r.id)).toEqual([5, 3, 1]);
  });

  it('replaces a running run with its end, never an ended one with a running copy', () => {
    const ended = upsertRun([run(5)], run(5, { status: 'ok', answer: 'done' }));
    expect(ended[0]).toMatchObject({ status: 'ok', answer: 'done' });
    expect(upsertRun(ended, run(5))).toBe(ended);
  });
});

describe('task events', () => {
  it('add, change and remove tasks in the list and on a task’s own page', () => {
    const t = targets();
    t.client.setQueryData(keys.tasks, [task('a')]);
    t.client.setQueryData(keys.task('a'), task('a'));
    applyEvent(t, { type: 'task', timestamp: 0, task_id: 'b', task: task('b', { created_at: 200 }) });
    applyEvent(t, { type: 'task', timestamp: 0, task_id: 'a', task: task('a', { enabled: false }) });
    expect(t.client.getQueryData<TaskItem[]>(keys.tasks)?.map((x) => [x.id, x.enabled])).toEqual([
      ['a', false],
      ['b', true],
    ]);
    expect(t.client.getQueryData<TaskItem>(keys.task('a'))?.enabled).toBe(false);
    applyEvent(t, { type: 'task', timestamp: 0, task_id: 'a', task: null });
    expect(t.client.getQueryData<TaskItem[]>(keys.tasks)?.map((x) => x.id)).toEqual(['b']);
    expect(t.client.getQueryState(keys.task('a'))?.isInvalidated).toBe(true);
  });

  it('add and finish runs in the history of their task only', () => {
    const t = targets();
    t.client.setQueryData(keys.taskRuns('a'), [run(1, { status: 'ok' })]);
    applyEvent(t, { type: 'task_run', timestamp: 0, task_id: 'a', run: run(2) });
    applyEvent(t, {
      type: 'task_run',
      timestamp: 0,
      task_id: 'a',
      run: run(2, { status: 'error', error: 'x' }),
    });
    applyEvent(t, { type: 'task_run', timestamp: 0, task_id: 'b', run: run(3, { task_id: 'b' }) });
    expect(t.client.getQueryData<TaskRunItem[]>(keys.taskRuns('a'))?.map((r) => [r.id, r.status])).toEqual([
      [2, 'error'],
      [1, 'ok'],
    ]);
    expect(t.client.getQueryData(keys.taskRuns('b'))).toBeUndefined();
  });
});

describe('rememberTask', () => {
  it('puts a new task and a later change into the cache', () => {
    const client = new QueryClient();
    client.setQueryData(keys.tasks, [task('a')]);
    rememberTask(client, task('b'));
    rememberTask(client, task('a', { name: 'renamed', updated_at: 101 }));
    expect(client.getQueryData<TaskItem[]>(keys.tasks)?.map((x) => [x.id, x.name])).toEqual([
      ['a', 'renamed'],
      ['b', 'task b'],
    ]);
  });

  it('keeps what live events brought since the change it answers', () => {
    const client = new QueryClient();
    const started = task('a', { last_status: 'running', run_requested_at: null });
    client.setQueryData(keys.tasks, [started]);
    client.setQueryData(keys.task('a'), started);
    rememberTask(client, task('a', { run_requested_at: 50 }));
    expect(client.getQueryData<TaskItem[]>(keys.tasks)?.[0]).toBe(started);
    expect(client.getQueryData<TaskItem>(keys.task('a'))).toBe(started);
  });
});

describe('coalesce', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('runs once per window however often it is asked', () => {
    vi.useFakeTimers();
    const run = vi.fn();
    const ask = coalesce(run, 500);
    for (let i = 0; i < 20; i++) ask();
    vi.advanceTimersByTime(499);
    expect(run).not.toHaveBeenCalled();
    vi.advanceTimersByTime(1);
    expect(run).toHaveBeenCalledTimes(1);
    ask();
    ask.cancel();
    vi.advanceTimersByTime(1_000);
    expect(run).toHaveBeenCalledTimes(1);
  });
});
