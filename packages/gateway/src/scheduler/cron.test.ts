import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { CronSyntaxError, cronRuns, describeCron, parseCron } from './cron.js';

const MINUTE = 60_000;
const HOUR = 3_600_000;
const DAY = 86_400_000;

/** The first `count` runs strictly after `after` (UTC, ISO without Z), as ISO instants. */
function runs(expression: string, after: string, timezone = 'UTC', count = 1): string[] {
  const out: string[] = [];
  for (const at of cronRuns(parseCron(expression), Date.parse(`${after}Z`), timezone)) {
    out.push(new Date(at).toISOString().replace('.000Z', 'Z'));
    if (out.length === count) break;
  }
  return out;
}

describe('cron fields', () => {
  test('five fields are minute, hour, day-of-month, month, day-of-week', () => {
    expect(runs('30 9 * * *', '2026-03-10T10:00:00', 'UTC', 2)).toEqual([
      '2026-03-11T09:30:00Z',
      '2026-03-12T09:30:00Z',
    ]);
  });

  test('six fields whose last holds a four-digit year end with the year', () => {
    expect(runs('0 9 1 12 * 2026', '2026-03-10T10:00:00', 'UTC', 2)).toEqual(['2026-12-01T09:00:00Z']);
    expect(runs('0 9 1 12 * 2026-2027', '2026-12-01T09:00:00')).toEqual(['2027-12-01T09:00:00Z']);
  });

  test('six fields without a four-digit year start with the second', () => {
    expect(runs('*/15 * * * * *', '2026-03-10T10:00:00', 'UTC', 3)).toEqual([
      '2026-03-10T10:00:15Z',
      '2026-03-10T10:00:30Z',
      '2026-03-10T10:00:45Z',
    ]);
    // sec 0, min 0, hour 12, any day, Mondays: not minute 0 of hour 12 in year 1.
    expect(runs('0 0 12 * * 1', '2026-03-10T10:00:00')).toEqual(['2026-03-16T12:00:00Z']);
  });

  test('seven fields are second, minute, hour, day-of-month, month, day-of-week, year', () => {
    expect(runs('30 0 9 * * * 2026', '2026-03-10T10:00:00')).toEqual(['2026-03-11T09:00:30Z']);
    expect(runs('30 0 9 * * * 2025', '2026-03-10T10:00:00')).toEqual([]);
  });

  test.each([
    ['@yearly', '2027-01-01T00:00:00Z'],
    ['@annually', '2027-01-01T00:00:00Z'],
    ['@monthly', '2026-04-01T00:00:00Z'],
    ['@weekly', '2026-03-15T00:00:00Z'],
    ['@daily', '2026-03-11T00:00:00Z'],
    ['@hourly', '2026-03-10T11:00:00Z'],
    ['@always', '2026-03-10T10:08:00Z'],
    ['@5minutes', '2026-03-10T10:10:00Z'],
    ['@10minutes', '2026-03-10T10:10:00Z'],
    ['@15minutes', '2026-03-10T10:15:00Z'],
    ['@30minutes', '2026-03-10T10:30:00Z'],
    ['@everysecond', '2026-03-10T10:07:01Z'],
  ])('the tag %s next runs at %s after Tuesday 2026-03-10 10:07', (tag, next) => {
    expect(runs(tag, '2026-03-10T10:07:00')).toEqual([next]);
    expect(runs(tag.toUpperCase(), '2026-03-10T10:07:00')).toEqual([next]);
  });

  test('month and day names are read in any case', () => {
    expect(runs('0 9 * jan-MAR Mon', '2026-03-28T00:00:00', 'UTC', 2)).toEqual([
      '2026-03-30T09:00:00Z',
      '2027-01-04T09:00:00Z',
    ]);
    expect(runs('0 9 1 dec,Feb *', '2026-03-10T00:00:00')).toEqual(['2026-12-01T09:00:00Z']);
  });

  test('ranges, lists and steps combine', () => {
    expect(runs('5,35 8-18/5 * * *', '2026-03-10T08:10:00', 'UTC', 4)).toEqual([
      '2026-03-10T08:35:00Z',
      '2026-03-10T13:05:00Z',
      '2026-03-10T13:35:00Z',
      '2026-03-10T18:05:00Z',
    ]);
  });

  test('a step from a single value runs to the end of the field', () => {
    expect(runs('10/20 * * * *', '2026-03-10T10:00:00', 'UTC', 3)).toEqual([
      '2026-03-10T10:10:00Z',
      '2026-03-10T10:30:00Z',
      '2026-03-10T10:50:00Z',
    ]);
  });

  test('a step over day-of-month counts from the 1st', () => {
    expect(runs('0 0 */10 * *', '2026-03-01T00:00:00', 'UTC', 3)).toEqual([
      '2026-03-11T00:00:00Z',
      '2026-03-21T00:00:00Z',
      '2026-03-31T00:00:00Z',
    ]);
  });

  test('a year step counts from year 0', () => {
    expect(runs('0 0 0 1 1 * */4', '2026-06-01T00:00:00')).toEqual(['2028-01-01T00:00:00Z']);
  });

  test('L in day-of-month is the last day of the month', () => {
    expect(runs('0 18 L * *', '2026-02-01T00:00:00')).toEqual(['2026-02-28T18:00:00Z']);
    expect(runs('0 18 L 2 *', '2027-03-01T00:00:00')).toEqual(['2028-02-29T18:00:00Z']);
  });

  test('nW is the weekday nearest the nth, within the month', () => {
    // 2026-08-15 is a Saturday, 2026-03-15 a Sunday, 2026-08-01 a Saturday, 2026-05-31 a Sunday.
    expect(runs('0 9 15W * *', '2026-08-01T00:00:00')).toEqual(['2026-08-14T09:00:00Z']);
    expect(runs('0 9 15W * *', '2026-03-01T00:00:00')).toEqual(['2026-03-16T09:00:00Z']);
    expect(runs('0 9 1W * *', '2026-07-31T12:00:00')).toEqual(['2026-08-03T09:00:00Z']);
    expect(runs('0 9 31W * *', '2026-05-01T00:00:00')).toEqual(['2026-05-29T09:00:00Z']);
  });

  test('nW for a day the month does not have skips that month', () => {
    expect(runs('0 9 31W * *', '2026-04-01T00:00:00')).toEqual(['2026-05-29T09:00:00Z']);
  });

  test('n#k is the kth such weekday of the month', () => {
    expect(runs('0 9 * * 1#2', '2026-03-01T00:00:00')).toEqual(['2026-03-09T09:00:00Z']);
    expect(runs('0 9 * * FRI#5', '2026-02-01T00:00:00')).toEqual(['2026-05-29T09:00:00Z']);
    expect(runs('0 9 * * 7#1', '2026-03-02T00:00:00')).toEqual(['2026-04-05T09:00:00Z']);
  });

  test('nL in day-of-week is the last such weekday of the month', () => {
    expect(runs('0 9 * * 5L', '2026-03-01T00:00:00', 'UTC', 2)).toEqual([
      '2026-03-27T09:00:00Z',
      '2026-04-24T09:00:00Z',
    ]);
    expect(runs('0 9 * * friL', '2026-03-01T00:00:00')).toEqual(['2026-03-27T09:00:00Z']);
  });

  test('? means any value', () => {
    expect(runs('0 9 ? * MON', '2026-03-10T00:00:00')).toEqual(runs('0 9 * * MON', '2026-03-10T00:00:00'));
  });

  test('0 and 7 are both Sunday, also at the end of a range', () => {
    expect(runs('0 9 * * 7', '2026-03-10T00:00:00')).toEqual(['2026-03-15T09:00:00Z']);
    expect(runs('0 9 * * 0', '2026-03-10T00:00:00')).toEqual(['2026-03-15T09:00:00Z']);
    expect(runs('0 9 * * 5-7', '2026-03-12T00:00:00', 'UTC', 3)).toEqual([
      '2026-03-13T09:00:00Z',
      '2026-03-14T09:00:00Z',
      '2026-03-15T09:00:00Z',
    ]);
  });

  test('day-of-month and day-of-week both restricted: either one matching is enough', () => {
    // 13th of the month or any Friday; 2026-03-13 is a Friday itself.
    expect(runs('0 9 13 * 5', '2026-03-14T00:00:00', 'UTC', 3)).toEqual([
      '2026-03-20T09:00:00Z',
      '2026-03-27T09:00:00Z',
      '2026-04-03T09:00:00Z',
    ]);
    expect(runs('0 9 1 * MON', '2026-03-28T00:00:00', 'UTC', 2)).toEqual([
      '2026-03-30T09:00:00Z',
      '2026-04-01T09:00:00Z',
    ]);
  });

  test('a day field beginning with * or ? restricts together with the other one', () => {
    // Odd days that are Mondays; March 2026's Mondays are the 2nd, 9th, 16th, 23rd, 30th.
    expect(runs('0 9 */2 * MON', '2026-03-01T00:00:00', 'UTC', 2)).toEqual([
      '2026-03-09T09:00:00Z',
      '2026-03-23T09:00:00Z',
    ]);
    // The 1st when it is a Sunday, Tuesday, Thursday or Saturday: not April-July 2026.
    expect(runs('0 9 1 * */2', '2026-03-02T00:00:00')).toEqual(['2026-08-01T09:00:00Z']);
  });

  test('a day that never comes and a past year have no run', () => {
    expect(runs('0 0 30 2 *', '2026-01-01T00:00:00')).toEqual([]);
    expect(runs('0 0 1 1 * 2020', '2026-01-01T00:00:00')).toEqual([]);
    expect(runs('0 0 0 1 1 * 0', '2026-01-01T00:00:00')).toEqual([]);
  });

  test('the next run is strictly after the start, also mid-second', () => {
    expect(runs('0 9 * * *', '2026-03-10T09:00:00')).toEqual(['2026-03-11T09:00:00Z']);
    expect(runs('* * * * * *', '2026-03-10T09:00:00.500')).toEqual(['2026-03-10T09:00:01Z']);
  });

  test('runs are evaluated on the wall clock of the time zone', () => {
    expect(runs('0 9 * * *', '2026-01-10T00:00:00', 'Europe/Berlin')).toEqual(['2026-01-10T08:00:00Z']);
    expect(runs('0 9 * * *', '2026-07-10T00:00:00', 'Europe/Berlin')).toEqual(['2026-07-10T07:00:00Z']);
    expect(runs('0 9 * * *', '2026-07-10T00:00:00', 'America/New_York')).toEqual(['2026-07-10T13:00:00Z']);
  });
});

