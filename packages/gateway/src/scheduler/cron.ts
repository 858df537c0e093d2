/**
 * Praktor's cron dialect — the original's (adhocore/gronx) — and the instants an expression fires at.
 *
 * Fields: 5 are `min hour dom month dow`; 6 are `min hour dom month dow year` when the sixth field holds a
 * four-digit number, else `sec min hour dom month dow`; 7 are `sec min hour dom month dow year`. A tag (any case,
 * see CRON_TAGS) stands for an expression. In each field: `*` and `?` (any value), numbers, ranges `a-b`, steps
 * (`*`, `a` or `a-b` then `/n`; `a/n` runs from a to the field's end), and comma lists of these; JAN–DEC in month
 * and SUN–SAT in day-of-week (any case); day-of-week 0 and 7 are both Sunday. Day-of-month also takes `L` (last day) and `15W`
 * (the weekday nearest the 15th, within the month); day-of-week `5L` (last Friday) and `1#2` (second Monday).
 * When both day fields are restricted — neither begins with `*` or `?` — a day matches if either field matches;
 * otherwise it must match both (Vixie cron's rule, and gronx's).
 *
 * Fields are matched against the wall clock in the schedule's time zone. Daylight saving time, as in Vixie cron
 * and croner: an expression whose second, minute and hour fields hold no `*`, `?` or `/` is a fixed-time job; a
 * time it names that is skipped when the clocks go forward runs once, at the first instant after the jump (if
 * that is still the same day), and a time that occurs twice when the clocks go back runs at its first occurrence
 * only. Every other expression is an interval job: it matches the wall clock as it passes, so times that do not
 * exist are skipped and a repeated hour is run through twice — "every 15 minutes" stays every 15 minutes.
 *
 * Deliberate differences from gronx, which accepts some expressions it then silently never runs or runs oddly:
 * names count only in their own field; a range must not run backwards; 7 is Sunday in ranges too (`5-7`); a `#`
 * occurrence must be 1-5; `nW` for a day the month does not have (31W in April) does not match that month; and
 * `0/n` in day-of-month or month is refused, as 0 is out of range there.
 *
 * The next instants are computed by croner, handed explicit value lists so that its own dialect never matters;
 * the property tests in cron.test.ts hold it to a brute-force reading of the rules above.
 */
import { Cron } from 'croner';

/** An expression that is not valid; the message names the field and what is wrong with it. */
export class CronSyntaxError extends Error {}

/** The tags and the expressions they stand for (the original's set). */
const CRON_TAGS: Readonly<Record<string, string>> = {
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

const MONTH_NAMES = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
const DAY_NAMES = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];

interface FieldRule {
  readonly name: string;
  readonly min: number;
  readonly max: number;
  /** Where `*` and `a/n` end: 6 for day-of-week, whose 7 is only another spelling of Sunday (0). */
  readonly openMax: number;
  readonly names?: readonly string[];
  /** The value of the first name (JAN is 1, SUN is 0). */
  readonly firstName?: number;
}

const SECOND: FieldRule = { name: 'second', min: 0, max: 59, openMax: 59 };
const MINUTE: FieldRule = { name: 'minute', min: 0, max: 59, openMax: 59 };
const HOUR: FieldRule = { name: 'hour', min: 0, max: 23, openMax: 23 };
const DAY_OF_MONTH: FieldRule = { name: 'day-of-month', min: 1, max: 31, openMax: 31 };
const MONTH: FieldRule = { name: 'month', min: 1, max: 12, openMax: 12, names: MONTH_NAMES, firstName: 1 };
const DAY_OF_WEEK: FieldRule = {
  name: 'day-of-week',
  min: 0,
  max: 7,
  openMax: 6,
  names: DAY_NAMES,
  firstName: 0,
};
const YEAR: FieldRule = { name: 'year', min: 0, max: 9999, openMax: 9999 };

/** The plain values a field matches, ascending (day-of-week: 0-6, Sunday 0). */
export interface CronField {
  readonly values: readonly number[];
}

/** The day-of-month field, with its `L` and `nW` items. */
export interface DayOfMonthField extends CronField {
  readonly last: boolean;
  /** Days whose nearest weekday matches (`15W`). */
  readonly nearestWeekdays: readonly number[];
}

