import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import {
  checkTimezone,
  describeSchedule,
  nextRun,
  parseSchedule,
  readStoredSchedule,
  runsBetween,
  type Schedule,
  ScheduleError,
  scheduleForEdit,
  serializeSchedule,
} from './schedule.js';

const NOW = Date.parse('2026-03-10T10:07:30.250Z');
const BERLIN = { now: NOW, timezone: 'Europe/Berlin' };
const at = (iso: string) => Date.parse(iso);

/** The message parseSchedule throws for `input`, after checking it is a ScheduleError. */
function refusal(input: string, opts = BERLIN): string {
  try {
    parseSchedule(input, opts);
  } catch (error) {
    expect(error).toBeInstanceOf(ScheduleError);
    return (error as Error).message;
  }
  throw new Error(`${input} was accepted`);
}

describe('parseSchedule', () => {
  test.each([
    ['+30s', 30_000],
    ['+5m', 300_000],
    ['+2h', 7_200_000],
    ['+1d', 86_400_000],
    ['  +90s  ', 90_000],
  ])('reads the delay %j as a one-shot that much after now', (input, delay) => {
    expect(parseSchedule(input, BERLIN)).toEqual({ kind: 'once', at_ms: NOW + delay });
  });

  test.each([
    ['+0s', 'the number must be at least 1'],
    ['+5x', 'invalid delay "+5x": write + and a whole number followed by s, m, h or d'],
    ['+1.5h', 'invalid delay "+1.5h"'],
    ['+ 5m', 'invalid delay "+ 5m"'],
    ['+5M', 'invalid delay "+5M"'],
    ['+99999999999999h', 'invalid delay "+99999999999999h": that is too long'],
    ['+2399999000h', 'invalid delay "+2399999000h": that is too far in the future'],
  ])('refuses the delay %j', (input, message) => {
    expect(refusal(input)).toContain(message);
  });

  test.each([
    ['every 2h', 7_200_000],
    ['every 30m', 1_800_000],
    ['every 45s', 45_000],
    ['every 1d', 86_400_000],
    ['Every 3H', 10_800_000],
    ['every 10 m', 600_000],
  ])('reads %j as an interval', (input, interval) => {
    expect(parseSchedule(input, BERLIN)).toEqual({ kind: 'interval', interval_ms: interval });
  });

  test.each([
    ['every 0m', 'invalid interval "every 0m": the number must be at least 1'],
    ['every day', 'invalid interval "every day": write every and a whole number followed by s, m, h or d'],
    ['every 2 hours', 'invalid interval "every 2 hours"'],
  ])('refuses the interval %j', (input, message) => {
    expect(refusal(input)).toContain(message);
  });

  test.each([
    ['2026-12-01T09:00', '2026-12-01T08:00:00.000Z'],
    ['2026-07-01T09:00', '2026-07-01T07:00:00.000Z'],
    ['2026-12-01 09:00:15', '2026-12-01T08:00:15.000Z'],
    ['2026-12-01T09:00:15.5', '2026-12-01T08:00:15.500Z'],
    ['2026-12-01T09:00Z', '2026-12-01T09:00:00.000Z'],
    ['2026-12-01t09:00z', '2026-12-01T09:00:00.000Z'],
    ['2026-12-01T09:00:00+05:30', '2026-12-01T03:30:00.000Z'],
    ['2026-12-01T09:00:00-0200', '2026-12-01T11:00:00.000Z'],
    ['2028-02-29T12:00', '2028-02-29T11:00:00.000Z'],
  ])('reads the date-time %j as a one-shot, in the time zone when it has no offset', (input, instant) => {
    expect(parseSchedule(input, BERLIN)).toEqual({ kind: 'once', at_ms: at(instant) });
  });

  test('reads a date-time the clocks skip as the first instant after the jump', () => {
    expect(parseSchedule('2026-03-29T02:30', BERLIN)).toEqual({
      kind: 'once',
      at_ms: at('2026-03-29T01:00:00Z'),
    });
  });

  test('reads a date-time the clocks repeat as its first occurrence', () => {
    expect(parseSchedule('2026-10-25T02:30', BERLIN)).toEqual({
      kind: 'once',
      at_ms: at('2026-10-25T00:30:00Z'),
    });
  });

  test.each([
    ['2026-02-30T09:00', 'there is no 2026-02-30'],
    ['2026-02-29T09:00', 'there is no 2026-02-29'],
    ['2026-13-01T09:00', 'there is no 2026-13-01'],
    ['2026-12-01T24:00', 'there is no time 24:00:00'],
    ['2026-12-01T09:60', 'there is no time 09:60:00'],
    ['2026-12-01T09:00+24:00', 'there is no offset +24:00'],
    ['2026-12-01', 'invalid date-time "2026-12-01": write it as 2026-12-01T09:00'],
    ['2026-12-01T9:00', 'invalid date-time'],
    ['1969-12-31T23:00Z', 'it is not after 1970-01-01T00:00Z'],
  ])('refuses the date-time %j', (input, message) => {
    expect(refusal(input)).toContain(message);
  });

  test('reads anything else as a cron expression, kept as written', () => {
    expect(parseSchedule('  0 9 * * MON-FRI ', BERLIN)).toEqual({
      kind: 'cron',
      cron_expr: '0 9 * * MON-FRI',
    });
    expect(parseSchedule('@Daily', BERLIN)).toEqual({ kind: 'cron', cron_expr: '@Daily' });
    expect(parseSchedule('0 30 9 * * * 2027', BERLIN)).toEqual({
      kind: 'cron',
      cron_expr: '0 30 9 * * * 2027',
    });
  });

  test('names the field and the problem of an invalid cron expression', () => {
    expect(refusal('61 * * * *')).toBe(
      'invalid cron expression "61 * * * *": minute 61 is out of range 0-59',
    );
    expect(refusal('@sometimes')).toContain('invalid cron expression "@sometimes": unknown tag "@sometimes"');
  });

  test('lists what it understands when the input is none of its forms', () => {
    expect(refusal('tomorrow at 9')).toBe(
      'invalid schedule "tomorrow at 9": write a cron expression (5 to 7 fields or a tag such as @daily), ' +
        'a delay such as +30s, +5m, +2h or +1d, an interval such as every 2h, ' +
        'a date-time such as 2026-12-01T09:00, or JSON with a "kind"',
    );
    expect(refusal('   ')).toContain('the schedule is empty');
  });

  test.each([
    ['{"kind":"cron","cron_expr":"*/5 * * * *"}', { kind: 'cron', cron_expr: '*/5 * * * *' }],
    ['{"kind":"interval","interval_ms":60000}', { kind: 'interval', interval_ms: 60_000 }],
    ['{"kind":"once","at_ms":1800000000000}', { kind: 'once', at_ms: 1_800_000_000_000 }],
    ['{"kind":"once","cron_expr":"","interval_ms":0,"at_ms":1800000000000}', { kind: 'once', at_ms: 1.8e12 }],
  ])('reads the JSON %s', (input, schedule) => {
    expect(parseSchedule(input, BERLIN)).toEqual(schedule);
  });

  test.each([
    ['{"kind":"cron","cron_expr":"* * *"}', 'invalid cron expression "* * *": expected 5 to 7 fields'],
    ['{"kind":"cron"}', 'cron_expr must be a string'],
    [
      '{"kind":"interval","interval_ms":0}',
      'interval_ms must be positive (a whole number of milliseconds), got 0',
    ],
    ['{"kind":"interval","interval_ms":-5}', 'interval_ms must be positive'],
    ['{"kind":"interval","interval_ms":1.5}', 'got 1.5'],
    ['{"kind":"interval","interval_ms":"60000"}', 'got "60000"'],
    ['{"kind":"once","at_ms":0}', 'at_ms must be positive (milliseconds since 1970), got 0'],
    ['{"kind":"once"}', 'at_ms must be positive'],
    ['{"kind":"weekly"}', 'unknown schedule kind: "weekly"'],
    ['{"kind":""}', 'a schedule in JSON needs a "kind": cron, interval or once'],
    ['{"cron_expr":"* * * * *"}', 'needs a "kind"'],
    ['{"kind":"cron",', 'invalid schedule JSON {"kind":"cron",:'],
  ])('refuses the JSON %s', (input, message) => {
    expect(refusal(input)).toContain(message);
  });
});

