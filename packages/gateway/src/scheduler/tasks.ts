/**
 * The task service: creating, reading, changing and deleting scheduled tasks, for Mission Control's API and for the
 * agents' `scheduled_task_*` tools alike. Input is checked here, with problems named by the API's field names; an
 * agent sees and touches only its own tasks.
 */
import { randomUUID } from 'node:crypto';
import type { Channel, TaskCatchUp, TaskItem, TaskRunItem, TaskStatus } from '@praktor/protocol';
import type { Config } from '../config/index.js';
import type { EventBus } from '../events/bus.js';
import type { Store, TaskChanges, TaskChatRef, TaskRecord } from '../store/index.js';
import type { Scheduler } from './engine.js';
import {
  checkTimezone,
  describeSchedule,
  nextRun,
  parseSchedule,
  readStoredSchedule,
  type Schedule,
  ScheduleError,
  serializeSchedule,
  taskZone,
} from './schedule.js';
import { runItem, taskItem } from './views.js';

/** Why a request about tasks was refused; the message says it for the person or agent who asked. */
export class TaskError extends Error {
  constructor(
    readonly reason: 'not_found' | 'forbidden' | 'invalid' | 'conflict',
    message: string,
  ) {
    super(message);
    this.name = 'TaskError';
  }
}

/**
 * Who asks: Mission Control's user, who may touch every task, or an agent, who may touch only its own. `chat` is
 * the chat of the message the agent is answering: the tasks it creates report there.
 */
export type TaskCaller =
  | { kind: 'user' }
  | { kind: 'agent'; agentId: string; chat?: { channel: Channel; chatId: string | null } | null };

/** A new task. `agentId` is required from the user and ignored from an agent (its tasks are its own). */
export interface TaskInput {
  agentId?: string;
  name: string;
  /** As typed: see parseSchedule. */
  schedule: string;
  prompt: string;
  /** False creates it paused. */
  enabled?: boolean;
  /** Its own zone; null or absent for `scheduler.timezone`. */
  timezone?: string | null;
  catchUp?: TaskCatchUp;
  /** Where results go; absent: the asking agent's chat, else the default chat. */
  chat?: TaskChatRef;
}

/** A change to a task: what is given changes. `enabled` wins over `status`. */
export type TaskPatch = Partial<Omit<TaskInput, 'enabled'>> & { enabled?: boolean; status?: TaskStatus };

/** What the service works with. */
export interface TaskServiceDeps {
  config: () => Config;
  store: Store;
  bus: EventBus;
  scheduler: Pick<Scheduler, 'wake'>;
  /** Whether the Telegram bot is on: only then can results go to a Telegram chat. */
  telegram: boolean;
  /** The time now, in ms since the epoch: the scheduler's clock. */
  now: () => number;
}

const MAX_NAME = 200;

/** Creates, reads, changes and deletes tasks. */
export class TaskService {
  constructor(private readonly deps: TaskServiceDeps) {}

  /** Where results go when nobody says: `telegram.main_chat_id` when the bot is on and it is set, else the web chat. */
  defaultChat(): TaskChatRef {
    const chatId = this.deps.config().telegram.main_chat_id;
    return this.deps.telegram && chatId !== 0
      ? { channel: 'telegram', chatId: String(chatId) }
      : { channel: 'web', chatId: 'web' };
  }

  /** Creates a task; it runs first at its schedule's first time after now (unless created paused). */
  create(input: TaskInput, caller: TaskCaller): TaskItem {
    const config = this.deps.config();
    const now = this.deps.now();
    const agentId = caller.kind === 'agent' ? caller.agentId : this.agent(input.agentId);
    const timezone = input.timezone == null ? null : this.zone(input.timezone);
    const zone = timezone ?? config.scheduler.timezone;
    const schedule = this.schedule(input.schedule, zone, now);
    const firstRun = this.firstRun(schedule, input.schedule, zone, now);
    const status = input.enabled === false ? 'paused' : 'active';
    const task = this.deps.store.tasks.create(
      {
        id: randomUUID(),
        agentId,
        name: this.text(input.name, 'name', MAX_NAME),
        schedule: serializeSchedule(schedule),
        prompt: this.text(input.prompt, 'prompt'),
        timezone,
        catchUp: input.catchUp ?? 'once',
        chat: input.chat ? this.chat(input.chat) : (this.callerChat(caller) ?? this.defaultChat()),
        status,
        nextRunAt: status === 'active' ? firstRun : null,
        createdBy: caller.kind === 'agent' ? `agent:${agentId}` : 'api',
      },
      now,
    );
    return this.changed(task);
  }

