import { describe, expect, it } from 'vitest';
import { CATCH_UP_LIMIT, earliestOfLatest, planCatchUp } from './catch-up.js';
import { runsBetween, type Schedule } from './schedule.js';

const HOUR = 3_600_000;
const T0 = Date.UTC(2026, 2, 2, 9, 0);
const hourly: Schedule = { kind: 'cron', cron_expr: '0 * * * *' };
const everySecond: Schedule = { kind: 'cron', cron_expr: '* * * * * *' };

describe('catch-up after downtime', () => {
  it('skip: runs none of the missed occurrences and moves on to the first one after now', () => {
    const plan = planCatchUp('skip', hourly, T0, T0 + 3 * HOUR + 5, 'UTC');
    expect(plan).toEqual({
      missed: 4,
      skip: {
        nextRunAt: T0 + 4 * HOUR,
        reason: '4 runs missed while Praktor was not running, not run (catch_up: skip)',
      },
    });
  });

  it('skip: a missed one-shot is left out for good', () => {
    const plan = planCatchUp('skip', { kind: 'once', at_ms: T0 }, T0, T0 + 5, 'UTC');
    expect(plan.skip).toEqual({
      nextRunAt: null,
      reason: '1 run missed while Praktor was not running, not run (catch_up: skip)',
    });
  });

  it('once: leaves the runs to the claim, which runs one', () => {
    expect(planCatchUp('once', hourly, T0, T0 + 3 * HOUR + 5, 'UTC')).toEqual({ missed: 4, skip: null });
  });

  it('all: runs every missed occurrence up to the limit', () => {
    expect(planCatchUp('all', hourly, T0, T0 + 99 * HOUR, 'UTC')).toEqual({ missed: 100, skip: null });
  });

  it('all: beyond the limit, skips the oldest and runs the latest hundred', () => {
    const now = T0 + 30 * 24 * HOUR + 5;
    const plan = planCatchUp('all', hourly, T0, now, 'UTC');
    expect(plan.missed).toBe(CATCH_UP_LIMIT + 1);
    expect(plan.skip?.nextRunAt).toBe(T0 + (30 * 24 - 99) * HOUR);
    expect(plan.skip?.reason).toBe(
      'more than 100 runs missed while Praktor was not running: the latest 100 run, the earlier ones not (catch_up: all)',
    );
  });

  it('all: counts an interval’s occurrences on from the first one missed', () => {
    const interval: Schedule = { kind: 'interval', interval_ms: 7_000 };
    expect(planCatchUp('all', interval, T0, T0 + 20_000, 'UTC').missed).toBe(3);
    expect(planCatchUp('all', interval, T0, T0 + 7_000 * 150, 'UTC').skip?.nextRunAt).toBe(T0 + 7_000 * 51);
  });
});

describe('earliestOfLatest', () => {
  it('finds the hundredth-last occurrence of an every-second schedule missed for months', () => {
    const to = T0 + 90 * 24 * HOUR + 500;
    const first = earliestOfLatest(everySecond, T0, to, 'UTC', 100);
    expect(first).toBe(T0 + 90 * 24 * HOUR - 99_000);
    expect(runsBetween(everySecond, first - 1, to, 'UTC', 1000)).toHaveLength(100);
  });

  it('counts in the schedule’s zone, across a change of the clocks', () => {
    const daily: Schedule = { kind: 'cron', cron_expr: '30 2 * * *' };
    const start = Date.UTC(2026, 2, 1, 1, 30);
    const to = Date.UTC(2026, 2, 31, 12, 0);
    const first = earliestOfLatest(daily, start, to, 'Europe/Berlin', 10);
    const latest = runsBetween(daily, start - 1, to, 'Europe/Berlin', 100).slice(-10);
    expect(first).toBe(latest[0]);
  });
});
