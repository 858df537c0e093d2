/**
 * When a scheduled task runs: the schedules a user or an agent may write, how they are stored, their next runs, and
 * how they read. A schedule is a cron expression (dialect and daylight-saving rules in cron.ts), an interval, or
 * one instant; it is stored as the original's JSON, `{"kind","cron_expr","interval_ms","at_ms"}`.
 *
 * Wall-clock times — cron fields, a date-time written without an offset, descriptions — are in an IANA time zone.
 * A wall-clock time the zone skips (clocks going forward) means the first instant after the jump, and one it has
 * twice (clocks going back) means its first occurrence, as for fixed-time cron jobs.
 */
import { messageOf } from '@praktor/protocol';
import type { Config } from '../config/index.js';
import type { TaskRecord } from '../store/index.js';
import { timezoneProblem } from '../timezone.js';
import { type CronExpression, CronSyntaxError, cronRuns, describeCron, parseCron } from './cron.js';

/** A task's schedule as stored (JSON in the DB, same keys as the original). */
export type Schedule =
  | { kind: 'cron'; cron_expr: string }
  | { kind: 'interval'; interval_ms: number }
  | { kind: 'once'; at_ms: number };

/** A schedule, time or time zone that is not valid; the message says what is wrong. */
export class ScheduleError extends Error {}

const UNIT_MS = { d: 86_400_000, h: 3_600_000, m: 60_000, s: 1000 } as const;
type Unit = keyof typeof UNIT_MS;
/** The last instant a JavaScript Date can hold. */
const MAX_TIME = 8.64e15;
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const FORMS =
  'a cron expression (5 to 7 fields or a tag such as @daily), a delay such as +30s, +5m, +2h or +1d, ' +
  'an interval such as every 2h, a date-time such as 2026-12-01T09:00, or JSON with a "kind"';

/**
 * Normalises what a user or agent typed (trimmed): relative delay `+30s` `+5m` `+2h` `+1d` (positive integer;
 * d is our addition) -> once at now+delay; JSON with a `kind` (validated: cron_expr valid, interval_ms > 0,
 * at_ms > 0, unknown kind refused); otherwise a cron expression. Also accepts an ISO 8601 date-time
 * ("2026-12-01T09:00", interpreted in `timezone` when it has no offset) -> once; and intervals written as
 * `every 2h` / `every 30m` / `every 45s` / `every 1d` -> interval. Throws a ScheduleError naming what is wrong.
 */
export function parseSchedule(input: string, opts: { now: number; timezone: string }): Schedule {
  const text = input.trim();
  if (text === '') throw new ScheduleError(`the schedule is empty; write ${FORMS}`);
  if (text.startsWith('+')) {
    const at = opts.now + delay(text);
    if (at > MAX_TIME) throw new ScheduleError(`invalid delay "${text}": that is too far in the future`);
    return { kind: 'once', at_ms: at };
  }
  if (text.startsWith('{')) return fromJson(parseJson(text));
  if (/^every\b/i.test(text)) return { kind: 'interval', interval_ms: every(text) };
  if (/^\d{4}-\d\d-\d\d/.test(text)) return { kind: 'once', at_ms: dateTime(text, opts.timezone) };
  const fields = text.split(/\s+/).length;
  if (!text.startsWith('@') && (fields < 5 || fields > 7))
    throw new ScheduleError(`invalid schedule "${text}": write ${FORMS}`);
  checkCron(text);
  return { kind: 'cron', cron_expr: text };
}

/** Parses a stored schedule JSON string (as written by serializeSchedule or by the original) back; throws ScheduleError. */
export function readStoredSchedule(json: string): Schedule {
  return fromJson(parseJson(json));
}

/** The original's JSON: all four keys, the unused ones empty. */
export function serializeSchedule(schedule: Schedule): string {
  return JSON.stringify({
    kind: schedule.kind,
    cron_expr: schedule.kind === 'cron' ? schedule.cron_expr : '',
    interval_ms: schedule.kind === 'interval' ? schedule.interval_ms : 0,
    at_ms: schedule.kind === 'once' ? schedule.at_ms : 0,
  });
}