describe('daylight saving time', () => {
  // Berlin: 2026-03-29 02:00 CET -> 03:00 CEST (01:00Z); 2026-10-25 03:00 CEST -> 02:00 CET (01:00Z).
  // New York: 2026-03-08 02:00 EST -> 03:00 EDT (07:00Z); 2026-11-01 02:00 EDT -> 01:00 EST (06:00Z).
  test('a fixed time the clocks skip runs once at the first instant after the jump', () => {
    expect(runs('30 2 * * *', '2026-03-28T12:00:00', 'Europe/Berlin', 2)).toEqual([
      '2026-03-29T01:00:00Z',
      '2026-03-30T00:30:00Z',
    ]);
    expect(runs('0,30 2 * * *', '2026-03-28T12:00:00', 'Europe/Berlin', 2)).toEqual([
      '2026-03-29T01:00:00Z',
      '2026-03-30T00:00:00Z',
    ]);
    expect(runs('15 2 * * *', '2026-03-07T12:00:00', 'America/New_York', 2)).toEqual([
      '2026-03-08T07:00:00Z',
      '2026-03-09T06:15:00Z',
    ]);
  });

  test('a fixed time the clocks repeat runs at its first occurrence only', () => {
    expect(runs('30 2 * * *', '2026-10-24T12:00:00', 'Europe/Berlin', 2)).toEqual([
      '2026-10-25T00:30:00Z',
      '2026-10-26T01:30:00Z',
    ]);
    expect(runs('30 1 * * *', '2026-11-01T05:45:00', 'America/New_York', 1)).toEqual([
      '2026-11-02T06:30:00Z',
    ]);
  });

  test('an interval job skips the times that do not exist', () => {
    expect(runs('*/30 * * * *', '2026-03-29T00:10:00', 'Europe/Berlin', 3)).toEqual([
      '2026-03-29T00:30:00Z',
      '2026-03-29T01:00:00Z',
      '2026-03-29T01:30:00Z',
    ]);
  });

  test('an interval job runs through a repeated hour twice', () => {
    expect(runs('*/30 * * * *', '2026-10-25T00:10:00', 'Europe/Berlin', 4)).toEqual([
      '2026-10-25T00:30:00Z',
      '2026-10-25T01:00:00Z',
      '2026-10-25T01:30:00Z',
      '2026-10-25T02:00:00Z',
    ]);
    expect(runs('0 * * * *', '2026-11-01T04:30:00', 'America/New_York', 3)).toEqual([
      '2026-11-01T05:00:00Z',
      '2026-11-01T06:00:00Z',
      '2026-11-01T07:00:00Z',
    ]);
  });
});