  /** The tasks the caller may see (an agent: its own; the user: all, or one agent's), oldest first. */
  list(caller: TaskCaller, filter: { agentId?: string } = {}): TaskItem[] {
    const agentId = caller.kind === 'agent' ? caller.agentId : filter.agentId;
    const config = this.deps.config();
    return this.deps.store.tasks
      .list(agentId === undefined ? {} : { agentId })
      .map((task) => taskItem(task, config));
  }

  /** One task. */
  get(id: string, caller: TaskCaller): TaskItem {
    return taskItem(this.owned(id, caller), this.deps.config());
  }

  /**
   * Changes a task. The schedule keeps its kind unless a new one is given; the next run is computed again when the
   * schedule, the zone or the status changes. A new schedule gives a completed task a new run.
   */
  update(id: string, patch: TaskPatch, caller: TaskCaller): TaskItem {
    const task = this.owned(id, caller);
    const config = this.deps.config();
    const now = this.deps.now();
    const changes: TaskChanges = {};
    if (patch.agentId !== undefined) {
      if (caller.kind === 'agent' && patch.agentId !== caller.agentId) {
        throw new TaskError(
          'forbidden',
          `an agent cannot give its task to another agent ("${patch.agentId}")`,
        );
      }
      changes.agentId = this.agent(patch.agentId);
    }
    if (patch.name !== undefined) changes.name = this.text(patch.name, 'name', MAX_NAME);
    if (patch.prompt !== undefined) changes.prompt = this.text(patch.prompt, 'prompt');
    if (patch.catchUp !== undefined) changes.catchUp = patch.catchUp;
    if (patch.chat !== undefined) changes.chat = this.chat(patch.chat);
    if (patch.timezone !== undefined)
      changes.timezone = patch.timezone === null ? null : this.zone(patch.timezone);
    const zone =
      (changes.timezone !== undefined ? changes.timezone : task.timezone) ?? config.scheduler.timezone;
    let schedule: Schedule;
    if (patch.schedule !== undefined) {
      schedule = this.schedule(patch.schedule, zone, now);
      this.firstRun(schedule, patch.schedule, zone, now);
      changes.schedule = serializeSchedule(schedule);
    } else {
      schedule = this.stored(task);
    }
    let status = task.status;
    if (patch.enabled !== undefined)
      status = patch.enabled ? 'active' : task.status === 'completed' ? 'completed' : 'paused';
    else if (patch.status !== undefined) status = patch.status;
    else if (patch.schedule !== undefined && task.status === 'completed') status = 'active';
    changes.status = status;
    if (status !== 'active') changes.nextRunAt = null;
    else if (patch.schedule !== undefined || patch.timezone !== undefined || task.status !== 'active') {
      changes.nextRunAt = this.nextOrConflict(task, schedule, zone, now);
    }
    return this.changed(this.save(task.id, changes));
  }

  /** Deletes a task and its history (a run in progress still ends, unrecorded). */
  delete(id: string, caller: TaskCaller): void {
    const task = this.owned(id, caller);
    this.deps.store.tasks.delete(task.id);
    this.deps.bus.emit({ type: 'task', taskId: task.id, task: null });
  }

  /** Deletes the completed tasks the caller may touch; returns how many. */
  deleteCompleted(caller: TaskCaller): number {
    const ids = this.deps.store.tasks.deleteCompleted(
      caller.kind === 'agent' ? { agentId: caller.agentId } : {},
    );
    for (const id of ids) this.deps.bus.emit({ type: 'task', taskId: id, task: null });
    return ids.length;
  }

  /** Stops a task running on its schedule until it is resumed (a run asked for with runNow still runs). */
  pause(id: string, caller: TaskCaller): TaskItem {
    const task = this.owned(id, caller);
    if (task.status === 'completed') {
      throw new TaskError('conflict', `task ${task.id} is completed: it has no run left to pause`);
    }
    if (task.status === 'paused') return taskItem(task, this.deps.config());
    return this.changed(this.save(task.id, { status: 'paused', nextRunAt: null }));
  }

  /**
   * Puts a paused or completed task back on its schedule, from now: runs missed meanwhile are not made up. A task
   * whose schedule has no time left (a one-shot in the past) stays as it is, and the error says so.
   */
  resume(id: string, caller: TaskCaller): TaskItem {
    const task = this.owned(id, caller);
    if (task.status === 'active') return taskItem(task, this.deps.config());
    const zone = taskZone(task, this.deps.config());
    const nextRunAt = this.nextOrConflict(task, this.stored(task), zone, this.deps.now());
    return this.changed(this.save(task.id, { status: 'active', nextRunAt }));
  }

