/**
 * Scheduled tasks, their runs, and the scheduler instances working on them. A run is claimed here — in one
 * transaction that moves the task's next run on, stores the run's prompt as an inbound message and inserts the run
 * row — so an occurrence runs at most once however many gateways share the database, and across restarts.
 */
import type {
  MessageView,
  TaskCatchUp,
  TaskRunStatus,
  TaskRunTrigger,
  TaskStatus,
  TurnUsage,
} from '@praktor/protocol';
import type { Db } from './database.js';
import type { MessageStore } from './messages.js';

/** Where a task's results go. */
export interface TaskChatRef {
  channel: 'telegram' | 'web';
  chatId: string;
}

/** A stored task. */
export interface TaskRecord {
  id: string;
  agentId: string;
  name: string;
  /** The stored schedule: the original's JSON. */
  schedule: string;
  prompt: string;
  /** The task's own zone; null for the scheduler's. */
  timezone: string | null;
  catchUp: TaskCatchUp;
  chat: TaskChatRef;
  status: TaskStatus;
  nextRunAt: number | null;
  runRequestedAt: number | null;
  lastRunAt: number | null;
  lastStatus: TaskRunStatus | null;
  lastError: string | null;
  /** Bumped by every change to the task; a claim or catch-up succeeds only against the revision it planned with. */
  revision: number;
  createdBy: string;
  createdAt: number;
  updatedAt: number;
}

/** A task as created. */
export type NewTaskRecord = Pick<
  TaskRecord,
  | 'id'
  | 'agentId'
  | 'name'
  | 'schedule'
  | 'prompt'
  | 'timezone'
  | 'catchUp'
  | 'chat'
  | 'status'
  | 'nextRunAt'
  | 'createdBy'
>;

/** What an edit may change. */
export type TaskChanges = Partial<
  Pick<
    TaskRecord,
    'agentId' | 'name' | 'schedule' | 'prompt' | 'timezone' | 'catchUp' | 'chat' | 'status' | 'nextRunAt'
  >
>;

/** One run of a task. */
export interface TaskRunRecord {
  id: number;
  taskId: string;
  scheduledFor: number;
  triggeredBy: TaskRunTrigger;
  startedAt: number | null;
  endedAt: number | null;
  status: TaskRunStatus;
  error: string | null;
  answer: string | null;
  costUsd: number | null;
  usage: TurnUsage | null;
  messageId: number | null;
  /** The scheduler instance running it. */
  owner: string | null;
}

/** A scheduler in some gateway process, as it last reported itself. */
export interface SchedulerInstance {
  id: string;
  host: string;
  pid: number;
  startedAt: number;
  heartbeatAt: number;
}

/** A claim on one occurrence, planned against the task as read (its `revision`). */
export interface Claim {
  task: TaskRecord;
  triggeredBy: TaskRunTrigger;
  scheduledFor: number;
  /** The task's next run and status once this one is claimed (unchanged for a manual run). */
  nextRunAt: number | null;
  status: TaskStatus;
  /** Where this run's prompt and answer go. */
  chat: TaskChatRef;
  owner: string;
  now: number;
}

/** A claimed run: its row, the task after the claim, and the run's prompt as stored (received, then routed). */
export interface ClaimedRun {
  run: TaskRunRecord;
  task: TaskRecord;
  messages: MessageView[];
}

/** How a run ended. */
export interface RunEnd {
  status: 'ok' | 'error';
  error: string | null;
  answer: string | null;
  costUsd: number | null;
  usage: TurnUsage | null;
  endedAt: number;
}

/** A run settled after its gateway stopped, and the messages that changed for it (the user's notice). */
export interface SettledRun {
  run: TaskRunRecord;
  task: TaskRecord;
  messages: MessageView[];
}

interface TaskRow {
  id: string;
  agent_id: string;
  name: string;
  schedule: string;
  prompt: string;
  timezone: string | null;
  catch_up: TaskCatchUp;
  channel: 'telegram' | 'web';
  chat_id: string;
  status: TaskStatus;
  next_run_at: number | null;
  run_requested_at: number | null;
  last_run_at: number | null;
  last_status: TaskRunStatus | null;
  last_error: string | null;
  revision: number;
  created_by: string;
  created_at: number;
  updated_at: number;
}