/**
 * First run strictly after `after` (ms epoch), or null when there is none (past one-shot, unreachable year).
 * cron: evaluated in `timezone` (IANA name). interval: after + interval_ms. once: at_ms if > after.
 */
export function nextRun(schedule: Schedule, after: number, timezone: string): number | null {
  for (const at of runsAfter(schedule, after, timezone)) return at;
  return null;
}

/** Every run in (from, to], oldest first, at most `limit` (for the engine's catch-up policy `all`). */
export function runsBetween(
  schedule: Schedule,
  from: number,
  to: number,
  timezone: string,
  limit: number,
): number[] {
  const runs: number[] = [];
  if (limit <= 0) return runs;
  for (const at of runsAfter(schedule, from, timezone)) {
    if (at > to) break;
    runs.push(at);
    if (runs.length >= limit) break;
  }
  return runs;
}

/**
 * Human description for display, in English: "Every day at 09:00", "Every 5 minutes", "Every Monday at 08:30",
 * "Once at Dec 1 09:00", "Every 2 hours"; `Cron: <expr>` for expressions without a short description. Times are
 * shown in `timezone`.
 */
export function describeSchedule(schedule: Schedule, timezone: string): string {
  switch (schedule.kind) {
    case 'cron':
      return describeCron(checkCron(schedule.cron_expr)) ?? `Cron: ${schedule.cron_expr}`;
    case 'interval':
      return describeInterval(schedule.interval_ms);
    case 'once': {
      const wall = wallClock(schedule.at_ms, timezone);
      const seconds = wall.second === 0 && wall.millisecond === 0 ? '' : `:${pad(wall.second)}`;
      return `Once at ${MONTHS[wall.month - 1]} ${wall.day} ${pad(wall.hour)}:${pad(wall.minute)}${seconds}`;
    }
  }
}

/**
 * How a UI shows a stored schedule in its edit box such that parseSchedule gives the same schedule back:
 * cron -> the expression; interval -> `every 2h` (its JSON below whole seconds); once -> ISO local date-time in
 * `timezone` ("2026-12-01T09:00:00", with milliseconds when it has them, with its offset when the time occurs
 * twice and this is the second, as JSON beyond year 9999).
 */
export function scheduleForEdit(schedule: Schedule, timezone: string): string {
  switch (schedule.kind) {
    case 'cron':
      return schedule.cron_expr;
    case 'interval': {
      const unit = (Object.keys(UNIT_MS) as Unit[]).find((u) => schedule.interval_ms % UNIT_MS[u] === 0);
      return unit === undefined
        ? serializeSchedule(schedule)
        : `every ${schedule.interval_ms / UNIT_MS[unit]}${unit}`;
    }
    case 'once': {
      const wall = wallClock(schedule.at_ms, timezone);
      if (schedule.at_ms <= 0 || wall.year > 9999) return serializeSchedule(schedule);
      const ms = wall.millisecond === 0 ? '' : `.${String(wall.millisecond).padStart(3, '0')}`;
      const local =
        `${wall.year}-${pad(wall.month)}-${pad(wall.day)}` +
        `T${pad(wall.hour)}:${pad(wall.minute)}:${pad(wall.second)}${ms}`;
      if (dateTime(local, timezone) === schedule.at_ms) return local;
      // A later occurrence of a wall-clock time the clocks went back over: only the offset tells it apart.
      const offset = (wallTime(wall) - schedule.at_ms) / 60_000;
      if (!Number.isInteger(offset)) return serializeSchedule(schedule);
      const sign = offset < 0 ? '-' : '+';
      return `${local}${sign}${pad(Math.floor(Math.abs(offset) / 60))}:${pad(Math.abs(offset) % 60)}`;
    }
  }
}

/** The zone a task's schedule is read in: its own, else `scheduler.timezone`. */
export function taskZone(task: TaskRecord, config: Config): string {
  return task.timezone ?? config.scheduler.timezone;
}

/** Validates an IANA time zone name; throws ScheduleError naming it when unknown. */
export function checkTimezone(name: string): string {
  formatter(name);
  return name;
}

