import type { TaskItem } from '@praktor/protocol';
import { describe, expect, it } from 'vitest';
import { createTaskBody, oneShotExample, TaskFormSchema, taskFormValues, updateTaskBody } from './task-input';

function task(over: Partial<TaskItem> = {}): TaskItem {
  return {
    id: 't1',
    name: 'Stand-up notes',
    schedule: '{"kind":"interval","interval_ms":1800000}',
    schedule_display: 'Every 30 minutes',
    agent_id: 'general',
    agent_name: 'general',
    prompt: 'Summarise the stand-up.',
    enabled: true,
    status: 'active',
    last_run: null,
    next_run: '09:30',
    timezone: null,
    effective_timezone: 'UTC',
    catch_up: 'once',
    schedule_edit: 'every 30m',
    last_status: null,
    last_error: null,
    last_run_at: null,
    next_run_at: 1_000_000,
    run_requested_at: null,
    chat: { channel: 'web', chat_id: 'web' },
    created_by: 'api',
    created_at: 1,
    updated_at: 1,
    ...over,
  };
}

describe('taskFormValues', () => {
  it('starts a new task empty, for the given agent, enabled and catching up once', () => {
    expect(taskFormValues(undefined, 'coder')).toEqual({
      agent_id: 'coder',
      name: '',
      schedule: '',
      prompt: '',
      timezone: '',
      catch_up: 'once',
      enabled: true,
    });
  });

  it('fills the schedule box from schedule_edit, not from the stored JSON or the description', () => {
    const values = taskFormValues(task({ timezone: 'Europe/Berlin', catch_up: 'all' }), 'coder');
    expect(values).toMatchObject({
      agent_id: 'general',
      schedule: 'every 30m',
      timezone: 'Europe/Berlin',
      catch_up: 'all',
    });
  });
});

describe('TaskFormSchema', () => {
  /** The message of each field with an issue. */
  const issues = (values: unknown) => {
    const result = TaskFormSchema.safeParse(values);
    return Object.fromEntries((result.error?.issues ?? []).map((issue) => [issue.path[0], issue.message]));
  };

  it('names every empty required field, in the form’s words', () => {
    expect(issues({ ...taskFormValues(undefined, ''), prompt: '  ' })).toEqual({
      agent_id: 'Choose the agent that runs it.',
      name: 'Enter a name.',
      schedule: 'Enter when it runs, for example every 30m.',
      prompt: 'Enter what the agent is asked at each run.',
    });
  });

  it('finds nothing wrong with a filled form', () => {
    expect(issues(taskFormValues(task(), 'general'))).toEqual({});
  });

  it('checks the request with the API’s own schema, showing its message by the field as a sentence', () => {
    const values = { ...taskFormValues(task(), 'general'), schedule: `every ${'1'.repeat(1000)}m` };
    expect(issues(values)).toEqual({ schedule: 'Is longer than 1000 characters' });
  });
});

describe('createTaskBody', () => {
  it('sends every field, trimmed, and leaves an empty zone to the scheduler', () => {
    const values = {
      ...taskFormValues(undefined, 'general'),
      name: ' Brief ',
      schedule: ' 0 9 * * 1-5 ',
      prompt: 'Write the brief.\n',
    };
    expect(createTaskBody(values)).toEqual({
      agent_id: 'general',
      name: 'Brief',
      schedule: '0 9 * * 1-5',
      prompt: 'Write the brief.\n',
      enabled: true,
      catch_up: 'once',
    });
    expect(createTaskBody({ ...values, timezone: 'Asia/Tokyo' }).timezone).toBe('Asia/Tokyo');
  });
});

describe('updateTaskBody', () => {
  it('sends nothing for an unchanged form, so an interval stays an interval on its old phase', () => {
    const t = task();
    expect(updateTaskBody(t, taskFormValues(t, 'general'))).toEqual({});
  });

  it('sends only what changed', () => {
    const t = task();
    const values = { ...taskFormValues(t, 'general'), name: 'Renamed', catch_up: 'skip' as const };
    expect(updateTaskBody(t, values)).toEqual({ name: 'Renamed', catch_up: 'skip' });
  });

  it('sends a schedule that differs from schedule_edit, ignoring spaces around it', () => {
    const t = task();
    expect(updateTaskBody(t, { ...taskFormValues(t, 'general'), schedule: ' every 30m ' })).toEqual({});
    expect(updateTaskBody(t, { ...taskFormValues(t, 'general'), schedule: 'every 2h' })).toEqual({
      schedule: 'every 2h',
    });
  });

  it('sends a cleared zone as null, which means the scheduler’s zone', () => {
    const t = task({ timezone: 'Europe/Berlin' });
    expect(updateTaskBody(t, { ...taskFormValues(t, 'general'), timezone: ' ' })).toEqual({ timezone: null });
  });

  it('sends pausing and a new agent', () => {
    const t = task();
    const values = { ...taskFormValues(t, 'general'), enabled: false, agent_id: 'coder' };
    expect(updateTaskBody(t, values)).toEqual({ enabled: false, agent_id: 'coder' });
  });
});

describe('oneShotExample', () => {
  it('is 09:00 on the first of next month, across the end of a year', () => {
    expect(oneShotExample(new Date(2026, 10, 25, 4, 0))).toBe('2026-12-01T09:00');
    expect(oneShotExample(new Date(2026, 11, 31, 23, 0))).toBe('2027-01-01T09:00');
  });
});
