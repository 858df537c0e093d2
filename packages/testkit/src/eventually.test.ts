import { describe, expect, it } from 'vitest';
import { eventually } from './eventually.js';

describe('eventually', () => {
  it('returns the first value the check accepts', async () => {
    let reads = 0;
    const value = await eventually(
      'the third read',
      async () => ++reads,
      (n) => n >= 3,
    );
    expect(value).toBe(3);
  });

  it('fails after the timeout, naming what it waited for and the last value read', async () => {
    await expect(
      eventually(
        'a yes',
        async () => 'no',
        (v) => v === 'yes',
        { timeoutMs: 60 },
      ),
    ).rejects.toThrow('timed out waiting for a yes; last seen: "no"');
  });

  it('keeps the last value out of the message when asked to be quiet', async () => {
    await expect(
      eventually(
        'a yes',
        async () => 'secret-value',
        (v) => v === 'yes',
        { timeoutMs: 60, quiet: true },
      ),
    ).rejects.toThrow(/^timed out waiting for a yes$/);
  });
});