function runsAfter(schedule: Schedule, after: number, timezone: string): Iterable<number> {
  switch (schedule.kind) {
    case 'cron':
      checkTimezone(timezone);
      return cronRuns(checkCron(schedule.cron_expr), after, timezone);
    case 'interval':
      return intervalRuns(after, schedule.interval_ms);
    case 'once':
      return schedule.at_ms > after ? [schedule.at_ms] : [];
  }
}

function* intervalRuns(after: number, intervalMs: number): Generator<number> {
  for (let at = after + intervalMs; ; at += intervalMs) yield at;
}

function checkCron(expression: string): CronExpression {
  try {
    return parseCron(expression);
  } catch (error) {
    if (error instanceof CronSyntaxError)
      throw new ScheduleError(`invalid cron expression "${expression.trim()}": ${error.message}`, {
        cause: error,
      });
    throw error;
  }
}

function delay(text: string): number {
  const match = /^\+(\d+)([smhd])$/.exec(text);
  if (!match)
    throw new ScheduleError(
      `invalid delay "${text}": write + and a whole number followed by s, m, h or d, as in +30s, +5m, +2h or +1d`,
    );
  return amount(`delay "${text}"`, Number(match[1]), match[2] as Unit);
}

function every(text: string): number {
  const match = /^every\s+(\d+)\s*([smhd])$/i.exec(text);
  if (!match)
    throw new ScheduleError(
      `invalid interval "${text}": write every and a whole number followed by s, m, h or d, as in every 2h`,
    );
  return amount(`interval "${text}"`, Number(match[1]), (match[2] as string).toLowerCase() as Unit);
}

function amount(what: string, count: number, unit: Unit): number {
  if (count < 1) throw new ScheduleError(`invalid ${what}: the number must be at least 1`);
  const ms = count * UNIT_MS[unit];
  if (ms > MAX_TIME) throw new ScheduleError(`invalid ${what}: that is too long`);
  return ms;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new ScheduleError(`invalid schedule JSON ${text}: ${messageOf(error)}`, { cause: error });
  }
}

function fromJson(value: unknown): Schedule {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new ScheduleError('a schedule in JSON must be an object with a "kind" (cron, interval or once)');
  const { kind, cron_expr, interval_ms, at_ms } = value as Record<string, unknown>;
  switch (kind) {
    case 'cron':
      if (typeof cron_expr !== 'string') throw new ScheduleError('cron_expr must be a string');
      checkCron(cron_expr);
      return { kind, cron_expr: cron_expr.trim() };
    case 'interval':
      if (!isPositiveWhole(interval_ms))
        throw new ScheduleError(
          `interval_ms must be positive (a whole number of milliseconds), got ${JSON.stringify(interval_ms)}`,
        );
      return { kind, interval_ms };
    case 'once':
      if (!isPositiveWhole(at_ms) || at_ms > MAX_TIME)
        throw new ScheduleError(
          `at_ms must be positive (milliseconds since 1970), got ${JSON.stringify(at_ms)}`,
        );
      return { kind, at_ms };
    case undefined:
    case '':
      throw new ScheduleError('a schedule in JSON needs a "kind": cron, interval or once');
    default:
      throw new ScheduleError(`unknown schedule kind: ${JSON.stringify(kind)}`);
  }
}

function isPositiveWhole(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value > 0;
}

function describeInterval(ms: number): string {
  const plural = (n: number, unit: string) => (n === 1 ? `Every ${unit}` : `Every ${n} ${unit}s`);
  if (ms % UNIT_MS.h === 0) return plural(ms / UNIT_MS.h, 'hour');
  if (ms % UNIT_MS.m === 0) return plural(ms / UNIT_MS.m, 'minute');
  return plural(ms / UNIT_MS.s, 'second');
}

const DATE_TIME = /^(\d{4})-(\d\d)-(\d\d)[T ](\d\d):(\d\d)(?::(\d\d)(?:\.(\d{1,3}))?)?(Z|[+-]\d\d:?\d\d)?$/i;

