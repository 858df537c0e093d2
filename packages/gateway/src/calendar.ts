/**
 * Days and months in a time zone (`scheduler.timezone`): which day or month an instant falls in, and when that
 * period starts and ends. Costs are counted and budgets reset by these, so "today" means the user's today.
 */

/** One day (`YYYY-MM-DD`) or month (`YYYY-MM`) and the instants it spans, [start, end). */
export interface Period {
  key: string;
  start: number;
  end: number;
}

const formats = new Map<string, Intl.DateTimeFormat>();

function format(timeZone: string): Intl.DateTimeFormat {
  let f = formats.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    formats.set(timeZone, f);
  }
  return f;
}

/** The wall-clock fields of `ms` in `timeZone`. */
function wallClock(
  ms: number,
  timeZone: string,
): Record<'year' | 'month' | 'day' | 'hour' | 'minute' | 'second', number> {
  const parts = Object.fromEntries(
    format(timeZone)
      .formatToParts(new Date(ms))
      .filter((p) => p.type !== 'literal')
      .map((p) => [p.type, Number(p.value)]),
  );
  return {
    year: parts.year ?? 1970,
    month: parts.month ?? 1,
    day: parts.day ?? 1,
    hour: parts.hour ?? 0,
    minute: parts.minute ?? 0,
    second: parts.second ?? 0,
  };
}

/** How far `timeZone`'s clocks are ahead of UTC at `ms`, in milliseconds. */
function offsetAt(ms: number, timeZone: string): number {
  const w = wallClock(ms, timeZone);
  const asUtc = Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second);
  return asUtc - Math.floor(ms / 1000) * 1000;
}

/** The instant the wall clock of `timeZone` shows midnight starting the given day. */
function midnight(year: number, month: number, day: number, timeZone: string): number {
  const guess = Date.UTC(year, month - 1, day);
  const first = guess - offsetAt(guess, timeZone);
  // Once more at the instant found, for a zone whose offset changed between the two.
  return guess - offsetAt(first, timeZone);
}

const pad = (n: number) => String(n).padStart(2, '0');

/** The day `ms` falls in, in `timeZone`. */
export function dayOf(ms: number, timeZone: string): Period {
  const w = wallClock(ms, timeZone);
  return dayPeriod(w.year, w.month, w.day, timeZone);
}

/** The month `ms` falls in, in `timeZone`. */
export function monthOf(ms: number, timeZone: string): Period {
  const w = wallClock(ms, timeZone);
  return {
    key: `${w.year}-${pad(w.month)}`,
    start: midnight(w.year, w.month, 1, timeZone),
    end: midnight(w.month === 12 ? w.year + 1 : w.year, w.month === 12 ? 1 : w.month + 1, 1, timeZone),
  };
}

/** The day named `YYYY-MM-DD`, in `timeZone`. */
export function namedDay(key: string, timeZone: string): Period {
  const [year, month, day] = key.split('-').map(Number) as [number, number, number];
  return dayPeriod(year, month, day, timeZone);
}

function dayPeriod(year: number, month: number, day: number, timeZone: string): Period {
  const next = new Date(Date.UTC(year, month - 1, day + 1));
  return {
    key: `${year}-${pad(month)}-${pad(day)}`,
    start: midnight(year, month, day, timeZone),
    end: midnight(next.getUTCFullYear(), next.getUTCMonth() + 1, next.getUTCDate(), timeZone),
  };
}