describe('stored schedules', () => {
  test.each<[Schedule, string]>([
    [
      { kind: 'cron', cron_expr: '0 9 * * *' },
      '{"kind":"cron","cron_expr":"0 9 * * *","interval_ms":0,"at_ms":0}',
    ],
    [
      { kind: 'interval', interval_ms: 60_000 },
      '{"kind":"interval","cron_expr":"","interval_ms":60000,"at_ms":0}',
    ],
    [
      { kind: 'once', at_ms: 1_800_000_000_000 },
      '{"kind":"once","cron_expr":"","interval_ms":0,"at_ms":1800000000000}',
    ],
  ])('%j is stored as the original stores it, and read back', (schedule, json) => {
    expect(serializeSchedule(schedule)).toBe(json);
    expect(readStoredSchedule(json)).toEqual(schedule);
  });

  test('reads what the original stored verbatim from a user', () => {
    expect(readStoredSchedule('{"kind": "interval", "interval_ms": 3600000}')).toEqual({
      kind: 'interval',
      interval_ms: 3_600_000,
    });
  });

  test('refuses a stored schedule that is not valid, saying why', () => {
    expect(() => readStoredSchedule('not json')).toThrow(ScheduleError);
    expect(() => readStoredSchedule('[]')).toThrow('a schedule in JSON must be an object with a "kind"');
    expect(() => readStoredSchedule('{"kind":"cron","cron_expr":"0 25 * * *"}')).toThrow(
      'invalid cron expression "0 25 * * *": hour 25 is out of range 0-23',
    );
  });
});

