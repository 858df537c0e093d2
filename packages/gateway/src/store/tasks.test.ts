import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type Claim, Store, type TaskRecord } from './index.js';

let dir: string;
let store: Store;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'praktor-tasks-'));
  store = Store.open(dir);
});

afterEach(() => {
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

const T0 = Date.UTC(2026, 0, 5, 9, 0);
const MINUTE = 60_000;

function newTask(overrides: Partial<Parameters<Store['tasks']['create']>[0]> = {}): TaskRecord {
  return store.tasks.create(
    {
      id: `task-${Math.random().toString(36).slice(2)}`,
      agentId: 'general',
      name: 'morning brief',
      schedule: JSON.stringify({ kind: 'cron', cron_expr: '* * * * *', interval_ms: 0, at_ms: 0 }),
      prompt: 'Reply with: good morning',
      timezone: null,
      catchUp: 'once',
      chat: { channel: 'telegram', chatId: '42' },
      status: 'active',
      nextRunAt: T0,
      createdBy: 'api',
      ...overrides,
    },
    T0 - MINUTE,
  );
}

/** A claim of the task's next run, moving it on by a minute. */
function claimOf(task: TaskRecord, owner = 'gateway-a'): Claim {
  return {
    task,
    triggeredBy: 'schedule',
    scheduledFor: task.nextRunAt as number,
    nextRunAt: (task.nextRunAt as number) + MINUTE,
    status: 'active',
    chat: task.chat,
    owner,
    now: T0 + 5,
  };
}

describe('TaskStore', () => {
  it('stores a task and reads it back, oldest first in lists', () => {
    const first = newTask();
    const second = newTask({ agentId: 'coder' });
    expect(store.tasks.get(first.id)).toMatchObject({
      agentId: 'general',
      catchUp: 'once',
      chat: { channel: 'telegram', chatId: '42' },
      status: 'active',
      nextRunAt: T0,
      lastStatus: null,
    });
    expect(store.tasks.list().map((t) => t.id)).toEqual([first.id, second.id]);
    expect(store.tasks.list({ agentId: 'coder' }).map((t) => t.id)).toEqual([second.id]);
  });

  it('changes only the fields given, and moves the revision on', () => {
    const task = newTask();
    const changed = store.tasks.update(task.id, { name: 'evening brief', timezone: 'Europe/Berlin' });
    expect(changed).toMatchObject({ name: 'evening brief', timezone: 'Europe/Berlin', nextRunAt: T0 });
    expect(changed?.revision).toBe(task.revision + 1);
    expect(store.tasks.update('missing', { name: 'x' })).toBeNull();
  });

  it('claims a due run: the task moves on, the prompt is stored routed to the agent, the run is running', () => {
    const task = newTask();
    const claimed = store.tasks.claim(claimOf(task));
    expect(claimed?.task).toMatchObject({ nextRunAt: T0 + MINUTE, lastRunAt: T0 + 5, lastStatus: 'running' });
    expect(claimed?.run).toMatchObject({
      taskId: task.id,
      scheduledFor: T0,
      triggeredBy: 'schedule',
      startedAt: T0 + 5,
      status: 'running',
      owner: 'gateway-a',
    });
    const message = store.messages.get(claimed?.run.messageId as number);
    expect(message).toMatchObject({
      direction: 'in',
      channel: 'telegram',
      chatId: '42',
      sender: 'scheduler',
      agentId: 'general',
      state: 'routed',
      text: 'Reply with: good morning',
    });
    expect(claimed?.messages.map((m) => m.state)).toEqual(['received', 'routed']);
  });

  it('refuses a claim planned on a task that changed since it was read', () => {
    const task = newTask();
    store.tasks.update(task.id, { prompt: 'Reply with: changed' });
    expect(store.tasks.claim(claimOf(task))).toBeNull();
    expect(store.tasks.runs(task.id, 10)).toEqual([]);
  });

  it('lets exactly one of two gateways on one database file claim the same occurrence', () => {
    const other = Store.open(dir);
    try {
      const task = newTask();
      // Both read the task before either claims: the race the claim must settle.
      const seenByA = store.tasks.get(task.id) as TaskRecord;
      const seenByB = other.tasks.get(task.id) as TaskRecord;
      const a = store.tasks.claim(claimOf(seenByA, 'gateway-a'));
      const b = other.tasks.claim(claimOf(seenByB, 'gateway-b'));
      expect([a, b].filter((claim) => claim !== null)).toHaveLength(1);
      expect(store.tasks.runs(task.id, 10)).toHaveLength(1);
      expect(store.messages.latest(10).filter((m) => m.sender === 'scheduler')).toHaveLength(1);
    } finally {
      other.close();
    }
  });

  it('never claims an occurrence that has run before, and still moves the task on', () => {
    const task = newTask();
    const first = store.tasks.claim(claimOf(task)) as NonNullable<ReturnType<Store['tasks']['claim']>>;
    // The task pointed back at the same occurrence (say, by an edit): the claim refuses it.
    const rewound = store.tasks.update(task.id, { nextRunAt: T0 }) as TaskRecord;
    expect(store.tasks.claim(claimOf(rewound))).toBeNull();
    expect(store.tasks.get(task.id)?.nextRunAt).toBe(T0 + MINUTE);
    expect(store.tasks.runs(task.id, 10).map((r) => r.id)).toEqual([first.run.id]);
  });

  it('claims a requested run without moving the schedule', () => {
    const task = newTask({ nextRunAt: T0 + 10 * MINUTE });
    const requested = store.tasks.requestRun(task.id, T0) as TaskRecord;
    expect(store.tasks.requestRun(task.id, T0 + 1)?.runRequestedAt).toBe(T0);
    const claimed = store.tasks.claim({
      ...claimOf(store.tasks.get(task.id) as TaskRecord),
      triggeredBy: 'manual',
      scheduledFor: requested.runRequestedAt as number,
      nextRunAt: T0 + 10 * MINUTE,
    });
    expect(claimed?.run).toMatchObject({ triggeredBy: 'manual', scheduledFor: T0 });
    expect(claimed?.task).toMatchObject({ nextRunAt: T0 + 10 * MINUTE, runRequestedAt: null });
  });

  it('lists due tasks, the longest due first, requested runs included and paused schedules left out', () => {
    const later = newTask({ nextRunAt: T0 + 2 * MINUTE });
    const sooner = newTask({ nextRunAt: T0 + MINUTE });
    const paused = newTask({ status: 'paused', nextRunAt: null });
    newTask({ nextRunAt: T0 + 60 * MINUTE });
    store.tasks.requestRun(paused.id, T0 + 90_000);
    expect(store.tasks.due(T0 + 3 * MINUTE, 10).map((t) => t.id)).toEqual([sooner.id, paused.id, later.id]);
    expect(store.tasks.due(T0 + 3 * MINUTE, 1).map((t) => t.id)).toEqual([sooner.id]);
    expect(store.tasks.nextDueAt()).toBe(T0 + MINUTE);
  });

  it('records how a run ended, on the run and on its task', () => {
    const task = newTask();
    const claimed = store.tasks.claim(claimOf(task)) as NonNullable<ReturnType<Store['tasks']['claim']>>;
    const finished = store.tasks.finishRun(claimed.run.id, {
      status: 'error',
      error: 'model overloaded',
      answer: null,
      costUsd: 0.01,
      usage: { inputTokens: 10, outputTokens: 2, cacheReadTokens: 0, cacheWriteTokens: 0 },
      endedAt: T0 + 9,
    });
    expect(finished?.run).toMatchObject({ status: 'error', error: 'model overloaded', endedAt: T0 + 9 });
    expect(finished?.run.usage).toEqual({
      inputTokens: 10,
      outputTokens: 2,
      cacheReadTokens: 0,
      cacheWriteTokens: 0,
    });
    expect(finished?.task).toMatchObject({ lastStatus: 'error', lastError: 'model overloaded' });
  });

  describe('settling a run whose gateway stopped', () => {
    const words = () => ({ error: 'interrupted: stopped', notice: '⚠️ interrupted' });

    it('interrupts a run whose message is unanswered, fails the message and tells its chat once', () => {
      const task = newTask();
      const { run } = store.tasks.claim(claimOf(task)) as NonNullable<ReturnType<Store['tasks']['claim']>>;
      const settled = store.tasks.settle(run.id, words, T0 + 20);
      expect(settled?.run).toMatchObject({ status: 'interrupted', error: 'interrupted: stopped' });
      expect(settled?.task).toMatchObject({ lastStatus: 'interrupted' });
      expect(store.messages.get(run.messageId as number)).toMatchObject({ state: 'failed' });
      expect(store.messages.pendingOutbound('telegram').map((m) => [m.text, m.inReplyTo])).toEqual([
        ['⚠️ interrupted', run.messageId],
      ]);
      expect(store.tasks.settle(run.id, words)).toBeNull();
      expect(store.messages.pendingOutbound('telegram')).toHaveLength(1);
    });

    it('records a run whose answer was stored before the gateway stopped as ok, with its answer', () => {
      const task = newTask();
      const { run } = store.tasks.claim(claimOf(task)) as NonNullable<ReturnType<Store['tasks']['claim']>>;
      store.messages.answer(run.messageId as number, {
        agentId: 'general',
        sender: 'agent',
        text: 'good morning',
      });
      const settled = store.tasks.settle(run.id, words);
      expect(settled?.run).toMatchObject({ status: 'ok', answer: 'good morning', error: null });
      expect(settled?.messages).toEqual([]);
    });

    it('records a run whose failure was stored before the gateway stopped as failed', () => {
      const task = newTask();
      const { run } = store.tasks.claim(claimOf(task)) as NonNullable<ReturnType<Store['tasks']['claim']>>;
      store.messages.answer(run.messageId as number, {
        agentId: 'general',
        sender: 'system',
        text: '⚠️ overloaded',
        error: 'overloaded',
      });
      expect(store.tasks.settle(run.id, words)?.run).toMatchObject({ status: 'error', error: 'overloaded' });
    });
  });

  it('records left-out occurrences as one skipped run and moves the task on', () => {
    const task = newTask();
    const skipped = store.tasks.skip(task, {
      scheduledFor: T0,
      nextRunAt: null,
      status: 'completed',
      reason: '1 run missed',
    });
    expect(skipped?.run).toMatchObject({
      status: 'skipped',
      scheduledFor: T0,
      startedAt: null,
      error: '1 run missed',
    });
    expect(skipped?.task).toMatchObject({ status: 'completed', nextRunAt: null, lastStatus: 'skipped' });
    expect(
      store.tasks.skip(task, { scheduledFor: T0, nextRunAt: null, status: 'completed', reason: 'x' }),
    ).toBeNull();
  });

  it('keeps task runs out of the messages a restart resumes as conversation turns', () => {
    const task = newTask();
    store.tasks.claim(claimOf(task));
    const { message } = store.messages.receive({
      channel: 'telegram',
      chatId: '42',
      sender: 'user:7',
      text: 'hi',
    });
    expect(store.messages.openInbound().map((m) => m.id)).toEqual([message.id]);
  });

  it('forgets a stopped scheduler instance only once none of its runs is left running', () => {
    store.tasks.registerInstance({ id: 'gateway-a', host: 'h', pid: 1, startedAt: T0 });
    expect(store.tasks.heartbeat('gateway-a', T0 + 1)).toBe(true);
    expect(store.tasks.heartbeat('unknown', T0 + 1)).toBe(false);
    const { run } = store.tasks.claim(claimOf(newTask())) as NonNullable<ReturnType<Store['tasks']['claim']>>;
    store.tasks.forgetInstance('gateway-a');
    expect(store.tasks.instances().map((i) => [i.id, i.heartbeatAt])).toEqual([['gateway-a', T0 + 1]]);
    store.tasks.settle(run.id, () => ({ error: 'e', notice: 'n' }));
    store.tasks.forgetInstance('gateway-a');
    expect(store.tasks.instances()).toEqual([]);
  });

  it('deletes a task with its history, and completed tasks in one go', () => {
    const task = newTask();
    store.tasks.claim(claimOf(task));
    const done = newTask({ status: 'completed', nextRunAt: null });
    expect(store.tasks.deleteCompleted()).toEqual([done.id]);
    expect(store.tasks.delete(task.id)).toBe(true);
    expect(store.tasks.runs(task.id, 10)).toEqual([]);
    expect(store.tasks.delete(task.id)).toBe(false);
  });
});