/** The day-of-week field, with its `n#k` and `nL` items. */
export interface DayOfWeekField extends CronField {
  /** `1#2`: the second Monday of the month. */
  readonly nth: readonly { readonly weekday: number; readonly occurrence: number }[];
  /** `5L`: the last Friday of the month. */
  readonly lastOf: readonly number[];
}

/** A valid expression, read. */
export interface CronExpression {
  readonly second: CronField;
  readonly minute: CronField;
  readonly hour: CronField;
  readonly dayOfMonth: DayOfMonthField;
  readonly month: CronField;
  readonly dayOfWeek: DayOfWeekField;
  readonly year: CronField;
  /** Both day fields are restricted, so a day matches if either does. */
  readonly eitherDay: boolean;
  /** A fixed-time job for daylight saving time (see the module comment). */
  readonly fixedTime: boolean;
}

/** Reads an expression of our dialect; throws CronSyntaxError naming what is wrong. */
export function parseCron(expression: string): CronExpression {
  const text = expression.trim();
  let expanded = text;
  if (text.startsWith('@')) {
    const tagged = CRON_TAGS[text.toLowerCase()];
    if (tagged === undefined)
      throw new CronSyntaxError(`unknown tag "${text}" (known: ${Object.keys(CRON_TAGS).join(' ')})`);
    expanded = tagged;
  }
  const parts = expanded === '' ? [] : expanded.split(/\s+/);
  if (parts.length < 5 || parts.length > 7)
    throw new CronSyntaxError(`expected 5 to 7 fields separated by spaces, got ${parts.length}`);
  // gronx reads a sixth field as a year when it holds four digits in a row, and as day-of-week otherwise.
  const hasSeconds = parts.length === 7 || (parts.length === 6 && !/\d{4}/.test(parts[5] as string));
  const [sec, min, hour, dom, month, dow, year = '*'] = (hasSeconds ? parts : ['0', ...parts]) as [
    string,
    string,
    string,
    string,
    string,
    string,
    string?,
  ];
  const restricted = (field: string) => !/^[*?]/.test(field);
  return {
    second: parseField(sec, SECOND),
    minute: parseField(min, MINUTE),
    hour: parseField(hour, HOUR),
    dayOfMonth: parseDayOfMonth(dom),
    month: parseField(month, MONTH),
    dayOfWeek: parseDayOfWeek(dow),
    year: parseField(year, YEAR),
    eitherDay: restricted(dom) && restricted(dow),
    fixedTime: [sec, min, hour].every((field) => !/[*?/]/.test(field)),
  };
}

/**
 * The instants (ms epoch) the expression fires at strictly after `after`, ascending, in the IANA zone
 * `timezone` (which the caller has validated). Ends when there are no more (a year list in the past,
 * a day that never comes such as 30 February).
 */
export function* cronRuns(cron: CronExpression, after: number, timezone: string): Generator<number> {
  const years = cron.year.values.filter((year) => year > 0);
  // croner counts years from 1; year 0 has long passed anyway.
  if (years.length === 0) return;
  const job = new Cron(cronerPattern(cron, years), {
    timezone,
    mode: '7-part',
    domAndDow: !cron.eitherDay,
    fixedTimeRule: 'no-wildcard',
  });
  let cursor = new Date(after);
  for (;;) {
    const next = job.nextRun(cursor);
    if (next === null) return;
    yield next.getTime();
    cursor = next;
  }
}

function parseField(text: string, rule: FieldRule): CronField {
  const values = new Set<number>();
  for (const item of items(text, rule)) {
    refuseModifier(item, rule);
    addItem(item, rule, values);
  }
  return { values: sorted(values) };
}

function parseDayOfMonth(text: string): DayOfMonthField {
  const values = new Set<number>();
  const nearestWeekdays = new Set<number>();
  let last = false;
  for (const item of items(text, DAY_OF_MONTH)) {
    const nearest = /^(\d+)W$/i.exec(item);
    if (item.toUpperCase() === 'L') last = true;
    else if (nearest) nearestWeekdays.add(value(nearest[1] as string, DAY_OF_MONTH, item));
    else {
      refuseModifier(item, DAY_OF_MONTH);
      addItem(item, DAY_OF_MONTH, values);
    }
  }
  return { values: sorted(values), last, nearestWeekdays: sorted(nearestWeekdays) };
}

