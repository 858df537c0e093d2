import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { parseDuration } from './duration.js';

/** Go's `Duration.String()` for whole milliseconds: `1h2m3.456s`, `1m0s`, `250ms`, `0s`. */
function goString(ms: number): string {
  if (ms === 0) return '0s';
  if (ms < 1000) return `${ms}ms`;
  const hours = Math.floor(ms / 3_600_000);
  const minutes = Math.floor((ms % 3_600_000) / 60_000);
  const seconds = (ms % 60_000) / 1000;
  let text = '';
  if (hours > 0) text += `${hours}h`;
  if (hours > 0 || minutes > 0) text += `${minutes}m`;
  return `${text}${seconds}s`;
}

/** The longest Go duration (2^63 - 1 ns) in whole milliseconds. */
const GO_MAX_MS = 9_223_372_036_854;

describe('parseDuration', () => {
  test.each([
    ['300ms', 300],
    ['1.5h', 5_400_000],
    ['2h45m', 9_900_000],
    ['30s', 30_000],
    ['10m', 600_000],
    ['1h30m', 5_400_000],
    ['0', 0],
    ['0s', 0],
    ['+5s', 5_000],
    ['-1m', -60_000],
    ['.5s', 500],
    ['5.s', 5_000],
    ['1500us', 1.5],
    ['1500µs', 1.5],
    ['1500μs', 1.5],
    ['2000000ns', 2],
    ['1h1m1s1ms', 3_661_001],
    ['2562047h', 2_562_047 * 3_600_000],
  ])('reads %s as %d ms', (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  test.each([
    ['', 'empty'],
    ['600', 'missing unit'],
    ['10 minutes', 'unknown unit'],
    ['1d', 'unknown unit "d"'],
    ['h', 'expected a number'],
    ['.s', 'expected a number'],
    ['1h 30m', 'unknown unit "h "'],
    ['-', 'empty'],
    ['9999999h', 'too long'],
  ])('rejects %j (%s)', (text, reason) => {
    expect(() => parseDuration(text)).toThrow(reason);
  });

  test('reads back any whole number of milliseconds Go can hold, written the way Go prints durations', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: GO_MAX_MS }), (ms) => {
        expect(parseDuration(goString(ms))).toBe(ms);
      }),
    );
  });

  test('reads back any sum of hours, minutes, seconds and milliseconds, and its negative', () => {
    const part = fc.integer({ min: 0, max: 100_000 });
    fc.assert(
      fc.property(part, part, part, part, (h, m, s, ms) => {
        const expected = h * 3_600_000 + m * 60_000 + s * 1000 + ms;
        expect(parseDuration(`${h}h${m}m${s}s${ms}ms`)).toBe(expected);
        expect(parseDuration(`-${h}h${m}m${s}s${ms}ms`)).toBe(expected === 0 ? 0 : -expected);
      }),
    );
  });

  test('reads back milliseconds written as fractional seconds', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 10 ** 9 }), (ms) => {
        expect(parseDuration(`${ms / 1000}s`)).toBe(ms);
      }),
    );
  });
});
