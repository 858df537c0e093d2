/**
 * Go duration syntax (`300ms`, `1.5h`, `2h45m`), because the original's configs are written in it.
 * Arithmetic is done in whole nanoseconds with bigint, as Go does, so that long durations do not lose precision.
 */

const NS_PER_UNIT: Record<string, bigint> = {
  ns: 1n,
  us: 1_000n,
  µs: 1_000n, // U+00B5 micro sign
  μs: 1_000n, // U+03BC Greek mu; Go accepts both spellings
  ms: 1_000_000n,
  s: 1_000_000_000n,
  m: 60_000_000_000n,
  h: 3_600_000_000_000n,
};

/** Go's time.Duration is an int64 of nanoseconds; anything beyond it is rejected there, so here too. */
const MAX_NS = 2n ** 63n - 1n;

const NS_PER_MS = 1_000_000n;

/** One `<number><unit>` piece: integer digits, optional fraction, then letters up to the next number. */
const COMPONENT = /^(\d*)(?:\.(\d*))?([^\d.]*)/;

/**
 * Parses a Go duration string (as Go's `time.ParseDuration` does) and returns milliseconds.
 * Accepts an optional sign, then `0` or one or more `<number><unit>` pieces with units ns, us (µs, μs), ms, s, m, h;
 * numbers may have a fraction (`1.5h`). The result can be fractional below one millisecond and negative for a
 * leading `-`. Throws an `Error` explaining what is wrong for anything else, including a number without a unit.
 */
export function parseDuration(text: string): number {
  let rest = text;
  let negative = false;
  if (rest.startsWith('-') || rest.startsWith('+')) {
    negative = rest.startsWith('-');
    rest = rest.slice(1);
  }
  if (rest === '0') return 0;
  if (rest === '') throw new Error(`invalid duration "${text}": it is empty`);

  let total = 0n;
  while (rest !== '') {
    const match = COMPONENT.exec(rest) as RegExpExecArray;
    const [piece, whole = '', fraction = '', unit = ''] = match;
    if (whole === '' && fraction === '')
      throw new Error(`invalid duration "${text}": expected a number at "${rest}"`);
    if (unit === '') throw new Error(`invalid duration "${text}": missing unit after "${piece}"`);
    const perUnit = NS_PER_UNIT[unit];
    if (perUnit === undefined) throw new Error(`invalid duration "${text}": unknown unit "${unit}"`);
    total += BigInt(whole || '0') * perUnit;
    if (fraction !== '') total += (BigInt(fraction) * perUnit) / 10n ** BigInt(fraction.length);
    if (total > MAX_NS + (negative ? 1n : 0n)) throw new Error(`invalid duration "${text}": too long`);
    rest = rest.slice(piece.length);
  }
  // Split before converting so whole milliseconds stay exact even past 2^53 nanoseconds.
  const ms = Number(total / NS_PER_MS) + Number(total % NS_PER_MS) / 1e6;
  return negative && ms !== 0 ? -ms : ms;
}
