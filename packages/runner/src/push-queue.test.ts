import { describe, expect, it } from 'vitest';
import { PushQueue } from './push-queue.js';

async function take<T>(iterator: AsyncIterator<T>, n: number): Promise<T[]> {
  const out: T[] = [];
  for (let i = 0; i < n; i++) {
    const next = await iterator.next();
    if (next.done) break;
    out.push(next.value);
  }
  return out;
}

describe('PushQueue', () => {
  it('yields items pushed before the reader asks, in order', async () => {
    const queue = new PushQueue<number>();
    queue.push(1);
    queue.push(2);
    expect(await take(queue[Symbol.asyncIterator](), 2)).toEqual([1, 2]);
  });

  it('wakes a waiting reader when an item is pushed', async () => {
    const queue = new PushQueue<string>();
    const next = queue[Symbol.asyncIterator]().next();
    queue.push('late');
    expect(await next).toEqual({ value: 'late', done: false });
  });

  it('finishes a waiting reader when ended', async () => {
    const queue = new PushQueue<string>();
    const next = queue[Symbol.asyncIterator]().next();
    queue.end();
    expect((await next).done).toBe(true);
  });

  it('delivers what was pushed before the end', async () => {
    const queue = new PushQueue<number>();
    queue.push(7);
    queue.end();
    const seen: number[] = [];
    for await (const item of queue) seen.push(item);
    expect(seen).toEqual([7]);
  });

  it('refuses a push after the end', () => {
    const queue = new PushQueue<number>();
    queue.end();
    expect(() => queue.push(1)).toThrow('push after end');
  });
});
