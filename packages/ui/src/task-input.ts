/**
 * What the task form needs besides React: its values from a task, the request bodies made from them, the checks
 * made before sending, and which form field each of the API's request fields belongs to.
 */
import type { CreateTaskRequest, TaskCatchUp, TaskItem, UpdateTaskRequest } from '@praktor/protocol';

/** The task form's fields, each as the user edits it. */
export interface TaskFormValues {
  agentId: string;
  name: string;
  /** As typed; when editing it starts as the task's `schedule_edit`. */
  schedule: string;
  prompt: string;
  /** Empty for the scheduler's zone (`scheduler.timezone`). */
  timezone: string;
  catchUp: TaskCatchUp;
  enabled: boolean;
}

/** A field of the task form, where a message about it is shown. */
export type TaskField = keyof TaskFormValues;

/** Messages by the field they are about. */
export type TaskFieldErrors = Partial<Record<TaskField, string>>;

/** The order the fields appear in: the first with an error takes the focus. */
export const TASK_FIELDS: readonly TaskField[] = [
  'agentId',
  'name',
  'schedule',
  'prompt',
  'timezone',
  'catchUp',
  'enabled',
];

/** The API's request fields and the form field each belongs to; `chat` and `status` have none (the form as a whole). */
export const TASK_FIELD_OF: Readonly<Record<string, TaskField>> = {
  agent_id: 'agentId',
  name: 'name',
  schedule: 'schedule',
  prompt: 'prompt',
  timezone: 'timezone',
  catch_up: 'catchUp',
  enabled: 'enabled',
};

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
    return { agentId, name: '', schedule: '', prompt: '', timezone: '', catchUp: 'once', enabled: true };
  }
  return {
    agentId: task.agent_id,
    name: task.name,
    schedule: task.schedule_edit,
    prompt: task.prompt,
    timezone: task.timezone ?? '',
    catchUp: task.catch_up,
    enabled: task.enabled,
  };
}

/** What is missing, found before anything is sent; the server checks the rest (a schedule it cannot read, …). */
export function checkTaskForm(values: TaskFormValues): TaskFieldErrors {
  const found: TaskFieldErrors = {};
  if (values.agentId === '') found.agentId = 'Choose the agent that runs it.';
  if (values.name.trim() === '') found.name = 'Enter a name.';
  if (values.schedule.trim() === '') found.schedule = 'Enter when it runs, for example every 30m.';
  if (values.prompt.trim() === '') found.prompt = 'Enter what the agent is asked at each run.';
  return found;
}

/** The body of `POST /api/tasks`; an empty zone is left out, so the scheduler's applies. */
export function createTaskBody(values: TaskFormValues): CreateTaskRequest {
  const timezone = values.timezone.trim();
  return {
    agent_id: values.agentId,
    name: values.name.trim(),
    schedule: values.schedule.trim(),
    prompt: values.prompt,
    enabled: values.enabled,
    catch_up: values.catchUp,
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
  if (values.agentId !== task.agent_id) body.agent_id = values.agentId;
  if (name !== task.name) body.name = name;
  if (schedule !== task.schedule_edit.trim()) body.schedule = schedule;
  if (values.prompt !== task.prompt) body.prompt = values.prompt;
  if (timezone !== task.timezone) body.timezone = timezone;
  if (values.catchUp !== task.catch_up) body.catch_up = values.catchUp;
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