interface RunRow {
  id: number;
  task_id: string;
  scheduled_for: number;
  triggered_by: TaskRunTrigger;
  started_at: number | null;
  ended_at: number | null;
  status: TaskRunStatus;
  error: string | null;
  answer: string | null;
  cost_usd: number | null;
  input_tokens: number | null;
  output_tokens: number | null;
  cache_read_tokens: number | null;
  cache_write_tokens: number | null;
  message_id: number | null;
  owner: string | null;
}

function toTask(row: TaskRow): TaskRecord {
  return {
    id: row.id,
    agentId: row.agent_id,
    name: row.name,
    schedule: row.schedule,
    prompt: row.prompt,
    timezone: row.timezone,
    catchUp: row.catch_up,
    chat: { channel: row.channel, chatId: row.chat_id },
    status: row.status,
    nextRunAt: row.next_run_at,
    runRequestedAt: row.run_requested_at,
    lastRunAt: row.last_run_at,
    lastStatus: row.last_status,
    lastError: row.last_error,
    revision: row.revision,
    createdBy: row.created_by,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

function toRun(row: RunRow): TaskRunRecord {
  return {
    id: row.id,
    taskId: row.task_id,
    scheduledFor: row.scheduled_for,
    triggeredBy: row.triggered_by,
    startedAt: row.started_at,
    endedAt: row.ended_at,
    status: row.status,
    error: row.error,
    answer: row.answer,
    costUsd: row.cost_usd,
    usage:
      row.input_tokens === null
        ? null
        : {
            inputTokens: row.input_tokens,
            outputTokens: row.output_tokens ?? 0,
            cacheReadTokens: row.cache_read_tokens ?? 0,
            cacheWriteTokens: row.cache_write_tokens ?? 0,
          },
    messageId: row.message_id,
    owner: row.owner,
  };
}

/** The column each editable field is stored in. */
const COLUMNS: Record<Exclude<keyof TaskChanges, 'chat'>, string> = {
  agentId: 'agent_id',
  name: 'name',
  schedule: 'schedule',
  prompt: 'prompt',
  timezone: 'timezone',
  catchUp: 'catch_up',
  status: 'status',
  nextRunAt: 'next_run_at',
};

/** When a task is next due: its next run while active, or a requested run, whichever is first. */
const DUE_AT = `MIN(IFNULL(CASE WHEN status = 'active' THEN next_run_at END, 9e15), IFNULL(run_requested_at, 9e15))`;

/** Reads and writes tasks, runs and scheduler instances. */
export class TaskStore {
  constructor(
    private readonly db: Db,
    private readonly messages: MessageStore,
  ) {}

  /** Stores a new task. */
  create(task: NewTaskRecord, now = Date.now()): TaskRecord {
    const row = this.db
      .prepare<unknown[], TaskRow>(
        `INSERT INTO tasks (id, agent_id, name, schedule, prompt, timezone, catch_up, channel, chat_id, status,
           next_run_at, created_by, created_at, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING *`,
      )
      .get(
        task.id,
        task.agentId,
        task.name,
        task.schedule,
        task.prompt,
        task.timezone,
        task.catchUp,
        task.chat.channel,
        task.chat.chatId,
        task.status,
        task.nextRunAt,
        task.createdBy,
        now,
        now,
      ) as TaskRow;
    return toTask(row);
  }

  /** One task, or null. */
  get(id: string): TaskRecord | null {
    const row = this.db.prepare<[string], TaskRow>('SELECT * FROM tasks WHERE id = ?').get(id);
    return row ? toTask(row) : null;
  }

  /** Every task (or one agent's), oldest first. */
  list(filter: { agentId?: string } = {}): TaskRecord[] {
    const rows =
      filter.agentId === undefined
        ? this.db.prepare<[], TaskRow>('SELECT * FROM tasks ORDER BY created_at, rowid').all()
        : this.db
            .prepare<[string], TaskRow>('SELECT * FROM tasks WHERE agent_id = ? ORDER BY created_at, rowid')
            .all(filter.agentId);
    return rows.map(toTask);
  }

  /** Changes a task; returns it, or null when it does not exist. */
  update(id: string, changes: TaskChanges, now = Date.now()): TaskRecord | null {
    const sets: string[] = [];
    const values: unknown[] = [];
    for (const [field, column] of Object.entries(COLUMNS) as [keyof typeof COLUMNS, string][]) {
      if (changes[field] === undefined) continue;
      sets.push(`${column} = ?`);
      values.push(changes[field]);
    }
    if (changes.chat) {
      sets.push('channel = ?', 'chat_id = ?');
      values.push(changes.chat.channel, changes.chat.chatId);
    }
    const row = this.db
      .prepare<unknown[], TaskRow>(
        `UPDATE tasks SET ${[...sets, 'revision = revision + 1', 'updated_at = ?'].join(', ')} WHERE id = ? RETURNING *`,
      )
      .get(...values, now, id);
    return row ? toTask(row) : null;
  }

  /** Asks for a run outside the schedule (kept if one is asked for already). Returns the task, or null. */
  requestRun(id: string, now = Date.now()): TaskRecord | null {
    const row = this.db
      .prepare<[number, string], TaskRow>(
        `UPDATE tasks SET run_requested_at = IFNULL(run_requested_at, ?), revision = revision + 1
         WHERE id = ? RETURNING *`,
      )
      .get(now, id);
    return row ? toTask(row) : null;
  }

  /** Deletes a task and its history; false when it did not exist. */
  delete(id: string): boolean {
    return this.db.prepare('DELETE FROM tasks WHERE id = ?').run(id).changes > 0;
  }

  /** Deletes every completed task (or one agent's); returns their ids. */
  deleteCompleted(filter: { agentId?: string } = {}): string[] {
    const rows = this.db
      .prepare<[string | null, string | null], { id: string }>(
        `DELETE FROM tasks WHERE status = 'completed' AND (? IS NULL OR agent_id = ?) RETURNING id`,
      )
      .all(filter.agentId ?? null, filter.agentId ?? null);
    return rows.map((row) => row.id);
  }

  /** Tasks due at `now` (a scheduled run or a requested one), the longest due first, at most `limit`. */
  due(now: number, limit: number): TaskRecord[] {
    return this.db
      .prepare<[number, number, number], TaskRow>(
        `SELECT * FROM tasks WHERE (status = 'active' AND next_run_at <= ?) OR run_requested_at <= ?
         ORDER BY ${DUE_AT}, created_at, rowid LIMIT ?`,
      )
      .all(now, now, limit)
      .map(toTask);
  }

  /** When the next task falls due, or null when none is scheduled. */
  nextDueAt(): number | null {
    const row = this.db
      .prepare<[], { due: number | null }>(
        `SELECT MIN(${DUE_AT}) AS due FROM tasks
         WHERE (status = 'active' AND next_run_at IS NOT NULL) OR run_requested_at IS NOT NULL`,
      )
      .get();
    return row?.due ?? null;
  }

  /** Active tasks whose next run was before `before`: the runs a stopped gateway missed. */
  missed(before: number): TaskRecord[] {
    return this.db
      .prepare<[number], TaskRow>(
        `SELECT * FROM tasks WHERE status = 'active' AND next_run_at < ? ORDER BY next_run_at, created_at, rowid`,
      )
      .all(before)
      .map(toTask);
  }

  /**
   * Claims one occurrence, in one transaction: the task moves on to its next run, the prompt is stored as an
   * inbound message routed to the task's agent, and the run row is inserted, owned by `claim.owner`. Returns null
   * when the task changed since it was read (someone else claimed it, or it was edited), or when this occurrence
   * has run before (the task still moves on).
   */
  claim(claim: Claim): ClaimedRun | null {
    return this.db
      .transaction((): ClaimedRun | null => {
        const { task, now } = claim;
        const manual = claim.triggeredBy === 'manual';
        const moved = this.db
          .prepare(
            `UPDATE tasks SET next_run_at = ?, status = ?, revision = revision + 1,
               run_requested_at = CASE WHEN ? THEN NULL ELSE run_requested_at END
             WHERE id = ? AND revision = ?`,
          )
          .run(claim.nextRunAt, claim.status, manual ? 1 : 0, task.id, task.revision);
        if (moved.changes === 0) return null;
        const ranBefore = this.db
          .prepare<[string, number], { id: number }>(
            'SELECT id FROM task_runs WHERE task_id = ? AND scheduled_for = ?',
          )
          .get(task.id, claim.scheduledFor);
        if (ranBefore) return null;
        const { message: received } = this.messages.receive({
          channel: claim.chat.channel,
          chatId: claim.chat.chatId,
          sender: 'scheduler',
          text: task.prompt,
        });
        const routed = this.messages.route(received.id, task.agentId, task.prompt);
        const run = this.db
          .prepare<unknown[], RunRow>(
            `INSERT INTO task_runs (task_id, scheduled_for, triggered_by, started_at, status, message_id, owner)
             VALUES (?, ?, ?, ?, 'running', ?, ?) RETURNING *`,
          )
          .get(task.id, claim.scheduledFor, claim.triggeredBy, now, received.id, claim.owner) as RunRow;
        const claimed = this.db
          .prepare<[number, string], TaskRow>(
            `UPDATE tasks SET last_run_at = ?, last_status = 'running', last_error = NULL WHERE id = ? RETURNING *`,
          )
          .get(now, task.id) as TaskRow;
        return { run: toRun(run), task: toTask(claimed), messages: [received, routed] };
      })
      .immediate();
  }

  /**
   * Records the occurrences a catch-up policy leaves out as one skipped run at `scheduledFor`, and moves the task
   * on, unless it changed since it was read (then null).
   */
  skip(
    task: TaskRecord,
    skipped: { scheduledFor: number; nextRunAt: number | null; status: TaskStatus; reason: string },
    now = Date.now(),
  ): { run: TaskRunRecord; task: TaskRecord } | null {
    return this.db
      .transaction(() => {
        const moved = this.db
          .prepare<unknown[], TaskRow>(
            `UPDATE tasks SET next_run_at = ?, status = ?, last_status = 'skipped', last_error = ?,
               revision = revision + 1
             WHERE id = ? AND revision = ? RETURNING *`,
          )
          .get(skipped.nextRunAt, skipped.status, skipped.reason, task.id, task.revision);
        if (!moved) return null;
        const run = this.db
          .prepare<unknown[], RunRow>(
            `INSERT INTO task_runs (task_id, scheduled_for, triggered_by, ended_at, status, error)
             VALUES (?, ?, 'schedule', ?, 'skipped', ?) RETURNING *`,
          )
          .get(task.id, skipped.scheduledFor, now, skipped.reason) as RunRow;
        return { run: toRun(run), task: toTask(moved) };
      })
      .immediate();
  }

  /**
   * Pauses a task that cannot be scheduled (its stored schedule cannot be read), with the reason, unless it changed
   * since it was read.
   */
  halt(task: TaskRecord, reason: string): TaskRecord | null {
    const row = this.db
      .prepare<unknown[], TaskRow>(
        `UPDATE tasks SET status = 'paused', next_run_at = NULL, run_requested_at = NULL, last_status = 'error',
           last_error = ?, revision = revision + 1
         WHERE id = ? AND revision = ? RETURNING *`,
      )
      .get(reason, task.id, task.revision);
    return row ? toTask(row) : null;
  }

  /**
   * Records how a run ended, and on its task when it is the task's latest run. Returns null when the run is no
   * longer running (it was settled as interrupted meanwhile) or no longer exists (its task was deleted).
   */
  finishRun(runId: number, end: RunEnd): { run: TaskRunRecord; task: TaskRecord } | null {
    return this.db
      .transaction(() => {
        const row = this.db
          .prepare<unknown[], RunRow>(
            `UPDATE task_runs SET status = ?, error = ?, answer = ?, cost_usd = ?, input_tokens = ?, output_tokens = ?,
             cache_read_tokens = ?, cache_write_tokens = ?, ended_at = ?
           WHERE id = ? AND status = 'running' RETURNING *`,
          )
          .get(
            end.status,
            end.error,
            end.answer,
            end.costUsd,
            end.usage?.inputTokens ?? null,
            end.usage?.outputTokens ?? null,
            end.usage?.cacheReadTokens ?? null,
            end.usage?.cacheWriteTokens ?? null,
            end.endedAt,
            runId,
          );
        if (!row) return null;
        const run = toRun(row);
        return { run, task: this.noteLatest(run) };
      })
      .immediate();
  }

  /**
   * Settles a run whose gateway stopped while it ran, from what its message shows: answered — the run ended well
   * before the gateway could record it; failed — it failed; otherwise it is interrupted, its message fails and the
   * chat is told (`describe` words it). Never re-runs anything. Returns null when the run is no longer running.
   */
  settle(
    runId: number,
    describe: (task: TaskRecord) => { error: string; notice: string },
    now = Date.now(),
  ): SettledRun | null {
    return this.db
      .transaction((): SettledRun | null => {
        const row = this.db
          .prepare<[number], RunRow>(`SELECT * FROM task_runs WHERE id = ? AND status = 'running'`)
          .get(runId);
        if (!row) return null;
        const task = this.get(row.task_id) as TaskRecord;
        const message = row.message_id === null ? null : this.messages.get(row.message_id);
        const told: MessageView[] = [];
        let status: TaskRunStatus;
        let error: string | null = null;
        let answer: string | null = null;
        if (message?.state === 'answered') {
          status = 'ok';
          answer =
            this.db
              .prepare<[number], { content: string }>(
                `SELECT content FROM messages WHERE in_reply_to = ? AND direction = 'out' ORDER BY id LIMIT 1`,
              )
              .get(message.id)?.content ?? null;
        } else if (message?.state === 'failed' || message?.state === 'stopped') {
          status = 'error';
          error = message.error;
        } else {
          status = 'interrupted';
          const words = describe(task);
          error = words.error;
          if (message) {
            const notice = this.messages.answer(message.id, {
              // A run's message is routed in the transaction that claims the run.
              agentId: message.agentId as string,
              sender: 'system',
              text: words.notice,
              error: words.error,
            });
            told.push(this.messages.get(message.id) as MessageView, notice);
          }
        }
        const settled = this.db
          .prepare<unknown[], RunRow>(
            `UPDATE task_runs SET status = ?, error = ?, answer = ?, ended_at = ? WHERE id = ? RETURNING *`,
          )
          .get(status, error, answer, now, runId) as RunRow;
        const run = toRun(settled);
        return { run, task: this.noteLatest(run), messages: told };
      })
      .immediate();
  }

  /** The task whose run each of `messageIds` is the prompt of, for those that are one. */
  tasksOfPrompts(messageIds: readonly number[]): Map<number, { id: string; name: string }> {
    const found = new Map<number, { id: string; name: string }>();
    if (messageIds.length === 0) return found;
    const rows = this.db
      .prepare<number[], { message_id: number; id: string; name: string }>(
        `SELECT r.message_id, t.id, t.name FROM task_runs r JOIN tasks t ON t.id = r.task_id
         WHERE r.message_id IN (${messageIds.map(() => '?').join(', ')})`,
      )
      .all(...messageIds);
    for (const row of rows) found.set(row.message_id, { id: row.id, name: row.name });
    return found;
  }

  /** A task's runs, newest first. */
  runs(taskId: string, limit: number): TaskRunRecord[] {
    return this.db
      .prepare<[string, number], RunRow>('SELECT * FROM task_runs WHERE task_id = ? ORDER BY id DESC LIMIT ?')
      .all(taskId, limit)
      .map(toRun);
  }

  /** Every run still marked running, whoever owns it. */
  runningRuns(): TaskRunRecord[] {
    return this.db
      .prepare<[], RunRow>(`SELECT * FROM task_runs WHERE status = 'running' ORDER BY id`)
      .all()
      .map(toRun);
  }

  /** Announces a scheduler instance (a gateway process) working on this database. */
  registerInstance(instance: Omit<SchedulerInstance, 'heartbeatAt'>): void {
    this.db
      .prepare(
        'INSERT INTO scheduler_instances (id, host, pid, started_at, heartbeat_at) VALUES (?, ?, ?, ?, ?)',
      )
      .run(instance.id, instance.host, instance.pid, instance.startedAt, instance.startedAt);
  }

  /** Records that an instance is alive; false when it is not registered (any more). */
  heartbeat(id: string, now = Date.now()): boolean {
    return (
      this.db.prepare('UPDATE scheduler_instances SET heartbeat_at = ? WHERE id = ?').run(now, id).changes > 0
    );
  }

  /** Every instance that has announced itself and not been forgotten. */
  instances(): SchedulerInstance[] {
    return this.db
      .prepare<[], SchedulerInstance>(
        `SELECT id, host, pid, started_at AS startedAt, heartbeat_at AS heartbeatAt FROM scheduler_instances`,
      )
      .all();
  }

  /** Forgets an instance found dead, once no run of it is left running. */
  forgetInstance(id: string): void {
    this.db
      .prepare(
        `DELETE FROM scheduler_instances WHERE id = ?
         AND NOT EXISTS (SELECT 1 FROM task_runs WHERE owner = ? AND status = 'running')`,
      )
      .run(id, id);
  }

  /** Copies a run's outcome to its task when no later run exists; returns the task. */
  private noteLatest(run: TaskRunRecord): TaskRecord {
    this.db
      .prepare(
        `UPDATE tasks SET last_status = ?, last_error = ?
         WHERE id = ? AND NOT EXISTS (SELECT 1 FROM task_runs WHERE task_id = ? AND id > ?)`,
      )
      .run(run.status, run.error, run.taskId, run.taskId, run.id);
    // A run exists only with its task: deleting a task deletes its runs.
    return this.get(run.taskId) as TaskRecord;
  }
}