describe('invalid expressions', () => {
  test.each([
    ['61 * * * *', 'minute 61 is out of range 0-59'],
    ['* 24 * * *', 'hour 24 is out of range 0-23'],
    ['* * 0 * *', 'day-of-month 0 is out of range 1-31'],
    ['* * * 13 *', 'month 13 is out of range 1-12'],
    ['* * * * 8', 'day-of-week 8 is out of range 0-7'],
    ['60 * * * * *', 'second 60 is out of range 0-59'],
    ['0 0 0 * * * 10000', 'year 10000 is out of range 0-9999'],
    ['* * *', 'expected 5 to 7 fields separated by spaces, got 3'],
    ['* * * * * * * *', 'got 8'],
    ['', 'got 0'],
    ['@fortnightly', 'unknown tag "@fortnightly"'],
    ['@reboot', 'unknown tag "@reboot"'],
    ['x * * * *', 'minute "x" is not a number'],
    ['* * * FOO *', 'month "FOO" is not a number or a name (JAN-DEC)'],
    ['* * * * MONDAY', 'day-of-week "MONDAY" is not a number or a name (SUN-SAT)'],
    ['* * * MON *', 'month "MON" is not a number or a name (JAN-DEC)'],
    ['* 20-5 * * *', 'hour range "20-5" runs backwards'],
    ['*/0 * * * *', 'the step after / must be a whole number of at least 1'],
    ['1/2/3 * * * *', 'has more than one /'],
    ['1-2-3 * * * *', 'is not a valid range'],
    ['1,,2 * * * *', 'minute "1,,2" has an empty list item'],
    ['* * 15W-20 * *', 'is not a number'],
    ['* 5W * * *', 'W belongs in day-of-month'],
    ['* * * * 15W', 'W belongs in day-of-month'],
    ['* * 1#2 * *', '# belongs in day-of-week'],
    ['* * * * L', 'put the weekday before L'],
    ['* * 5L * *', 'L stands alone here'],
    ['L * * * *', 'L belongs in day-of-month'],
    ['* * * * 1#6', 'the occurrence after # must be 1 to 5'],
    ['* * * * 8#1', 'day-of-week 8 is out of range 0-7'],
    ['* * 32W * *', 'day-of-month 32 is out of range 1-31'],
    ['* * * * 7/2', 'a step must start at 6 or before'],
    ['* * 0/5 * *', 'day-of-month 0 is out of range 1-31'],
    ['?/5 * * * *', 'minute "?" in "?/5" is not a number'],
  ])('%j is refused: %s', (expression, message) => {
    expect(() => parseCron(expression)).toThrow(CronSyntaxError);
    expect(() => parseCron(expression)).toThrow(message);
  });
});

