/**
 * What the task form needs besides React: its values from a task, the schema that checks them before sending (what
 * is missing, then the request itself by the API's own schema), and the request bodies made from them.
 */
import { CreateTaskRequest, TaskCatchUp, type TaskItem, type UpdateTaskRequest } from '@praktor/protocol';
import { z } from 'zod';
import { afterFormChecks, checkRequest } from './api/field-message';

/** The task form's fields, each as the user edits it, named as the API names them. */
export interface TaskFormValues {
  agent_id: string;
  name: string;
  /** As typed; when editing it starts as the task's `schedule_edit`. */
  schedule: string;
  prompt: string;
  /** Empty for the scheduler's zone (`scheduler.timezone`). */
  timezone: string;
  catch_up: TaskCatchUp;
  enabled: boolean;
}

/** A field of the task form, where a message about it is shown. */
export type TaskField = keyof TaskFormValues;

/** The order the fields appear in: the first with an error takes the focus. */
export const TASK_FIELDS: readonly TaskField[] = [
  'agent_id',
  'name',
  'schedule',
  'prompt',
  'timezone',
  'catch_up',
  'enabled',
];

/** The catch-up policies, the default first, each with what it does in one line. */
export const CATCH_UP_CHOICES: readonly { value: TaskCatchUp; label: string; means: string }[] = [
  {
    value: 'once',
    label: 'Once',
    means: 'Runs missed while Praktor was not running are made up by one run when it starts again.',
  },
  { value: 'skip', label: 'Skip', means: 'Missed runs are dropped; the task waits for its next time.' },
  { value: 'all', label: 'All', means: 'Every missed run is made up, one after another (at most 100).' },
];

/**
 * The form's starting values: the task's when editing (its schedule as `schedule_edit`, which submitted
 * unchanged gives the same schedule and kind back), else empty for `agentId`, enabled, catching up once.
 */
export function taskFormValues(task: TaskItem | undefined, agentId: string): TaskFormValues {
  if (!task) {
    return {
      agent_id: agentId,
      name: '',
      schedule: '',
      prompt: '',
      timezone: '',
      catch_up: 'once',
      enabled: true,
    };
  }
  return {
    agent_id: task.agent_id,
    name: task.name,
    schedule: task.schedule_edit,
    prompt: task.prompt,
    timezone: task.timezone ?? '',
    catch_up: task.catch_up,
    enabled: task.enabled,
  };
}

const filled = (message: string) => z.string().refine((text) => text.trim() !== '', message);

/**
 * The task form's checks before sending: what is missing, in the form's words; then the request it makes, by the
 * API's own schema. The gateway checks the rest (a schedule it cannot read, an agent it does not know, …).
 */
export const TaskFormSchema = z
  .object({
    agent_id: z.string().min(1, 'Choose the agent that runs it.'),
    name: filled('Enter a name.'),
    schedule: filled('Enter when it runs, for example every 30m.'),
    prompt: filled('Enter what the agent is asked at each run.'),
    timezone: z.string(),
    catch_up: TaskCatchUp,
    enabled: z.boolean(),
  })
  // The form's fields are named as the request's, so each issue stays where it is.
  .superRefine(
    (values, ctx) =>
      checkRequest(ctx, CreateTaskRequest, createTaskBody(values), (field) => field as TaskField),
    afterFormChecks,
  );

/** The body of `POST /api/tasks`; an empty zone is left out, so the scheduler's applies. */
export function createTaskBody(values: TaskFormValues): CreateTaskRequest {
  const timezone = values.timezone.trim();
  return {
    agent_id: values.agent_id,
    name: values.name.trim(),
    schedule: values.schedule.trim(),
    prompt: values.prompt,
    enabled: values.enabled,
    catch_up: values.catch_up,
    ...(timezone === '' ? {} : { timezone }),
  };
}

/**
 * The body of `PUT /api/tasks/{id}`: only what changed. An unchanged schedule is not sent at all, so the task
 * keeps its schedule, its kind and its next run (sending even the same interval would restart it from now).
 */
export function updateTaskBody(task: TaskItem, values: TaskFormValues): UpdateTaskRequest {
  const body: UpdateTaskRequest = {};
  const name = values.name.trim();
  const schedule = values.schedule.trim();
  const timezone = values.timezone.trim() === '' ? null : values.timezone.trim();
  if (values.agent_id !== task.agent_id) body.agent_id = values.agent_id;
  if (name !== task.name) body.name = name;
  if (schedule !== task.schedule_edit.trim()) body.schedule = schedule;
  if (values.prompt !== task.prompt) body.prompt = values.prompt;
  if (timezone !== task.timezone) body.timezone = timezone;
  if (values.catch_up !== task.catch_up) body.catch_up = values.catch_up;
  if (values.enabled !== task.enabled) body.enabled = values.enabled;
  return body;
}

/**
 * A one-shot date-time to show as an example that stays in the future: 09:00 on the first of next month, in the
 * form the schedule box reads (`2026-12-01T09:00`).
 */
export function oneShotExample(now: Date): string {
  const next = new Date(now.getFullYear(), now.getMonth() + 1, 1);
  return `${next.getFullYear()}-${String(next.getMonth() + 1).padStart(2, '0')}-01T09:00`;
}
