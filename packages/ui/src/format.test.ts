import { describe, expect, it } from 'vitest';
import { excerpt, formatAgo, formatUptime } from './format';

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