describe('describeCron', () => {
  test.each([
    ['0 9 * * *', 'Every day at 09:00'],
    ['@daily', 'Every day at 00:00'],
    ['30 8 * * MON', 'Every Monday at 08:30'],
    ['30 8 * * 1,5', 'Every Monday and Friday at 08:30'],
    ['0 7 * * 6,0', 'Every Saturday and Sunday at 07:00'],
    ['0 9 * * MON-FRI', 'Every weekday at 09:00'],
    ['@weekly', 'Every Sunday at 00:00'],
    ['0 9,17 * * *', 'Every day at 09:00 and 17:00'],
    ['15 8,12,18 * * *', 'Every day at 08:15, 12:15 and 18:15'],
    ['30 0 9 * * *', 'Every day at 09:00:30'],
    ['*/5 * * * *', 'Every 5 minutes'],
    ['@30minutes', 'Every 30 minutes'],
    ['@always', 'Every minute'],
    ['@hourly', 'Every hour'],
    ['15 * * * *', 'Every hour at minute 15'],
    ['0 */2 * * *', 'Every 2 hours'],
    ['30 */6 * * *', 'Every 6 hours at minute 30'],
    ['0 9-17 * * MON-FRI', 'Every hour from 09:00 to 17:00 on weekdays'],
    ['*/15 * * * 1,3', 'Every 15 minutes on Monday and Wednesday'],
    ['@everysecond', 'Every second'],
    ['*/10 * * * * *', 'Every 10 seconds'],
    ['@monthly', 'On day 1 of every month at 00:00'],
    ['0 9 1,15 * *', 'On days 1 and 15 of every month at 09:00'],
    ['0 18 L * *', 'On the last day of every month at 18:00'],
    ['0 9 15W * *', 'On the weekday nearest day 15 of every month at 09:00'],
    ['0 9 * * 1#2', 'On the second Monday of every month at 09:00'],
    ['0 17 * * FRIL', 'On the last Friday of every month at 17:00'],
    ['@yearly', 'Every year on Jan 1 at 00:00'],
    ['0 9 25 DEC *', 'Every year on Dec 25 at 09:00'],
    ['20 10 17 2 * 2026', 'On Feb 17, 2026 at 10:20'],
    ['0 9 1-31 * MON', 'Every day at 09:00'],
  ])('%s reads "%s"', (expression, text) => {
    expect(describeCron(parseCron(expression))).toBe(text);
  });

  test.each([
    ['*/7 * * * *'],
    ['0 9 13 * 5'],
    ['0 9 * 1-6 *'],
    ['0 9 1 * * 2026-2028'],
    ['*/5 9 * * *'],
    ['0 9 1,L * *'],
    ['0 0-23/5 * * *'],
  ])('%s has no short description', (expression) => {
    expect(describeCron(parseCron(expression))).toBeNull();
  });
});

