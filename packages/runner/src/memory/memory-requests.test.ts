import { afterEach, describe, expect, it } from 'vitest';
import { answerMemoryRequest } from './memory-requests.js';
import { MemoryStore } from './memory-store.js';
import { openSqlite } from './sqlite.js';

const stores: MemoryStore[] = [];

afterEach(() => {
  for (const store of stores.splice(0)) store.close();
});

/** A store of `n` memories, each changed a second after the one before. */
function storeOf(n: number): MemoryStore {
  let t = Date.UTC(2026, 0, 1);
  const store = new MemoryStore(
    openSqlite(':memory:'),
    null,
    () => {},
    () => (t += 1000),
  );
  stores.push(store);
  for (let i = 1; i <= n; i++) store.store(`note-${i}`, `garden note ${i}`);
  return store;
}

describe("Mission Control's requests on an agent's memory", () => {
  it('lists only the newest memories up to the limit, and counts them all', async () => {
    const result = await answerMemoryRequest(storeOf(5), { op: 'list', limit: 2 });
    expect(result).toMatchObject({ ok: true, total: 5 });
    expect(result.ok && result.memories.map((m) => m.key)).toEqual(['note-5', 'note-4']);
  });

  it('counts every memory with the best matches of a search', async () => {
    const result = await answerMemoryRequest(storeOf(3), { op: 'search', query: 'note 2' });
    expect(result).toMatchObject({ ok: true, total: 3 });
    expect(result.ok && result.memories[0]?.key).toBe('note-2');
  });

  it('refuses an empty memory with the reason, storing nothing', async () => {
    const store = storeOf(1);
    const result = await answerMemoryRequest(store, { op: 'store', key: 'blank', content: ' ', tags: '' });
    expect(result).toMatchObject({ ok: false, kind: 'refused' });
    expect(store.count()).toBe(1);
  });

  it('says there is no memory to delete under a key never stored', async () => {
    const result = await answerMemoryRequest(storeOf(1), { op: 'delete', key: 'nothing' });
    expect(result).toEqual({
      ok: false,
      kind: 'missing',
      error: 'no memory is stored under the key "nothing"',
    });
  });
});
