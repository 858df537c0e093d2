/**
 * How tasks and runs look on the wire (the API and live events): store records turned into the protocol's shapes.
 */
import type { TaskItem, TaskRunItem } from '@praktor/protocol';
import type { Config } from '../config/index.js';
import type { TaskRecord, TaskRunRecord } from '../store/index.js';
import {
  describeSchedule,
  readStoredSchedule,
  ScheduleError,
  scheduleForEdit,
  taskZone,
} from './schedule.js';

const formats = new Map<string, Intl.DateTimeFormat>();

function wallClock(ms: number, zone: string): Record<'year' | 'month' | 'day' | 'hour' | 'minute', string> {
  let format = formats.get(zone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      year: 'numeric',
      month: 'short',
      day: 'numeric',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    });
    formats.set(zone, format);
  }
  const parts = Object.fromEntries(format.formatToParts(ms).map((part) => [part.type, part.value]));
  return {
    year: parts.year ?? '',
    month: parts.month ?? '',
    day: parts.day ?? '',
    hour: parts.hour ?? '',
    minute: parts.minute ?? '',
  };
}

/** A time as the original showed task times, in `zone`: `09:05` when it is today there, else `Mar 4 09:05`. */
export function formatTaskTime(ms: number, zone: string, now = Date.now()): string {
  const at = wallClock(ms, zone);
  const today = wallClock(now, zone);
  const time = `${at.hour}:${at.minute}`;
  const sameDay = at.year === today.year && at.month === today.month && at.day === today.day;
  return sameDay ? time : `${at.month} ${at.day} ${time}`;
}

/** A task as the API shows it. */
export function taskItem(task: TaskRecord, config: Config, now = Date.now()): TaskItem {
  const zone = taskZone(task, config);
  let display = task.schedule;
  let edit = task.schedule;
  // A schedule this version cannot read is shown as stored, as the original did.
  try {
    const schedule = readStoredSchedule(task.schedule);
    display = describeSchedule(schedule, zone);
    edit = scheduleForEdit(schedule, zone);
  } catch (err) {
    if (!(err instanceof ScheduleError)) throw err;
  }
  return {
    id: task.id,
    name: task.name,
    schedule: task.schedule,
    schedule_display: display,
    agent_id: task.agentId,
    agent_name: Object.hasOwn(config.agents, task.agentId) ? task.agentId : null,
    prompt: task.prompt,
    enabled: task.status === 'active',
    status: task.status,
    last_run: task.lastRunAt === null ? null : formatTaskTime(task.lastRunAt, zone, now),
    next_run: task.nextRunAt === null ? null : formatTaskTime(task.nextRunAt, zone, now),
    timezone: task.timezone,
    effective_timezone: zone,
    catch_up: task.catchUp,
    schedule_edit: edit,
    last_status: task.lastStatus,
    last_error: task.lastError,
    last_run_at: task.lastRunAt,
    next_run_at: task.nextRunAt,
    run_requested_at: task.runRequestedAt,
    chat: { channel: task.chat.channel, chat_id: task.chat.chatId },
    created_by: task.createdBy,
    created_at: task.createdAt,
    updated_at: task.updatedAt,
  };
}

/** A run as the API shows it. */
export function runItem(run: TaskRunRecord): TaskRunItem {
  return {
    id: run.id,
    task_id: run.taskId,
    scheduled_for: run.scheduledFor,
    triggered_by: run.triggeredBy,
    started_at: run.startedAt,
    ended_at: run.endedAt,
    status: run.status,
    error: run.error,
    answer: run.answer,
    cost_usd: run.costUsd,
    usage: run.usage && {
      input_tokens: run.usage.inputTokens,
      output_tokens: run.usage.outputTokens,
      cache_read_tokens: run.usage.cacheReadTokens,
      cache_write_tokens: run.usage.cacheWriteTokens,
    },
    message_id: run.messageId,
  };
}