// ---------------------------------------------------------------------------------------------------------------
// The specification, read independently of cron.ts and croner: a matcher of one wall-clock time against an
// expression, and the next runs found by stepping through time minute by minute (second by second for expressions
// with a seconds field), applying the daylight-saving rules of cron.ts's module comment.

const SPEC_TAGS: Record<string, string> = {
  '@yearly': '0 0 1 1 *',
  '@annually': '0 0 1 1 *',
  '@monthly': '0 0 1 * *',
  '@weekly': '0 0 * * 0',
  '@daily': '0 0 * * *',
  '@hourly': '0 * * * *',
  '@always': '* * * * *',
  '@5minutes': '*/5 * * * *',
  '@10minutes': '*/10 * * * *',
  '@15minutes': '*/15 * * * *',
  '@30minutes': '0,30 * * * *',
  '@everysecond': '* * * * * *',
};
const SPEC_MONTHS = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
const SPEC_DAYS = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];

interface Wall {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

interface Spec {
  bySecond: boolean;
  fixedTime: boolean;
  date(wall: Wall): boolean;
  hour(wall: Wall): boolean;
  minute(wall: Wall): boolean;
  second(wall: Wall): boolean;
}

function spec(expression: string): Spec {
  let text = expression.trim();
  if (text.startsWith('@')) text = SPEC_TAGS[text.toLowerCase()] as string;
  let fields = text.split(/\s+/);
  if (fields.length === 5 || (fields.length === 6 && /\d{4}/.test(fields[5] as string)))
    fields = ['0', ...fields];
  const [sec, min, hour, dom, month, dow, year = '*'] = fields as string[];
  const named = (field: string, names: string[], first: number) =>
    field.toUpperCase().replace(/[A-Z]{3}/g, (name) => String(names.indexOf(name) + first));
  const months = named(month as string, SPEC_MONTHS, 1);
  const weekdays = named(dow as string, SPEC_DAYS, 0);
  const either = !/^[*?]/.test(dom as string) && !/^[*?]/.test(dow as string);
  const domMatches = (w: Wall) => (dom as string).split(',').some((item) => dayOfMonthItem(item, w));
  const dowMatches = (w: Wall) => weekdays.split(',').some((item) => dayOfWeekItem(item, w));
  return {
    bySecond: sec !== '0',
    fixedTime: ![sec, min, hour].some((field) => /[*?/]/.test(field as string)),
    date: (w) =>
      inField(year, w.year, 0, 9999) &&
      inField(months, w.month, 1, 12) &&
      (either ? domMatches(w) || dowMatches(w) : domMatches(w) && dowMatches(w)),
    hour: (w) => inField(hour as string, w.hour, 0, 23),
    minute: (w) => inField(min as string, w.minute, 0, 59),
    second: (w) => inField(sec as string, w.second, 0, 59),
  };
}

function inField(field: string, value: number, lo: number, hi: number): boolean {
  return field.split(',').some((item) => inItem(item, value, lo, hi));
}

/** `*`, `?`, `n`, `a-b`, and steps: `*`, `a` (a to hi) or `a-b`, then `/s`. */
function inItem(item: string, value: number, lo: number, hi: number): boolean {
  if (item === '*' || item === '?') return true;
  const [range = '', step = '1'] = item.split('/');
  let [from, to] = [lo, hi];
  if (range.includes('-')) [from, to] = range.split('-').map(Number) as [number, number];
  else if (range !== '*') [from, to] = [Number(range), item.includes('/') ? hi : Number(range)];
  return value >= from && value <= to && (value - from) % Number(step) === 0;
}

function daysIn(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

function weekdayOf(year: number, month: number, day: number): number {
  return new Date(Date.UTC(year, month - 1, day)).getUTCDay();
}

function dayOfMonthItem(item: string, w: Wall): boolean {
  const last = daysIn(w.year, w.month);
  if (item.toUpperCase() === 'L') return w.day === last;
  const nearest = /^(\d+)W$/i.exec(item);
  if (!nearest) return inItem(item, w.day, 1, 31);
  const n = Number(nearest[1]);
  if (n > last) return false;
  const weekday = weekdayOf(w.year, w.month, n);
  if (weekday === 6) return w.day === (n === 1 ? 3 : n - 1);
  if (weekday === 0) return w.day === (n === last ? n - 2 : n + 1);
  return w.day === n;
}

function dayOfWeekItem(item: string, w: Wall): boolean {
  const weekday = weekdayOf(w.year, w.month, w.day);
  const lastOf = /^(\d+)L$/i.exec(item);
  if (lastOf) return weekday === Number(lastOf[1]) % 7 && w.day + 7 > daysIn(w.year, w.month);
  const nth = /^(\d+)#(\d)$/.exec(item);
  if (nth) return weekday === Number(nth[1]) % 7 && Math.ceil(w.day / 7) === Number(nth[2]);
  // `*` and `a/s` end at Saturday; 7 written out is Sunday.
  return inItem(item, weekday, 0, 6) || (weekday === 0 && inItem(item, 7, 0, 6));
}

const offsetCache = new Map<string, number>();
const formatters = new Map<string, Intl.DateTimeFormat>();

/**
 * The zone's offset at `at`. The zones tested change their whole-hour offsets on the hour, so one lookup per UTC
 * hour is exact — and the wall date, hour and minute stay the same within a UTC hour and minute.
 */
function offsetAt(at: number, timezone: string): number {
  const key = `${timezone} ${Math.floor(at / HOUR)}`;
  let offset = offsetCache.get(key);
  if (offset === undefined) {
    const hourStart = Math.floor(at / HOUR) * HOUR;
    let format = formatters.get(timezone);
    if (format === undefined) {
      format = new Intl.DateTimeFormat('en-US', {
        timeZone: timezone,
        hourCycle: 'h23',
        year: 'numeric',
        month: 'numeric',
        day: 'numeric',
        hour: 'numeric',
        minute: 'numeric',
      });
      formatters.set(timezone, format);
    }
    const parts = format.formatToParts(hourStart);
    const get = (type: string) => Number(parts.find((part) => part.type === type)?.value);
    offset = Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute')) - hourStart;
    offsetCache.set(key, offset);
  }
  return offset;
}

/** A wall-clock time written as ms since 1970 as if it were UTC. */
function wallOf(wallMs: number): Wall {
  const d = new Date(wallMs);
  return {
    year: d.getUTCFullYear(),
    month: d.getUTCMonth() + 1,
    day: d.getUTCDate(),
    hour: d.getUTCHours(),
    minute: d.getUTCMinutes(),
    second: d.getUTCSeconds(),
  };
}

/**
 * The runs strictly after `after` up to `until`, at most `count`, by stepping through time. A time matches when
 * its wall clock matches every field. Fixed-time jobs: a matching wall time the clocks jumped over runs at the
 * first instant after the jump (same day), and a wall time shown a second time does not run again.
 */
function specRuns(
  expression: string,
  after: number,
  until: number,
  timezone: string,
  count: number,
): number[] {
  const s = spec(expression);
  const step = s.bySecond ? 1000 : MINUTE;
  const found: number[] = [];
  const all = (w: Wall) => s.date(w) && s.hour(w) && s.minute(w) && s.second(w);
  let t = Math.floor(after / step) * step + step;
  while (t <= until && found.length < count) {
    const wallMs = t + offsetAt(t, timezone);
    const w = wallOf(wallMs);
    const previousWallMs = t - step + offsetAt(t - step, timezone);
    let runs = false;
    if (s.fixedTime && wallMs - previousWallMs > step) {
      for (let skipped = previousWallMs + step; skipped < wallMs && !runs; skipped += step) {
        const gap = wallOf(skipped);
        runs = all(gap) && gap.day === w.day;
      }
    }
    if (!runs && all(w)) {
      const earlier = wallMs - offsetAt(t - DAY, timezone);
      const repeated = earlier < t && wallMs === earlier + offsetAt(earlier, timezone);
      runs = !(s.fixedTime && repeated);
    }
    if (runs) {
      found.push(t);
      t += step;
    } else if (!s.date(w) || !s.hour(w)) t = Math.floor(t / HOUR) * HOUR + HOUR;
    else if (!s.minute(w)) t = Math.floor(t / MINUTE) * MINUTE + MINUTE;
    else t += step;
  }
  return found;
}

test('the specification matcher reads the unit examples the same way', () => {
  const after = Date.parse('2026-03-28T12:00:00Z');
  expect(specRuns('30 2 * * *', after, after + 3 * DAY, 'Europe/Berlin', 2)).toEqual([
    Date.parse('2026-03-29T01:00:00Z'),
    Date.parse('2026-03-30T00:30:00Z'),
  ]);
  expect(specRuns('0 9 * * 5L', Date.parse('2026-03-01T00:00:00Z'), after + 40 * DAY, 'UTC', 2)).toEqual([
    Date.parse('2026-03-27T09:00:00Z'),
    Date.parse('2026-04-24T09:00:00Z'),
  ]);
});

// Arbitrary expressions, biased towards the hours the tested zones change their clocks in.

function itemsOf(item: fc.Arbitrary<string>): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 3, arbitrary: item },
    { weight: 1, arbitrary: fc.array(item, { minLength: 2, maxLength: 3 }).map((list) => list.join(',')) },
  );
}