/** An ISO 8601 date-time as ms epoch; without an offset it is a wall-clock time in `timezone`. */
function dateTime(text: string, timezone: string): number {
  const match = DATE_TIME.exec(text);
  if (!match)
    throw new ScheduleError(
      `invalid date-time "${text}": write it as 2026-12-01T09:00, optionally with seconds and an offset (Z, +01:00)`,
    );
  const [, year, month, day, hour, minute, second = '00', fraction = '', zone] = match;
  const wall: WallClock = {
    year: Number(year),
    month: Number(month),
    day: Number(day),
    hour: Number(hour),
    minute: Number(minute),
    second: Number(second),
    millisecond: Number(fraction.padEnd(3, '0')),
  };
  const lastDay = new Date(0);
  lastDay.setUTCFullYear(wall.year, wall.month, 0);
  if (wall.month < 1 || wall.month > 12 || wall.day < 1 || wall.day > lastDay.getUTCDate())
    throw new ScheduleError(`invalid date-time "${text}": there is no ${year}-${month}-${day}`);
  if (wall.hour > 23 || wall.minute > 59 || wall.second > 59)
    throw new ScheduleError(`invalid date-time "${text}": there is no time ${hour}:${minute}:${second}`);
  let at = zone === undefined ? instantOf(wall, timezone) : wallTime(wall);
  if (zone !== undefined && zone.toUpperCase() !== 'Z') {
    const [, sign, hours, minutes] = /^([+-])(\d\d):?(\d\d)$/.exec(zone) as RegExpExecArray;
    if (Number(hours) > 23 || Number(minutes) > 59)
      throw new ScheduleError(`invalid date-time "${text}": there is no offset ${zone}`);
    at -= (Number(hours) * 60 + Number(minutes)) * 60_000 * (sign === '-' ? -1 : 1);
  }
  if (at <= 0) throw new ScheduleError(`invalid date-time "${text}": it is not after 1970-01-01T00:00Z`);
  return at;
}

interface WallClock {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  millisecond: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timezone: string): Intl.DateTimeFormat {
  let format = formatters.get(timezone);
  if (format === undefined) {
    const problem = timezoneProblem(timezone);
    if (problem) throw new ScheduleError(problem);
    format = new Intl.DateTimeFormat('en-US', {
      timeZone: timezone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(timezone, format);
  }
  return format;
}

/** The wall clock in `timezone` at the instant `at`. */
function wallClock(at: number, timezone: string): WallClock {
  const fields: Record<string, number> = {};
  for (const part of formatter(timezone).formatToParts(at)) fields[part.type] = Number(part.value);
  return {
    year: fields.year as number,
    month: fields.month as number,
    day: fields.day as number,
    hour: fields.hour as number,
    minute: fields.minute as number,
    second: fields.second as number,
    millisecond: ((at % 1000) + 1000) % 1000,
  };
}

/** The wall-clock time read as if it were UTC, in ms: subtract the zone's offset to get the instant. */
function wallTime(wall: WallClock): number {
  const date = new Date(0);
  date.setUTCFullYear(wall.year, wall.month - 1, wall.day);
  date.setUTCHours(wall.hour, wall.minute, wall.second, wall.millisecond);
  return date.getTime();
}

function offsetAt(at: number, timezone: string): number {
  return wallTime(wallClock(at, timezone)) - at;
}

/** The first instant showing this wall-clock time in `timezone`, or the end of the jump the zone makes over it. */
function instantOf(wall: WallClock, timezone: string): number {
  const local = wallTime(wall);
  const before = offsetAt(local - UNIT_MS.d, timezone);
  const after = offsetAt(local + UNIT_MS.d, timezone);
  const candidates = [before, offsetAt(local, timezone), after]
    .map((offset) => local - offset)
    .filter((at) => wallTime(wallClock(at, timezone)) === local);
  if (candidates.length > 0) return Math.min(...candidates);
  // The clocks jumped over this time, from offset `before` to `after`: find the jump to the second.
  let lo = Math.floor((local - after) / 1000) * 1000;
  let hi = Math.ceil((local - before) / 1000) * 1000;
  while (hi - lo > 1000) {
    const mid = lo + Math.floor((hi - lo) / 2000) * 1000;
    if (offsetAt(mid, timezone) === before) lo = mid;
    else hi = mid;
  }
  return hi;
}

function pad(n: number): string {
  return String(n).padStart(2, '0');
}
