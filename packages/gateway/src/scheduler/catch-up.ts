/**
 * Catch-up: what becomes of the runs a task missed while no gateway was running, by the task's policy — `skip`
 * none of them, `once` one run now, `all` each missed occurrence (the latest {@link CATCH_UP_LIMIT}).
 */
import type { TaskCatchUp } from '@praktor/protocol';
import { nextRun, runsBetween, type Schedule } from './schedule.js';

/** The most missed occurrences of one task that policy `all` runs; a long outage must not turn into a flood. */
export const CATCH_UP_LIMIT = 100;

/** What to do about a task's missed runs. */
export interface CatchUpPlan {
  /** How many occurrences were missed, counted up to `CATCH_UP_LIMIT + 1`. */
  missed: number;
  /**
   * Occurrences left out, recorded as one skipped run; the task then runs next at `nextRunAt` (null: never, a
   * one-shot left out). Null when the due runs simply run (the first claim runs the missed occurrence).
   */
  skip: { nextRunAt: number | null; reason: string } | null;
}

/**
 * Plans the catch-up of a task whose next run, `firstMissed`, passed while no gateway ran; `now` is when this
 * gateway started.
 */
export function planCatchUp(
  policy: TaskCatchUp,
  schedule: Schedule,
  firstMissed: number,
  now: number,
  zone: string,
): CatchUpPlan {
  // The stored next run is the first missed occurrence; an interval's later ones count on from it.
  const missed = 1 + runsBetween(schedule, firstMissed, now, zone, CATCH_UP_LIMIT).length;
  const counted = missed > CATCH_UP_LIMIT ? `more than ${CATCH_UP_LIMIT}` : String(missed);
  const runs = missed === 1 ? 'run' : 'runs';
  if (policy === 'skip') {
    return {
      missed,
      skip: {
        nextRunAt: nextRun(schedule, now, zone),
        reason: `${counted} ${runs} missed while Praktor was not running, not run (catch_up: skip)`,
      },
    };
  }
  if (policy === 'all' && missed > CATCH_UP_LIMIT) {
    return {
      missed,
      skip: {
        nextRunAt: earliestOfLatest(schedule, firstMissed, now, zone, CATCH_UP_LIMIT),
        reason:
          `${counted} runs missed while Praktor was not running: the latest ${CATCH_UP_LIMIT} run, the ` +
          `earlier ones not (catch_up: all)`,
      },
    };
  }
  return { missed, skip: null };
}

/**
 * The earliest of the latest `n` occurrences from `first` (an occurrence) to `to`, when there are more than `n`.
 * An interval's occurrences step on from `first`; a cron expression's are found by a binary search for the last
 * instant after which `n` remain, so that even an every-second schedule missed for months costs a few thousand
 * steps.
 */
export function earliestOfLatest(
  schedule: Schedule,
  first: number,
  to: number,
  zone: string,
  n: number,
): number {
  if (schedule.kind === 'interval') {
    const count = Math.floor((to - first) / schedule.interval_ms) + 1;
    return first + (count - n) * schedule.interval_ms;
  }
  let low = first - 1;
  let high = to;
  // (low, to] holds at least n occurrences, (high, to] fewer.
  while (high - low > 1) {
    const middle = Math.floor((low + high) / 2);
    if (runsBetween(schedule, middle, to, zone, n).length >= n) low = middle;
    else high = middle;
  }
  return runsBetween(schedule, low, to, zone, 1)[0] as number;
}