/** Numbers, ranges and steps over lo..hi; `name` writes some values as names instead. */
function numeric(lo: number, hi: number, openHi = hi, name?: (n: number) => string): fc.Arbitrary<string> {
  const value = fc.tuple(fc.integer({ min: lo, max: hi }), fc.boolean());
  const show = ([n, asName]: [number, boolean]) => (name && asName && n <= openHi ? name(n) : String(n));
  const step = fc.integer({ min: 1, max: hi - lo + 1 });
  return fc.oneof(
    { weight: 4, arbitrary: value.map(show) },
    {
      weight: 2,
      arbitrary: fc.tuple(value, value).map(([a, b]) => (a[0] <= b[0] ? [a, b] : [b, a]).map(show).join('-')),
    },
    { weight: 1, arbitrary: step.map((n) => `*/${n}`) },
    {
      weight: 1,
      arbitrary: fc.tuple(fc.integer({ min: lo, max: openHi }), step).map(([a, n]) => `${a}/${n}`),
    },
    {
      weight: 1,
      arbitrary: fc
        .tuple(value, value, fc.integer({ min: 1, max: 10 }))
        .map(([a, b, n]) => `${Math.min(a[0], b[0])}-${Math.max(a[0], b[0])}/${n}`),
    },
  );
}

function field(item: fc.Arbitrary<string>, wildcardWeight = 3): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: wildcardWeight, arbitrary: fc.constant('*') },
    { weight: 4, arbitrary: itemsOf(item) },
  );
}

