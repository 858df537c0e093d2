import { describe, expect, it } from 'vitest';
import {
  dateIn,
  excerpt,
  formatAgo,
  formatCost,
  formatCount,
  formatDuration,
  formatTimeIn,
  formatUntil,
  formatUptime,
  sameZone,
} from './format';

describe('formatUptime', () => {
  it('shows the two largest units', () => {
    expect(formatUptime(0)).toBe('0 s');
    expect(formatUptime(42)).toBe('42 s');
    expect(formatUptime(4 * 60 + 5)).toBe('4 min 5 s');
    expect(formatUptime(3 * 3600 + 12 * 60 + 9)).toBe('3 h 12 min');
    expect(formatUptime(2 * 86_400 + 3 * 3600)).toBe('2 d 3 h');
    expect(formatUptime(86_400 + 59)).toBe('1 d');
  });
});

describe('formatAgo', () => {
  it('reads like a person would say it', () => {
    const now = 10_000_000;
    expect(formatAgo(now - 10_000, now)).toBe('just now');
    expect(formatAgo(now - 5 * 60_000, now)).toBe('5 min ago');
    expect(formatAgo(now - 3 * 3_600_000, now)).toBe('3 h ago');
    expect(formatAgo(now - 2 * 86_400_000, now)).toBe('2 d ago');
    expect(formatAgo(now + 5_000, now)).toBe('just now');
  });
});

describe('excerpt', () => {
  it('flattens whitespace and cuts long text at a word', () => {
    expect(excerpt('a\n\nb   c')).toBe('a b c');
    const cut = excerpt('word '.repeat(50), 23);
    expect(cut).toBe('word word word word…');
  });
});

describe('formatDuration', () => {
  it('shows milliseconds under a second and tenths under ten seconds', () => {
    expect(formatDuration(0)).toBe('0 ms');
    expect(formatDuration(850)).toBe('850 ms');
    expect(formatDuration(1000)).toBe('1.0 s');
    expect(formatDuration(12_340 - 3000)).toBe('9.3 s');
  });

  it('shows the two largest units from ten seconds on', () => {
    expect(formatDuration(12_345)).toBe('12 s');
    expect(formatDuration((4 * 60 + 5) * 1000)).toBe('4 min 5 s');
    expect(formatDuration((3600 + 3 * 60 + 20) * 1000)).toBe('1 h 3 min');
  });

  it('never shows a negative time (clocks of two machines)', () => {
    expect(formatDuration(-20)).toBe('0 ms');
  });
});

describe('formatUntil', () => {
  it('reads like a person would say it', () => {
    const now = 10_000_000;
    expect(formatUntil(now + 20_000, now)).toBe('in 20 s');
    expect(formatUntil(now + 5 * 60_000, now)).toBe('in 5 min');
    expect(formatUntil(now + 3 * 3_600_000, now)).toBe('in 3 h');
    expect(formatUntil(now + 2 * 86_400_000, now)).toBe('in 2 d');
  });

  it('says now for a time that is due or past', () => {
    expect(formatUntil(1000, 1000)).toBe('now');
    expect(formatUntil(1000, 5000)).toBe('now');
  });
});

describe('formatCount', () => {
  it('groups thousands', () => {
    expect(formatCount(7)).toBe('7');
    expect(formatCount(12_345)).toBe('12,345');
  });
});

describe('formatCost', () => {
  it('shows up to four decimals below a dollar, at least two, and cents above', () => {
    expect(formatCost(0)).toBe('$0');
    expect(formatCost(0.01234)).toBe('$0.0123');
    expect(formatCost(0.012)).toBe('$0.012');
    expect(formatCost(0.5)).toBe('$0.50');
    expect(formatCost(2.456)).toBe('$2.46');
  });
});

describe('dateIn', () => {
  it('gives the calendar day in the zone asked for', () => {
    const lateEvening = Date.UTC(2026, 2, 4, 23, 30);
    expect(dateIn(lateEvening, 'UTC')).toBe('2026-03-04');
    expect(dateIn(lateEvening, 'Asia/Tokyo')).toBe('2026-03-05');
    expect(dateIn(lateEvening, 'America/New_York')).toBe('2026-03-04');
  });
});

describe('formatTimeIn', () => {
  const run = Date.UTC(2026, 2, 4, 23, 30);
  const now = Date.UTC(2026, 2, 5, 0, 10);

  it('shows only the clock for a time on the same day in the task’s zone', () => {
    const inTokyo = formatTimeIn(run, 'Asia/Tokyo', now);
    expect(inTokyo).toMatch(/08.30/);
    expect(inTokyo).not.toMatch(/5/);
  });

  it('uses a 24-hour clock, as schedules are described', () => {
    expect(formatTimeIn(Date.UTC(2026, 2, 5, 15, 45), 'UTC', now)).toMatch(/15.45/);
  });

  it('adds the day when the zone puts the time on another day than now', () => {
    const inUtc = formatTimeIn(run, 'UTC', now);
    expect(inUtc).toMatch(/4/);
    expect(inUtc.length).toBeGreaterThan(formatTimeIn(now, 'UTC', now).length);
  });
});

describe('sameZone', () => {
  it('knows one zone by its other names', () => {
    expect(sameZone('UTC', 'Etc/UTC')).toBe(true);
    expect(sameZone('Europe/Berlin', 'Europe/Berlin')).toBe(true);
    expect(sameZone('Europe/Berlin', 'UTC')).toBe(false);
  });

  it('compares an unknown name as written', () => {
    expect(sameZone('Mars/Olympus', 'Mars/Olympus')).toBe(true);
    expect(sameZone('Mars/Olympus', 'UTC')).toBe(false);
  });
});
