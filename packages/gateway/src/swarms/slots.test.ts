import { describe, expect, it } from 'vitest';
import { Slots } from './slots.js';

const never = new AbortController().signal;

describe('Slots', () => {
  it('lets at most the limit hold a slot, and the next waiter in when one is given back', async () => {
    const slots = new Slots(() => 2);
    const first = await slots.acquire(never);
    await slots.acquire(never);
    let third: (() => void) | null = null;
    const waiting = slots.acquire(never).then((release) => {
      third = release;
    });
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(third).toBeNull();
    first?.();
    await waiting;
    expect(third).not.toBeNull();
  });

  it('gives up waiting when the run is stopped', async () => {
    const slots = new Slots(() => 1);
    await slots.acquire(never);
    const stop = new AbortController();
    const waiting = slots.acquire(stop.signal);
    stop.abort();
    expect(await waiting).toBeNull();
  });

  it('counts a slot given back twice once', async () => {
    const slots = new Slots(() => 1);
    const release = await slots.acquire(never);
    release?.();
    release?.();
    await slots.acquire(never);
    const stop = new AbortController();
    const waiting = slots.acquire(stop.signal);
    setTimeout(() => stop.abort(), 20);
    expect(await waiting).toBeNull();
  });
});
