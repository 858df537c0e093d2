import { afterEach, describe, expect, it } from 'vitest';
import { MemoryStore } from './memory-store.js';
import { openSqlite } from './sqlite.js';
import { TURN_RECALL_CHARS, TURN_RECALL_LIMIT, withRecalledMemories } from './turn-recall.js';

const stores: MemoryStore[] = [];

afterEach(() => {
  for (const store of stores.splice(0)) store.close();
});

function memoryStore(): MemoryStore {
  const store = new MemoryStore(openSqlite(':memory:'), null, () => {});
  stores.push(store);
  return store;
}

/** The recalled lines put before the message, without the block's frame. */
function recalledLines(prompt: string): string[] {
  const block = /<recalled-memories>\n[^\n]*\n([\s\S]*)\n<\/recalled-memories>/.exec(prompt);
  return block?.[1]?.split('\n') ?? [];
}

describe('memories offered with a message', () => {
  it('gives the message unchanged when no memory matches it', async () => {
    const store = memoryStore();
    store.store('bike', 'my bike is red');
    expect(await withRecalledMemories(store, 'what is the weather?')).toBe('what is the weather?');
  });

  it('puts the matching memories before the message, which stays whole at the end', async () => {
    const store = memoryStore();
    store.store('bike', 'my bike is red');
    const prompt = await withRecalledMemories(store, 'which colour is my bike?');
    expect(recalledLines(prompt)).toEqual(['- bike: my bike is red']);
    expect(prompt.endsWith('\n\nwhich colour is my bike?')).toBe(true);
  });

  it(`offers at most ${TURN_RECALL_LIMIT} memories however many match`, async () => {
    const store = memoryStore();
    for (let i = 0; i < 12; i++) store.store(`garden-${i}`, `garden note ${i}`);
    expect(recalledLines(await withRecalledMemories(store, 'garden'))).toHaveLength(TURN_RECALL_LIMIT);
  });

  it(`cuts a long memory to 400 characters and keeps the block within ${TURN_RECALL_CHARS}`, async () => {
    const store = memoryStore();
    for (let i = 0; i < 5; i++) store.store(`trip-${i}`, `trip ${'x'.repeat(2000)}`);
    const lines = recalledLines(await withRecalledMemories(store, 'trip'));
    expect(lines.length).toBeGreaterThan(0);
    for (const line of lines) expect(line.length).toBeLessThanOrEqual('- trip-0: '.length + 401);
    expect(lines.every((line) => line.endsWith('…'))).toBe(true);
    expect(lines.join('').length).toBeLessThanOrEqual(TURN_RECALL_CHARS);
  });

  it('puts each memory on one line, however its content is broken', async () => {
    const store = memoryStore();
    store.store('address', 'Main Street 1\n\nSpringfield');
    expect(recalledLines(await withRecalledMemories(store, 'springfield'))).toEqual([
      '- address: Main Street 1 Springfield',
    ]);
  });

  it('does not count an offered memory as recalled by the agent', async () => {
    const store = memoryStore();
    store.store('bike', 'my bike is red');
    await withRecalledMemories(store, 'bike');
    expect(store.list()[0]?.accessCount).toBe(0);
  });
});