function parseDayOfWeek(text: string): DayOfWeekField {
  const values = new Set<number>();
  const nth: { weekday: number; occurrence: number }[] = [];
  const lastOf = new Set<number>();
  for (const item of items(text, DAY_OF_WEEK)) {
    const hash = /^([^#]*)#(.*)$/.exec(item);
    const lastWeekday = /^(.+)L$/i.exec(item);
    if (hash) {
      const [, day = '', occurrence = ''] = hash;
      if (!/^[1-5]$/.test(occurrence))
        throw new CronSyntaxError(`day-of-week "${item}": the occurrence after # must be 1 to 5`);
      nth.push({ weekday: value(day, DAY_OF_WEEK, item) % 7, occurrence: Number(occurrence) });
    } else if (lastWeekday) {
      lastOf.add(value(lastWeekday[1] as string, DAY_OF_WEEK, item) % 7);
    } else {
      refuseModifier(item, DAY_OF_WEEK);
      addItem(item, DAY_OF_WEEK, values);
    }
  }
  return { values: sorted(values), nth, lastOf: sorted(lastOf) };
}

function items(text: string, rule: FieldRule): string[] {
  const list = text.split(',');
  if (list.includes('')) throw new CronSyntaxError(`${rule.name} "${text}" has an empty list item`);
  return list;
}

/** Points a misplaced L, W or # to the field where it belongs, rather than calling it "not a number". */
function refuseModifier(item: string, rule: FieldRule): void {
  if (item.includes('#'))
    throw new CronSyntaxError(`${rule.name} "${item}": # belongs in day-of-week, as in 1#2 (second Monday)`);
  if (/^\d+W$/i.test(item))
    throw new CronSyntaxError(
      `${rule.name} "${item}": W belongs in day-of-month, as in 15W (the weekday nearest the 15th)`,
    );
  if (!/^\d*L$/i.test(item)) return;
  if (rule === DAY_OF_WEEK)
    throw new CronSyntaxError(`day-of-week "${item}": put the weekday before L, as in 5L (last Friday)`);
  if (rule === DAY_OF_MONTH)
    throw new CronSyntaxError(
      `day-of-month "${item}": L stands alone here (the last day); ${item} (a last weekday) belongs in day-of-week`,
    );
  throw new CronSyntaxError(
    `${rule.name} "${item}": L belongs in day-of-month (L, the last day) or day-of-week (5L, the last Friday)`,
  );
}

function addItem(item: string, rule: FieldRule, values: Set<number>): void {
  const [start, end, step] = itemRange(item, rule);
  // Day-of-week 7 is Sunday, which is 0.
  for (let v = start; v <= end; v += step) values.add(rule === DAY_OF_WEEK ? v % 7 : v);
}

/** The first value, the last value and the step of a plain item: `*`, `n`, `a-b` and their steps. */
function itemRange(item: string, rule: FieldRule): [number, number, number] {
  if (item === '*' || item === '?') return [rule.min, rule.openMax, 1];
  const slash = item.split('/');
  if (slash.length > 2) throw new CronSyntaxError(`${rule.name} "${item}" has more than one /`);
  const [base = '', stepText] = slash;
  let step = 1;
  if (stepText !== undefined) {
    if (!/^\d+$/.test(stepText) || Number(stepText) < 1)
      throw new CronSyntaxError(
        `${rule.name} "${item}": the step after / must be a whole number of at least 1`,
      );
    step = Number(stepText);
  }
  if (base === '*') return [rule.min, rule.openMax, step];
  const dash = base.split('-');
  if (dash.length > 2 || dash.includes(''))
    throw new CronSyntaxError(`${rule.name} "${item}" is not a valid range (write it as a-b)`);
  const start = value(dash[0] as string, rule, item);
  if (dash.length === 2) {
    const end = value(dash[1] as string, rule, item);
    if (end < start) throw new CronSyntaxError(`${rule.name} range "${base}" runs backwards`);
    return [start, end, step];
  }
  if (stepText === undefined) return [start, start, 1];
  if (start > rule.openMax)
    throw new CronSyntaxError(`${rule.name} "${item}": a step must start at ${rule.openMax} or before`);
  return [start, rule.openMax, step];
}

function value(token: string, rule: FieldRule, item: string): number {
  let result: number;
  if (/^\d+$/.test(token)) result = Number(token);
  else {
    const index = rule.names?.indexOf(token.toUpperCase()) ?? -1;
    if (index < 0) {
      const names = rule.names ? ` or a name (${rule.names[0]}-${rule.names.at(-1)})` : '';
      const where = token === item ? '' : ` in "${item}"`;
      throw new CronSyntaxError(`${rule.name} "${token}"${where} is not a number${names}`);
    }
    result = index + (rule.firstName ?? 0);
  }
  if (result < rule.min || result > rule.max)
    throw new CronSyntaxError(`${rule.name} ${token} is out of range ${rule.min}-${rule.max}`);
  return result;
}

function sorted(values: Set<number>): number[] {
  return [...values].sort((a, b) => a - b);
}

/**
 * The expression in croner's 7-field syntax, every field an explicit list. croner tells fixed-time from interval
 * jobs by a `*` or `/` in the second, minute or hour field, so an interval job gets a one-value step (`0-0/1`).
 */
function cronerPattern(cron: CronExpression, years: readonly number[]): string {
  const seconds = ranges(cron.second.values);
  const first = seconds[0] as string;
  if (!cron.fixedTime) seconds[0] = first.includes('-') ? `${first}/1` : `${first}-${first}/1`;
  const dom = cron.dayOfMonth;
  const dow = cron.dayOfWeek;
  const fields = [
    seconds,
    ranges(cron.minute.values),
    ranges(cron.hour.values),
    [...ranges(dom.values), ...(dom.last ? ['L'] : []), ...dom.nearestWeekdays.map((day) => `${day}W`)],
    ranges(cron.month.values),
    [
      ...ranges(dow.values),
      ...dow.nth.map(({ weekday, occurrence }) => `${weekday}#${occurrence}`),
      ...dow.lastOf.map((day) => `${day}L`),
    ],
    cron.year.values.length === YEAR.max + 1 ? ['*'] : ranges(years),
  ];
  return fields.map((field) => field.join(',')).join(' ');
}

/** Ascending values as `a-b` runs and single values. */
function ranges(values: readonly number[]): string[] {
  const out: string[] = [];
  let i = 0;
  while (i < values.length) {
    let j = i;
    while (j + 1 < values.length && (values[j + 1] as number) === (values[j] as number) + 1) j++;
    out.push(i === j ? `${values[i]}` : `${values[i]}-${values[j]}`);
    i = j + 1;
  }
  return out;
}

const DAY_WORDS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
const MONTH_WORDS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const ORDINALS = ['first', 'second', 'third', 'fourth', 'fifth'];

/**
 * The expression in English — "Every day at 09:00", "Every 5 minutes", "Every Monday at 08:30", "On the last day
 * of every month at 18:00" — or null when it has no short description. Times are the expression's wall-clock times.
 */
export function describeCron(cron: CronExpression): string | null {
  const time = describeTime(cron);
  if (time === null) return null;
  const { dayOfMonth: dom, dayOfWeek: dow } = cron;
  const domAll = dom.values.length === 31 && !dom.last && dom.nearestWeekdays.length === 0;
  const dowAll = dow.values.length === 7 && dow.nth.length === 0 && dow.lastOf.length === 0;
  const monthAll = cron.month.values.length === 12;
  const yearAll = cron.year.values.length === YEAR.max + 1;
  const everyDay = (domAll && dowAll) || (cron.eitherDay && (domAll || dowAll));
  if (everyDay && monthAll && yearAll) return 'at' in time ? `Every day at ${time.at}` : time.every;
  if (everyDay || cron.eitherDay) return null;
  if (domAll && monthAll && yearAll) {
    if (dow.nth.length === 0 && dow.lastOf.length === 0) {
      const weekdays = dow.values.join() === '1,2,3,4,5';
      const names = joined(
        [...dow.values].sort((a, b) => ((a + 6) % 7) - ((b + 6) % 7)).map((d) => DAY_WORDS[d]),
      );
      if ('at' in time) return `Every ${weekdays ? 'weekday' : names} at ${time.at}`;
      return `${time.every} on ${weekdays ? 'weekdays' : names}`;
    }
    if (!('at' in time) || dow.values.length > 0 || dow.nth.length + dow.lastOf.length > 1) return null;
    const nth = dow.nth[0];
    const which = nth
      ? `${ORDINALS[nth.occurrence - 1]} ${DAY_WORDS[nth.weekday]}`
      : `last ${DAY_WORDS[dow.lastOf[0] as number]}`;
    return `On the ${which} of every month at ${time.at}`;
  }
  if (!('at' in time) || !dowAll) return null;
  const dates = describeDates(dom, cron.month, cron.year);
  return dates === null ? null : `${dates} at ${time.at}`;
}

/** Either a time of day ("09:00", "09:00 and 17:00") or a frequency ("Every 5 minutes"). */
function describeTime(cron: CronExpression): { at: string } | { every: string } | null {
  const [s, m, h] = [cron.second.values, cron.minute.values, cron.hour.values];
  const clock = (hour: number, minute: number, second: number) =>
    `${pad(hour)}:${pad(minute)}${second === 0 ? '' : `:${pad(second)}`}`;
  if (s.length === 1 && m.length === 1) {
    const [second, minute] = [s[0] as number, m[0] as number];
    const hours = h.length > 2 && second === 0 ? evenStep(h, 24) : null;
    const atMinute = minute === 0 ? '' : ` at minute ${minute}`;
    if (hours !== null) return { every: `${hours === 1 ? 'Every hour' : `Every ${hours} hours`}${atMinute}` };
    if (h.length <= 4) return { at: joined(h.map((hour) => clock(hour, minute, second))) };
    const first = h[0] as number;
    const last = h.at(-1) as number;
    if (second !== 0 || last - first + 1 !== h.length) return null;
    return { every: `Every hour from ${clock(first, minute, 0)} to ${clock(last, minute, 0)}` };
  }
  if (h.length !== 24) return null;
  const minutes = evenStep(m, 60);
  if (s.join() === '0' && minutes !== null)
    return { every: minutes === 1 ? 'Every minute' : `Every ${minutes} minutes` };
  const seconds = evenStep(s, 60);
  if (m.length === 60 && seconds !== null)
    return { every: seconds === 1 ? 'Every second' : `Every ${seconds} seconds` };
  return null;
}

/** "On day 1 of every month", "On the last day of every month", "Every year on Dec 25", "On Dec 25, 2026". */
function describeDates(dom: DayOfMonthField, month: CronField, year: CronField): string | null {
  const months = month.values;
  const years = year.values;
  const plain = !dom.last && dom.nearestWeekdays.length === 0;
  if (months.length === 12 && years.length === YEAR.max + 1) {
    if (plain)
      return `On day${dom.values.length > 1 ? 's' : ''} ${joined(dom.values.map(String))} of every month`;
    if (dom.values.length > 0) return null;
    if (dom.last && dom.nearestWeekdays.length === 0) return 'On the last day of every month';
    if (!dom.last && dom.nearestWeekdays.length === 1)
      return `On the weekday nearest day ${dom.nearestWeekdays[0]} of every month`;
    return null;
  }
  if (!plain || dom.values.length !== 1 || months.length !== 1) return null;
  const date = `${MONTH_WORDS[(months[0] as number) - 1]} ${dom.values[0]}`;
  if (years.length === YEAR.max + 1) return `Every year on ${date}`;
  return years.length === 1 ? `On ${date}, ${years[0]}` : null;
}

/** n when the values are exactly 0, n, 2n, … and n divides the field's size, so the rhythm never breaks. */
function evenStep(values: readonly number[], size: number): number | null {
  const step = values.length > 1 ? (values[1] as number) : size;
  if (size % step !== 0 || values.length !== size / step) return null;
  return values.every((v, i) => v === i * step) ? step : null;
}

function pad(n: number): string {
  return String(n).padStart(2, '0');
}

function joined(words: readonly (string | undefined)[]): string {
  return words.length <= 1 ? `${words[0]}` : `${words.slice(0, -1).join(', ')} and ${words.at(-1)}`;
}
