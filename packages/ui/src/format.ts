/**
 * How times, durations and states read in Mission Control.
 */
import type { Channel } from '@praktor/protocol';

const clock = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit' });
const dayAndClock = new Intl.DateTimeFormat(undefined, {
  day: 'numeric',
  month: 'short',
  hour: '2-digit',
  minute: '2-digit',
});
const full = new Intl.DateTimeFormat(undefined, { dateStyle: 'full', timeStyle: 'medium' });

/** A message time: the clock for today, the day and clock before that. */
export function formatTime(ms: number, now: number = Date.now()): string {
  const sameDay = new Date(ms).toDateString() === new Date(now).toDateString();
  return (sameDay ? clock : dayAndClock).format(ms);
}

/** The calendar date of `ms` in `timeZone`, as `2026-03-04`, for telling days apart in that zone. */
export function dateIn(ms: number, timeZone: string): string {
  return new Date(ms).toLocaleDateString('en-CA', { timeZone });
}

const zoned = new Map<string, { clock: Intl.DateTimeFormat; dayAndClock: Intl.DateTimeFormat }>();

/**
 * A time as a task's schedule reads it, in the task's zone: the clock for a time on the same day as `now`
 * there, else the day and clock. Always on a 24-hour clock, like the schedules' descriptions ("at 09:00").
 */
export function formatTimeIn(ms: number, timeZone: string, now: number = Date.now()): string {
  let formats = zoned.get(timeZone);
  if (!formats) {
    formats = {
      clock: new Intl.DateTimeFormat(undefined, {
        hour: '2-digit',
        minute: '2-digit',
        hourCycle: 'h23',
        timeZone,
      }),
      dayAndClock: new Intl.DateTimeFormat(undefined, {
        day: 'numeric',
        month: 'short',
        hour: '2-digit',
        minute: '2-digit',
        hourCycle: 'h23',
        timeZone,
      }),
    };
    zoned.set(timeZone, formats);
  }
  return (dateIn(ms, timeZone) === dateIn(now, timeZone) ? formats.clock : formats.dayAndClock).format(ms);
}

/** The browser's own time zone, e.g. `Europe/Berlin`. */
export function browserZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone;
}

/** A zone's canonical name (`Etc/UTC` is `UTC`); an unknown name stays as it is. */
function canonicalZone(timeZone: string): string {
  try {
    return new Intl.DateTimeFormat('en-US', { timeZone }).resolvedOptions().timeZone;
  } catch {
    return timeZone;
  }
}

/** Whether two zone names are the same zone, spelled alike or not. */
export function sameZone(a: string, b: string): boolean {
  return canonicalZone(a) === canonicalZone(b);
}

/** The full date and time, for a tooltip. */
export function formatFullTime(ms: number): string {
  return full.format(ms);
}

/** "just now", "5 min ago", "3 h ago", "2 d ago". */
export function formatAgo(ms: number, now: number = Date.now()): string {
  const seconds = Math.max(0, Math.round((now - ms) / 1000));
  if (seconds < 45) return 'just now';
  const minutes = Math.round(seconds / 60);
  if (minutes < 60) return `${minutes} min ago`;
  const hours = Math.round(minutes / 60);
  if (hours < 24) return `${hours} h ago`;
  return `${Math.round(hours / 24)} d ago`;
}

/** An uptime: the two largest units, "2 d 3 h", "3 h 12 min", "4 min 5 s". */
export function formatUptime(totalSeconds: number): string {
  const s = Math.max(0, Math.floor(totalSeconds));
  const parts: [number, string][] = [
    [Math.floor(s / 86_400), 'd'],
    [Math.floor((s % 86_400) / 3600), 'h'],
    [Math.floor((s % 3600) / 60), 'min'],
    [s % 60, 's'],
  ];
  const first = parts.findIndex(([n]) => n > 0);
  if (first < 0) return '0 s';
  return parts
    .slice(first, first + 2)
    .filter(([n]) => n > 0)
    .map(([n, unit]) => `${n} ${unit}`)
    .join(' ');
}

const CHANNEL_LABEL: Record<Channel, string> = {
  telegram: 'Telegram',
  web: 'Web',
  scheduler: 'Scheduler',
  system: 'System',
};

/** The channel's name as the user knows it. */
export function channelLabel(channel: Channel): string {
  return CHANNEL_LABEL[channel];
}

/** A long text cut at about `max` characters on a word boundary. */
export function excerpt(text: string, max = 140): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  if (flat.length <= max) return flat;
  const cut = flat.slice(0, max);
  const space = cut.lastIndexOf(' ');
  return `${space > max * 0.6 ? cut.slice(0, space) : cut}…`;
}

/** How long something took: "850 ms", "12.3 s", "4 min 5 s", "1 h 3 min". */
export function formatDuration(ms: number): string {
  const clamped = Math.max(0, Math.round(ms));
  if (clamped < 1000) return `${clamped} ms`;
  if (clamped < 10_000) return `${(Math.floor(clamped / 100) / 10).toFixed(1)} s`;
  return formatUptime(clamped / 1000);
}

/** How far ahead a time is: "in 5 min", "in 3 h", "in 2 d"; "now" once it is due. */
export function formatUntil(ms: number, now: number = Date.now()): string {
  const seconds = Math.round((ms - now) / 1000);
  if (seconds <= 0) return 'now';
  if (seconds < 60) return `in ${seconds} s`;
  const minutes = Math.round(seconds / 60);
  if (minutes < 60) return `in ${minutes} min`;
  const hours = Math.round(minutes / 60);
  if (hours < 24) return `in ${hours} h`;
  return `in ${Math.round(hours / 24)} d`;
}

// Mission Control's text is English, so its numbers are too, whatever the browser's locale.
const count = new Intl.NumberFormat('en-US');

/** A number of tokens (or anything countable) with thousands separators: "12,345". */
export function formatCount(n: number): string {
  return count.format(n);
}

/**
 * A model cost in US dollars: cents from a dollar on, up to four decimals below (where a run usually costs), at
 * least two.
 */
export function formatCost(usd: number): string {
  if (usd === 0) return '$0';
  return `$${usd >= 1 ? usd.toFixed(2) : usd.toFixed(4).replace(/0{1,2}$/, '')}`;
}