describe('nextRun', () => {
  test('runs a cron expression on the wall clock of the time zone', () => {
    const daily = { kind: 'cron', cron_expr: '0 9 * * *' } as const;
    expect(nextRun(daily, NOW, 'Europe/Berlin')).toBe(at('2026-03-11T08:00:00Z'));
    expect(nextRun(daily, NOW, 'America/New_York')).toBe(at('2026-03-10T13:00:00Z'));
    expect(nextRun(daily, NOW, 'UTC')).toBe(at('2026-03-11T09:00:00Z'));
  });

  test('has no next run for a cron expression whose years are past', () => {
    expect(nextRun({ kind: 'cron', cron_expr: '0 9 1 1 * 2025' }, NOW, 'UTC')).toBeNull();
  });

  test('runs an interval that long after the start', () => {
    expect(nextRun({ kind: 'interval', interval_ms: 90_000 }, NOW, 'UTC')).toBe(NOW + 90_000);
  });

  test('runs a one-shot only when it is strictly after the start', () => {
    expect(nextRun({ kind: 'once', at_ms: NOW + 1 }, NOW, 'UTC')).toBe(NOW + 1);
    expect(nextRun({ kind: 'once', at_ms: NOW }, NOW, 'UTC')).toBeNull();
    expect(nextRun({ kind: 'once', at_ms: NOW - 1 }, NOW, 'UTC')).toBeNull();
  });

  test('refuses an unknown time zone by name', () => {
    expect(() => nextRun({ kind: 'cron', cron_expr: '@daily' }, NOW, 'Mars/Olympus')).toThrow(
      'unknown time zone "Mars/Olympus"',
    );
  });
});

describe('runsBetween', () => {
  const from = at('2026-03-10T10:00:00Z');

  test('lists every cron run after from up to and including to, oldest first', () => {
    const runs = runsBetween({ kind: 'cron', cron_expr: '*/20 * * * *' }, from, from + 3_600_000, 'UTC', 10);
    expect(runs).toEqual([20, 40, 60].map((minutes) => from + minutes * 60_000));
  });

  test('stops at the limit', () => {
    expect(
      runsBetween({ kind: 'cron', cron_expr: '* * * * *' }, from, from + 86_400_000, 'UTC', 3),
    ).toHaveLength(3);
    expect(runsBetween({ kind: 'interval', interval_ms: 1000 }, from, from + 86_400_000, 'UTC', 0)).toEqual(
      [],
    );
  });

  test('lists the interval runs counted from from', () => {
    expect(
      runsBetween({ kind: 'interval', interval_ms: 600_000 }, from, from + 1_800_000, 'UTC', 10),
    ).toEqual([from + 600_000, from + 1_200_000, from + 1_800_000]);
  });

  test('lists a one-shot only inside the window', () => {
    const once = { kind: 'once', at_ms: from + 5000 } as const;
    expect(runsBetween(once, from, from + 5000, 'UTC', 10)).toEqual([from + 5000]);
    expect(runsBetween(once, from + 5000, from + 9000, 'UTC', 10)).toEqual([]);
    expect(runsBetween(once, from, from + 4999, 'UTC', 10)).toEqual([]);
  });

  test('lists nothing for a cron expression without runs', () => {
    expect(runsBetween({ kind: 'cron', cron_expr: '0 0 30 2 *' }, from, from + 4e10, 'UTC', 10)).toEqual([]);
  });
});

