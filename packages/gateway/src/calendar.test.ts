import { describe, expect, it } from 'vitest';
import { dayOf, monthOf, namedDay } from './calendar.js';

describe('calendar', () => {
  it('puts an instant in the day of the zone, not of UTC', () => {
    // 23:30 UTC on 7 December is already 8 December in Berlin.
    const late = Date.UTC(2026, 11, 7, 23, 30);
    expect(dayOf(late, 'UTC').key).toBe('2026-12-07');
    expect(dayOf(late, 'Europe/Berlin').key).toBe('2026-12-08');
  });

  it('starts and ends a day at the zone’s midnights', () => {
    const day = namedDay('2026-12-08', 'Europe/Berlin');
    expect(day.start).toBe(Date.UTC(2026, 11, 7, 23));
    expect(day.end).toBe(Date.UTC(2026, 11, 8, 23));
  });

  it('makes the day of a clock change as long as it is', () => {
    // Berlin moves its clocks forward on 29 March 2026: that day has 23 hours.
    const day = namedDay('2026-03-29', 'Europe/Berlin');
    expect(day.end - day.start).toBe(23 * 3_600_000);
  });

  it('spans a month from its first midnight to the next month’s, across the year end', () => {
    const month = monthOf(Date.UTC(2026, 11, 15), 'America/New_York');
    expect(month.key).toBe('2026-12');
    expect(month.start).toBe(Date.UTC(2026, 11, 1, 5));
    expect(month.end).toBe(Date.UTC(2027, 0, 1, 5));
  });
});
