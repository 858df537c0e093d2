/**
 * The progress line of backup and restore: bytes and rate (and how far along, when the total is known) redrawn on
 * a terminal at most ten times a second, and nothing at all on a stream that is not a terminal.
 */
import { Writable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { formatBytes, Progress } from './progress.js';

const MB = 1024 * 1024;

/** A stream that keeps what is written to it, a terminal or not. */
function stream(isTTY: boolean): Writable & { isTTY: boolean; text: () => string } {
  const chunks: string[] = [];
  const out = new Writable({
    write(chunk: Buffer, _encoding, done) {
      chunks.push(chunk.toString('utf8'));
      done();
    },
  });
  return Object.assign(out, { isTTY, text: () => chunks.join('') });
}

describe('the progress line', () => {
  beforeEach(() => {
    vi.useFakeTimers();
    vi.setSystemTime(new Date('2026-12-07T10:00:00Z'));
  });
  afterEach(() => vi.useRealTimers());

  it('shows the bytes so far and the rate on a terminal, redrawing the line in place', () => {
    const out = stream(true);
    const progress = new Progress(out, 'backing up');
    vi.advanceTimersByTime(2_000);
    progress.add(3 * MB);
    expect(out.text()).toBe('\r\x1b[2Kbacking up 3.0 MB  1.5 MB/s');
  });

  it('shows how far along it is when the total is known', () => {
    const out = stream(true);
    const progress = new Progress(out, 'restoring', 8 * MB);
    vi.advanceTimersByTime(1_000);
    progress.add(2 * MB);
    expect(out.text()).toBe(`\r\x1b[2Krestoring 2.0 MB  2.0 MB/s  [${'#'.repeat(6)}${' '.repeat(18)}] 25%`);
  });

  it('redraws at most ten times a second', () => {
    const out = stream(true);
    const progress = new Progress(out, 'checking');
    vi.advanceTimersByTime(1_000);
    for (let i = 0; i < 50; i++) {
      progress.add(1024);
      vi.advanceTimersByTime(10);
    }
    expect(out.text().split('\r').length - 1).toBe(5);
  });

  it('clears its line at the end on a terminal', () => {
    const out = stream(true);
    const progress = new Progress(out, 'backing up');
    progress.end();
    expect(out.text()).toBe('\r\x1b[2K');
  });

  it('writes nothing at all on a stream that is not a terminal', () => {
    const out = stream(false);
    const progress = new Progress(out, 'backing up', 10 * MB);
    vi.advanceTimersByTime(1_000);
    progress.add(5 * MB);
    vi.advanceTimersByTime(1_000);
    progress.add(5 * MB);
    progress.end();
    expect(out.text()).toBe('');
    expect(progress.rate()).toBe(5 * MB);
  });

  it('says bytes in 1024-based units, as the original', () => {
    expect([0, 1023, 1536, 5 * MB, 3 * 1024 * MB].map(formatBytes)).toEqual([
      '0 bytes',
      '1023 bytes',
      '1.5 KB',
      '5.0 MB',
      '3.0 GB',
    ]);
  });
});
