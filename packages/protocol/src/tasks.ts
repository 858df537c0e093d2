/**
 * Scheduled tasks on the wire: the bodies and replies of `/api/tasks`, and the task views that live events carry.
 * Field names follow the original Praktor's task API (snake_case); times ending in `_at` are ms since the epoch.
 */
import { z } from 'zod';

/** `active` runs on its schedule, `paused` does not, `completed` has no run left (a one-shot that ran). */
export const TaskStatus = z.enum(['active', 'paused', 'completed'], {
  error: "must be 'active', 'paused' or 'completed'",
});
export type TaskStatus = z.infer<typeof TaskStatus>;

/**
 * What happens to runs missed while no gateway was running: `skip` none of them, `once` one run at start (the
 * default), `all` every missed occurrence (at most 100; the oldest beyond that are skipped and reported).
 */
export const TaskCatchUp = z.enum(['skip', 'once', 'all'], { error: "must be 'skip', 'once' or 'all'" });
export type TaskCatchUp = z.infer<typeof TaskCatchUp>;

/**
 * A run: `running` until it ends `ok` or with an `error`; `interrupted` when the gateway running it stopped first
 * (it is never run again); `skipped` for occurrences the catch-up policy left out.
 */
export const TaskRunStatus = z.enum(['running', 'ok', 'error', 'interrupted', 'skipped']);
export type TaskRunStatus = z.infer<typeof TaskRunStatus>;

/** Why a run happened: its schedule, or someone asking for it (`POST /api/tasks/{id}/run`). */
export const TaskRunTrigger = z.enum(['schedule', 'manual']);
export type TaskRunTrigger = z.infer<typeof TaskRunTrigger>;

/** Where a task's results go: a Telegram chat, or Mission Control's web chat (`chat_id` `web`). */
export const TaskChat = z.object({
  channel: z.enum(['telegram', 'web'], { error: "must be 'telegram' or 'web'" }),
  chat_id: z.string({ error: 'must be text' }).min(1, 'must not be empty'),
});
export type TaskChat = z.infer<typeof TaskChat>;

const TaskFields = {
  name: z
    .string({ error: 'must be text' })
    .max(200, 'is longer than 200 characters')
    .refine((t) => t.trim() !== '', 'must not be empty'),
  /**
   * What the user typed: `+30s`/`+5m`/`+2h`/`+1d`, `every 2h`, a cron expression (5, 6 or 7 fields, or a tag such
   * as `@daily`), an ISO date-time (`2026-12-01T09:00`, in the task's time zone), or the stored JSON form.
   */
  schedule: z
    .string({ error: 'must be text' })
    .max(1000, 'is longer than 1000 characters')
    .refine((t) => t.trim() !== '', 'must not be empty'),
  /** Sent to the agent, as written, at each run. */
  prompt: z
    .string({ error: 'must be text' })
    .max(100_000, 'is longer than 100,000 characters')
    .refine((t) => t.trim() !== '', 'must not be empty'),
  agent_id: z.string({ error: 'must be text' }),
  enabled: z.boolean({ error: 'must be true or false' }),
  /** An IANA zone such as `Europe/Berlin`; null (or left out) means `scheduler.timezone`. */
  timezone: z.string({ error: 'must be text or null' }).nullable(),
  catch_up: TaskCatchUp,
  chat: TaskChat,
};

/** `POST /api/tasks`. Left out: enabled (true), timezone (the scheduler's), catch_up (`once`), chat (the default). */
export const CreateTaskRequest = z.object({
  agent_id: TaskFields.agent_id,
  name: TaskFields.name,
  schedule: TaskFields.schedule,
  prompt: TaskFields.prompt,
  enabled: TaskFields.enabled.optional(),
  timezone: TaskFields.timezone.optional(),
  catch_up: TaskFields.catch_up.optional(),
  chat: TaskFields.chat.optional(),
});
export type CreateTaskRequest = z.infer<typeof CreateTaskRequest>;

/**
 * `PUT /api/tasks/{id}`: what is given changes, the rest stays (the schedule keeps its kind unless a new one is
 * given). `enabled` wins over `status`. A new schedule gives a completed task a new run.
 */