describe('describeSchedule', () => {
  test.each([
    [3_600_000, 'Every hour'],
    [7_200_000, 'Every 2 hours'],
    [86_400_000, 'Every 24 hours'],
    [60_000, 'Every minute'],
    [300_000, 'Every 5 minutes'],
    [5_400_000, 'Every 90 minutes'],
    [1000, 'Every second'],
    [45_000, 'Every 45 seconds'],
    [1500, 'Every 1.5 seconds'],
  ])('describes an interval of %d ms as "%s"', (ms, text) => {
    expect(describeSchedule({ kind: 'interval', interval_ms: ms }, 'UTC')).toBe(text);
  });

  test('describes a one-shot in the time zone, with seconds only when it has them', () => {
    expect(describeSchedule({ kind: 'once', at_ms: at('2026-12-01T08:00:00Z') }, 'Europe/Berlin')).toBe(
      'Once at Dec 1 09:00',
    );
    expect(describeSchedule({ kind: 'once', at_ms: at('2026-12-01T08:00:30Z') }, 'America/New_York')).toBe(
      'Once at Dec 1 03:00:30',
    );
  });

  test('describes a cron expression in words where it can, else shows it', () => {
    expect(describeSchedule({ kind: 'cron', cron_expr: '30 8 * * 1' }, 'UTC')).toBe('Every Monday at 08:30');
    expect(describeSchedule({ kind: 'cron', cron_expr: '*/7 * * * *' }, 'UTC')).toBe('Cron: */7 * * * *');
  });
});

describe('scheduleForEdit', () => {
  test('shows a cron expression as written', () => {
    expect(scheduleForEdit({ kind: 'cron', cron_expr: '@weekly' }, 'UTC')).toBe('@weekly');
  });

  test.each([
    [86_400_000, 'every 1d'],
    [7_200_000, 'every 2h'],
    [5_400_000, 'every 90m'],
    [45_000, 'every 45s'],
    [1500, '{"kind":"interval","cron_expr":"","interval_ms":1500,"at_ms":0}'],
  ])('shows an interval of %d ms as %j', (ms, text) => {
    expect(scheduleForEdit({ kind: 'interval', interval_ms: ms }, 'UTC')).toBe(text);
  });

  test('shows a one-shot as a local date-time in the time zone', () => {
    const once = { kind: 'once', at_ms: at('2026-12-01T08:00:00Z') } as const;
    expect(scheduleForEdit(once, 'Europe/Berlin')).toBe('2026-12-01T09:00:00');
    expect(scheduleForEdit({ kind: 'once', at_ms: NOW }, 'UTC')).toBe('2026-03-10T10:07:30.250');
  });

  test('adds the offset to the second occurrence of a time the clocks repeat', () => {
    expect(scheduleForEdit({ kind: 'once', at_ms: at('2026-10-25T00:30:00Z') }, 'Europe/Berlin')).toBe(
      '2026-10-25T02:30:00',
    );
    expect(scheduleForEdit({ kind: 'once', at_ms: at('2026-10-25T01:30:00Z') }, 'Europe/Berlin')).toBe(
      '2026-10-25T02:30:00+01:00',
    );
  });

  const zones = ['UTC', 'Europe/Berlin', 'America/New_York', 'Asia/Kolkata', 'Australia/Lord_Howe'];
  const schedules: fc.Arbitrary<Schedule> = fc.oneof(
    fc.constantFrom(
      ...['0 9 * * *', '@Hourly', '*/5 * * * * *', '0 0 1 1 * 2030'].map((cron_expr) => ({
        kind: 'cron' as const,
        cron_expr,
      })),
    ),
    fc.integer({ min: 1, max: 2 ** 40 }).map((interval_ms) => ({ kind: 'interval' as const, interval_ms })),
    fc
      .oneof(
        fc.integer({ min: 1, max: 8.64e15 }),
        fc.integer({ min: 1_750_000_000_000, max: 1_950_000_000_000 }),
        // Whole hours and half hours, where zones change their clocks.
        fc.integer({ min: 1_000_000, max: 1_100_000 }).map((half) => half * 1_800_000),
      )
      .map((at_ms) => ({ kind: 'once' as const, at_ms })),
  );

  test('gives back the same schedule when read again, for every kind and zone', () => {
    fc.assert(
      fc.property(schedules, fc.constantFrom(...zones), (schedule, timezone) => {
        const text = scheduleForEdit(schedule, timezone);
        expect(parseSchedule(text, { now: NOW, timezone })).toEqual(schedule);
      }),
      { numRuns: 500 },
    );
  });
});

describe('checkTimezone', () => {
  test('accepts an IANA time zone name and gives it back', () => {
    expect(checkTimezone('Europe/Berlin')).toBe('Europe/Berlin');
    expect(checkTimezone('UTC')).toBe('UTC');
  });

  test.each(['Mars/Olympus', '', '+01:00', 'local'])('refuses %j, naming it', (name) => {
    expect(() => checkTimezone(name)).toThrow(ScheduleError);
    expect(() => checkTimezone(name)).toThrow(`unknown time zone "${name}"`);
  });
});
