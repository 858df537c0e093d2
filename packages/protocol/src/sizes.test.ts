import { describe, expect, it } from 'vitest';
import { formatBytes } from './sizes.js';

describe('formatBytes', () => {
  it('reads as a person would say it', () => {
    expect(formatBytes(0)).toBe('0 bytes');
    expect(formatBytes(1)).toBe('1 byte');
    expect(formatBytes(256)).toBe('256 bytes');
    expect(formatBytes(1536)).toBe('1.5 KB');
    expect(formatBytes(200 * 1024)).toBe('200 KB');
    expect(formatBytes(1024 * 1024)).toBe('1 MB');
    expect(formatBytes(2.25 * 1024 * 1024)).toBe('2.3 MB');
    expect(formatBytes(1023 * 1024 * 1024)).toBe('1023 MB');
    expect(formatBytes(7.6 * 1024 ** 3)).toBe('7.6 GB');
  });
});