const SECONDS = field(fc.oneof(numeric(0, 59), fc.constantFrom('0', '30', '*/15', '0-10', '59')), 2);
const MINUTES = field(fc.oneof(numeric(0, 59), fc.constantFrom('0', '30', '*/15', '0,30', '59')), 2);
const HOURS = field(
  fc.oneof({ weight: 2, arbitrary: numeric(0, 23) }, { weight: 3, arbitrary: numeric(1, 3) }),
);
const DAYS_OF_MONTH = fc.oneof(
  { weight: 6, arbitrary: field(numeric(1, 31), 6) },
  { weight: 1, arbitrary: fc.constant('?') },
  {
    weight: 2,
    arbitrary: itemsOf(
      fc.oneof(
        fc.constant('L'),
        fc.integer({ min: 1, max: 31 }).map((n) => `${n}W`),
        numeric(1, 31),
      ),
    ),
  },
);
const MONTHS = field(
  numeric(1, 12, 12, (n) => SPEC_MONTHS[n - 1] as string),
  8,
);
const DAYS_OF_WEEK = fc.oneof(
  {
    weight: 6,
    arbitrary: field(
      numeric(0, 7, 6, (n) => SPEC_DAYS[n] as string),
      5,
    ),
  },
  { weight: 1, arbitrary: fc.constant('?') },
  {
    weight: 2,
    arbitrary: itemsOf(
      fc.oneof(
        fc.integer({ min: 0, max: 7 }).map((n) => `${n}L`),
        fc.tuple(fc.integer({ min: 0, max: 7 }), fc.integer({ min: 1, max: 5 })).map(([d, k]) => `${d}#${k}`),
        fc.constantFrom('FRI#2', 'MONL', 'sun#1'),
      ),
    ),
  },
);
/** Years as a sixth field can write them: with four digits. */
const FOUR_DIGIT_YEARS = fc.oneof(
  fc.integer({ min: 2020, max: 2036 }).map(String),
  fc.integer({ min: 2020, max: 2036 }).map((y) => `${y}-${y + 2}`),
  fc.constantFrom('2026,2030', '2024-2036/4'),
);
const YEARS = fc.oneof(fc.constant('*'), fc.constant('*/2'), FOUR_DIGIT_YEARS);

