import { describe, expect, it } from 'vitest';
import { FairQueue } from './fair-queue.js';

function takeAll<T>(queue: FairQueue<T>): T[] {
  const taken: T[] = [];
  for (let item = queue.shift(); item !== undefined; item = queue.shift()) taken.push(item);
  return taken;
}

describe('FairQueue', () => {
  it('gives the items of one chat back in the order they came', () => {
    const queue = new FairQueue<string>();
    for (const item of ['a1', 'a2', 'a3']) queue.push('A', item);
    expect(takeAll(queue)).toEqual(['a1', 'a2', 'a3']);
  });

  it('answers a chat that sends one message after a chat that sent 20 after at most one of the 20', () => {
    const queue = new FairQueue<string>();
    for (let i = 1; i <= 20; i++) queue.push('A', `a${i}`);
    queue.push('B', 'b1');
    const order = takeAll(queue);
    expect(order.indexOf('b1')).toBeLessThanOrEqual(1);
    expect(order.filter((item) => item !== 'b1')).toEqual(Array.from({ length: 20 }, (_, i) => `a${i + 1}`));
  });

  it('lets a chat arriving while another chat’s first message is being answered go next', () => {
    const queue = new FairQueue<string>();
    queue.push('A', 'a1');
    expect(queue.shift()).toBe('a1');
    for (let i = 2; i <= 20; i++) queue.push('A', `a${i}`);
    queue.push('B', 'b1');
    expect(queue.shift()).toBe('b1');
    expect(queue.shift()).toBe('a2');
  });

  it('takes turns between chats, one item each, in the order they started waiting', () => {
    const queue = new FairQueue<string>();
    for (const chat of ['A', 'B', 'C']) for (let i = 1; i <= 3; i++) queue.push(chat, `${chat}${i}`);
    expect(takeAll(queue)).toEqual(['A1', 'B1', 'C1', 'A2', 'B2', 'C2', 'A3', 'B3', 'C3']);
  });

  it('does not let a chat that keeps sending one message at a time overtake a chat that waits', () => {
    const queue = new FairQueue<string>();
    for (let i = 1; i <= 5; i++) queue.push('A', `a${i}`);
    const order = [queue.shift()];
    for (let i = 1; i <= 8; i++) {
      queue.push('C', `c${i}`);
      order.push(queue.shift());
    }
    expect(order).toEqual(['a1', 'c1', 'a2', 'c2', 'a3', 'c3', 'a4', 'c4', 'a5']);
  });

  it('empties on clear, giving back every waiting item', () => {
    const queue = new FairQueue<number>();
    queue.push('A', 1);
    queue.push('B', 2);
    queue.push('A', 3);
    expect(queue.clear().sort()).toEqual([1, 2, 3]);
    expect(queue.shift()).toBeUndefined();
  });
});