export const UpdateTaskRequest = z.object({
  agent_id: TaskFields.agent_id.optional(),
  name: TaskFields.name.optional(),
  schedule: TaskFields.schedule.optional(),
  prompt: TaskFields.prompt.optional(),
  enabled: TaskFields.enabled.optional(),
  status: TaskStatus.optional(),
  timezone: TaskFields.timezone.optional(),
  catch_up: TaskFields.catch_up.optional(),
  chat: TaskFields.chat.optional(),
});
export type UpdateTaskRequest = z.infer<typeof UpdateTaskRequest>;

/** `GET /api/tasks` query: every task, or one agent's. */
export const TasksQuery = z.object({ agent_id: z.string().optional() });
export type TasksQuery = z.infer<typeof TasksQuery>;

/** `GET /api/tasks/{id}/runs` query: the newest `limit` runs. */
export const TaskRunsQuery = z.object({ limit: z.coerce.number().int().min(1).max(500).default(50) });
export type TaskRunsQuery = z.infer<typeof TaskRunsQuery>;

/** A task as the API shows it: the original's fields, then Praktor's. */
export const TaskItem = z.object({
  id: z.string(),
  name: z.string(),
  /** The stored schedule, the original's JSON: `{"kind","cron_expr","interval_ms","at_ms"}`. */
  schedule: z.string(),
  /** The schedule in words, in the task's time zone: "Every day at 09:00". */
  schedule_display: z.string(),
  agent_id: z.string(),
  /** Null when the agent is no longer configured (its runs fail until the task gets another agent). */
  agent_name: z.string().nullable(),
  prompt: z.string(),
  /** `status` is `active`. */
  enabled: z.boolean(),
  status: TaskStatus,
  /** When it last started, as the original formatted it in the task's zone: `09:05` today, else `Mar 4 09:05`. */
  last_run: z.string().nullable(),
  /** When it runs next, formatted like `last_run`; null when it is not scheduled to. */
  next_run: z.string().nullable(),
  /** The task's own zone, or null for `scheduler.timezone`. */
  timezone: z.string().nullable(),
  /** The zone its schedule is read in: `timezone`, else `scheduler.timezone`. */
  effective_timezone: z.string(),
  catch_up: TaskCatchUp,
  /** The schedule as an edit box shows it; submitting it unchanged gives the same schedule (and kind) back. */
  schedule_edit: z.string(),
  /** How the latest run went (null before the first). */
  last_status: TaskRunStatus.nullable(),
  last_error: z.string().nullable(),
  last_run_at: z.number().int().nullable(),
  next_run_at: z.number().int().nullable(),
  /** Set while a run asked for with `POST /api/tasks/{id}/run` waits for a free slot. */
  run_requested_at: z.number().int().nullable(),
  /** Where its results go. */
  chat: TaskChat,
  /** `api` (Mission Control) or `agent:<id>`. */
  created_by: z.string(),
  created_at: z.number().int(),
  updated_at: z.number().int(),
});
export type TaskItem = z.infer<typeof TaskItem>;

/** Tokens a run used, as the model reported them. */
export const TaskRunUsage = z.object({
  input_tokens: z.number().int(),
  output_tokens: z.number().int(),
  cache_read_tokens: z.number().int(),
  cache_write_tokens: z.number().int(),
});
export type TaskRunUsage = z.infer<typeof TaskRunUsage>;

/** One run of a task, in its history. */
export const TaskRunItem = z.object({
  id: z.number().int(),
  task_id: z.string(),
  /** The occurrence it is for (for a manual run: when it was asked for). */
  scheduled_for: z.number().int(),
  triggered_by: TaskRunTrigger,
  /** Null for a skipped occurrence. */
  started_at: z.number().int().nullable(),
  ended_at: z.number().int().nullable(),
  status: TaskRunStatus,
  error: z.string().nullable(),
  /** The answer the chat got. */
  answer: z.string().nullable(),
  cost_usd: z.number().nullable(),
  usage: TaskRunUsage.nullable(),
  /** The run's prompt as a stored message (its answer replies to it). */
  message_id: z.number().int().nullable(),
});
export type TaskRunItem = z.infer<typeof TaskRunItem>;

/** `DELETE /api/tasks/completed`. */
export const DeleteCompletedReply = z.object({ status: z.literal('deleted'), count: z.number().int() });
export type DeleteCompletedReply = z.infer<typeof DeleteCompletedReply>;