/** Numbers and ranges only, as fixed-time jobs write their second, minute and hour fields. */
function plain(lo: number, hi: number): fc.Arbitrary<string> {
  const value = fc.integer({ min: lo, max: hi });
  return itemsOf(
    fc.oneof(
      { weight: 3, arbitrary: value.map(String) },
      { weight: 1, arbitrary: fc.tuple(value, value).map(([a, b]) => `${Math.min(a, b)}-${Math.max(a, b)}`) },
    ),
  );
}
const FIXED_HOURS = fc.oneof({ weight: 3, arbitrary: plain(0, 4) }, { weight: 1, arbitrary: plain(0, 23) });

const MINUTE_EXPRESSIONS = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.tuple(MINUTES, HOURS, DAYS_OF_MONTH, MONTHS, DAYS_OF_WEEK).map((f) => f.join(' ')),
  },
  {
    weight: 4,
    arbitrary: fc
      .tuple(plain(0, 59), FIXED_HOURS, DAYS_OF_MONTH, MONTHS, DAYS_OF_WEEK)
      .map((f) => f.join(' ')),
  },
  {
    weight: 2,
    arbitrary: fc
      .tuple(MINUTES, HOURS, DAYS_OF_MONTH, MONTHS, DAYS_OF_WEEK, FOUR_DIGIT_YEARS)
      .map((f) => f.join(' ')),
  },
  {
    weight: 1,
    arbitrary: fc.constantFrom(...Object.keys(SPEC_TAGS).filter((tag) => tag !== '@everysecond')),
  },
);
const SECOND_EXPRESSIONS = fc.oneof(
  fc.tuple(SECONDS, MINUTES, HOURS, DAYS_OF_MONTH, MONTHS, DAYS_OF_WEEK).map((f) => f.join(' ')),
  fc
    .tuple(plain(0, 59), plain(0, 59), FIXED_HOURS, DAYS_OF_MONTH, MONTHS, DAYS_OF_WEEK)
    .map((f) => f.join(' ')),
  fc.tuple(SECONDS, MINUTES, HOURS, DAYS_OF_MONTH, MONTHS, DAYS_OF_WEEK, YEARS).map((f) => f.join(' ')),
);

/** The instants the zone changed its clocks at, 2020-2036. */
function transitions(timezone: string): number[] {
  const found: number[] = [];
  for (let at = Date.UTC(2020, 0, 1); at < Date.UTC(2037, 0, 1); at += DAY) {
    if (offsetAt(at, timezone) === offsetAt(at + DAY, timezone)) continue;
    let hour = at;
    while (offsetAt(hour, timezone) === offsetAt(at, timezone)) hour += HOUR;
    found.push(hour);
  }
  return found;
}

function starts(timezone: string, around: number): fc.Arbitrary<number> {
  const anywhere = fc.integer({ min: Date.UTC(2020, 0, 1), max: Date.UTC(2036, 0, 1) });
  const changes = transitions(timezone);
  if (changes.length === 0) return anywhere;
  const shift = fc.oneof(
    fc.integer({ min: -3 * HOUR, max: HOUR / 2 }),
    fc.integer({ min: -around, max: around / 2 }),
  );
  const nearChange = fc.tuple(fc.constantFrom(...changes), shift).map(([change, by]) => change + by);
  return fc.oneof({ weight: 1, arbitrary: anywhere }, { weight: 2, arbitrary: nearChange });
}

/**
 * For each expression and start, our runs equal the specification's first three within `window`, and a run it did
 * not find there lies beyond the window.
 */
function agreeWithSpecification(
  expressions: fc.Arbitrary<string>,
  timezone: string,
  window: number,
  numRuns: number,
): void {
  fc.assert(
    fc.property(expressions, starts(timezone, window / 10), (expression, after) => {
      const until = after + window;
      const expected = specRuns(expression, after, until, timezone, 3);
      const actual: number[] = [];
      for (const at of cronRuns(parseCron(expression), after, timezone)) {
        actual.push(at);
        if (actual.length > expected.length) break;
      }
      expect(actual.slice(0, expected.length)).toEqual(expected);
      if (expected.length < 3 && actual.length > expected.length)
        expect(actual[expected.length]).toBeGreaterThan(until);
    }),
    { numRuns },
  );
}

describe.each(['UTC', 'Europe/Berlin', 'America/New_York'])(
  'next runs agree with the specification in %s',
  (zone) => {
    test('for minute expressions over 40 days', () => {
      agreeWithSpecification(MINUTE_EXPRESSIONS, zone, 40 * DAY, 300);
    });

    test('for second expressions over 2 days', () => {
      agreeWithSpecification(SECOND_EXPRESSIONS, zone, 2 * DAY, 200);
    });
  },
);