  /**
   * Asks for a run now, outside the schedule (also of a paused or completed task). It starts as soon as a run slot
   * is free, claimed like any run; asking again before it starts asks for the same run.
   */
  runNow(id: string, caller: TaskCaller): TaskItem {
    const task = this.owned(id, caller);
    return this.changed(this.deps.store.tasks.requestRun(task.id) ?? this.gone(task.id));
  }

  /** A task's runs, newest first. */
  history(id: string, limit: number, caller: TaskCaller): TaskRunItem[] {
    const task = this.owned(id, caller);
    return this.deps.store.tasks.runs(task.id, limit).map(runItem);
  }

  /** The task, if the caller may touch it. */
  private owned(id: string, caller: TaskCaller): TaskRecord {
    const task = this.deps.store.tasks.get(id) ?? this.gone(id);
    if (caller.kind === 'agent' && task.agentId !== caller.agentId) {
      throw new TaskError('forbidden', `task ${id} belongs to agent "${task.agentId}"`);
    }
    return task;
  }

  private gone(id: string): never {
    throw new TaskError('not_found', `task ${id} not found`);
  }

  private save(id: string, changes: TaskChanges): TaskRecord {
    return this.deps.store.tasks.update(id, changes) ?? this.gone(id);
  }

  /** Announces a changed task and wakes the engine, which may have a new next run to wait for. */
  private changed(task: TaskRecord): TaskItem {
    this.deps.bus.emit({ type: 'task', taskId: task.id, task });
    this.deps.scheduler.wake();
    return taskItem(task, this.deps.config());
  }

  private agent(id: string | undefined): string {
    const agents = Object.keys(this.deps.config().agents);
    if (id === undefined || id === '') throw new TaskError('invalid', 'agent_id: is required');
    if (!agents.includes(id)) {
      throw new TaskError(
        'invalid',
        `agent_id: "${id}" is not a configured agent (agents: ${agents.join(', ')})`,
      );
    }
    return id;
  }

  private text(value: string, field: string, max?: number): string {
    if (value.trim() === '') throw new TaskError('invalid', `${field}: must not be empty`);
    if (max !== undefined && value.length > max) {
      throw new TaskError('invalid', `${field}: is longer than ${max} characters`);
    }
    return value;
  }

  private zone(name: string): string {
    try {
      return checkTimezone(name);
    } catch (err) {
      if (err instanceof ScheduleError) throw new TaskError('invalid', `timezone: ${err.message}`);
      throw err;
    }
  }

  private schedule(text: string, zone: string, now: number): Schedule {
    try {
      return parseSchedule(text, { now, timezone: zone });
    } catch (err) {
      if (err instanceof ScheduleError) throw new TaskError('invalid', `schedule: ${err.message}`);
      throw err;
    }
  }

  /** The first run of a new schedule; a schedule that would never run is refused. */
  private firstRun(schedule: Schedule, text: string, zone: string, now: number): number {
    const first = nextRun(schedule, now, zone);
    if (first === null) {
      throw new TaskError('invalid', `schedule: "${text.trim()}" is in the past: the task would never run`);
    }
    return first;
  }

  /** The next run of a task's schedule from now; a conflict when it has none left. */
  private nextOrConflict(task: TaskRecord, schedule: Schedule, zone: string, now: number): number {
    const next = nextRun(schedule, now, zone);
    if (next === null) {
      throw new TaskError(
        'conflict',
        `task ${task.id} has no run left (${describeSchedule(schedule, zone)}); give it a new schedule to run it again`,
      );
    }
    return next;
  }

  private stored(task: TaskRecord): Schedule {
    try {
      return readStoredSchedule(task.schedule);
    } catch (err) {
      if (!(err instanceof ScheduleError)) throw err;
      throw new TaskError(
        'conflict',
        `task ${task.id}'s stored schedule cannot be read (${err.message}); give it a new schedule`,
      );
    }
  }

  private chat(chat: TaskChatRef): TaskChatRef {
    if (chat.channel === 'telegram' && !this.deps.telegram) {
      throw new TaskError('invalid', 'chat: the Telegram bot is off (telegram.token is not set)');
    }
    return chat;
  }

  /** The chat an agent is answering in, when results can go there. */
  private callerChat(caller: TaskCaller): TaskChatRef | null {
    if (caller.kind !== 'agent' || !caller.chat || caller.chat.chatId === null) return null;
    const { channel, chatId } = caller.chat;
    if (channel === 'web' || (channel === 'telegram' && this.deps.telegram)) return { channel, chatId };
    return null;
  }
}
