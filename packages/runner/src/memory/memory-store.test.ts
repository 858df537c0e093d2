import { type FakeEmbeddings, startFakeEmbeddings } from '@praktor/testkit';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { httpEmbedder } from './embeddings.js';
import {
  fuseRanks,
  MAX_CONTENT_LENGTH,
  MemoryStore,
  NEWEST_MATCHES,
  RANKED_MATCHES,
} from './memory-store.js';
import { openSqlite } from './sqlite.js';

const stores: MemoryStore[] = [];
const fakes: FakeEmbeddings[] = [];

afterEach(async () => {
  for (const store of stores.splice(0)) store.close();
  for (const fake of fakes.splice(0)) await fake.close();
});

function memoryStore(
  opts: { embedder?: ReturnType<typeof httpEmbedder>; log?: string[]; now?: () => number } = {},
) {
  const log = opts.log ?? [];
  const store = new MemoryStore(
    openSqlite(':memory:'),
    opts.embedder ?? null,
    (line) => log.push(line),
    opts.now,
  );
  stores.push(store);
  return store;
}

/** A clock that ticks one second per reading, so every change has its own time. */
function ticking(start = Date.UTC(2026, 0, 1)) {
  let t = start;
  return () => (t += 1000);
}

async function keysFor(store: MemoryStore, query: string): Promise<string[]> {
  return (await store.recall(query)).map((m) => m.key);
}

describe('storing', () => {
  it('stores a memory and finds it by a word of its content', async () => {
    const store = memoryStore();
    expect(store.store('coffee', 'The user drinks flat whites', 'drinks, habits')).toEqual({ created: true });
    const [found] = await store.recall('whites');
    expect(found).toMatchObject({
      key: 'coffee',
      content: 'The user drinks flat whites',
      tags: 'drinks, habits',
    });
  });

  it('storing an existing key replaces its content and tags and keeps one memory', async () => {
    const store = memoryStore({ now: ticking() });
    store.store('coffee', 'espresso', 'a');
    expect(store.store('coffee', 'flat white', 'b')).toEqual({ created: false });
    expect(store.list()).toHaveLength(1);
    expect(store.get('coffee')).toMatchObject({ content: 'flat white', tags: 'b' });
    expect(await keysFor(store, 'espresso')).toEqual([]);
    expect(await keysFor(store, 'flat')).toEqual(['coffee']);
  });

  it('refuses an empty key, empty content and oversized content with a reason, and keeps what was stored', () => {
    const store = memoryStore();
    store.store('kept', 'still here');
    expect(() => store.store('  ', 'x')).toThrow(/key is empty/);
    expect(() => store.store('k', '   ')).toThrow(/content is empty/);
    expect(() => store.store('kept', 'x'.repeat(MAX_CONTENT_LENGTH + 1))).toThrow(/at most 20000/);
    expect(store.get('kept')?.content).toBe('still here');
  });

  it('tidies tags: trimmed, empty ones dropped', () => {
    const store = memoryStore();
    store.store('k', 'v', ' work ,, home ,');
    expect(store.get('k')?.tags).toBe('work, home');
  });
});

describe('listing and deleting', () => {
  it('lists the most recently changed first', () => {
    const store = memoryStore({ now: ticking() });
    store.store('a', 'first');
    store.store('b', 'second');
    store.store('a', 'first, changed');
    expect(store.list().map((m) => m.key)).toEqual(['a', 'b']);
  });

  it('deletes by exact key only', async () => {
    const store = memoryStore();
    store.store('dentist', 'appointment on Friday');
    store.store('dentist-address', 'Main street 5');
    expect(store.delete('dentist')).toBe(true);
    expect(store.delete('dentist')).toBe(false);
    expect(store.list().map((m) => m.key)).toEqual(['dentist-address']);
    expect(await keysFor(store, 'appointment')).toEqual([]);
  });

  it('forgets every memory the query finds, and only those', () => {
    const store = memoryStore();
    store.store('cat', 'The cat is called Miso');
    store.store('cat-vet', 'Miso sees the vet in March');
    store.store('car', 'The car is blue');
    expect(store.forget('miso')).toBe(2);
    expect(store.list().map((m) => m.key)).toEqual(['car']);
  });

  it('forgets only memories holding every word of the query', () => {
    const store = memoryStore();
    store.store('dentist', 'my dentist is Dr Lee');
    store.store('bike', 'my bike is red');
    expect(store.forget('my dentist')).toBe(1);
    expect(store.list().map((m) => m.key)).toEqual(['bike']);
  });
});

describe('full-text recall', () => {
  it('matches word stems: "running" finds "runs", and a memory without that stem is not found', async () => {
    const store = memoryStore();
    store.store('habit', 'The user runs five kilometres every morning');
    store.store('food', 'The user dislikes coriander');
    expect(await keysFor(store, 'when does the user go running?')).toContain('habit');
    expect(await keysFor(store, 'running')).toEqual(['habit']);
  });

  it('matches prefixes: "birth" finds "birthday"', async () => {
    const store = memoryStore();
    store.store('mum', "Mum's birthday is on 3 May");
    expect(await keysFor(store, 'birth')).toEqual(['mum']);
  });

  it('ranks the memory sharing more of the words first', async () => {
    const store = memoryStore();
    store.store('one', 'The user likes green tea');
    store.store('two', 'The user likes green tea with honey in the evening');
    store.store('three', 'The car is green');
    const keys = await keysFor(store, 'green tea honey evening');
    expect(keys[0]).toBe('two');
    expect(keys).toContain('three');
  });

  it('finds words in the key and the tags too', async () => {
    const store = memoryStore();
    store.store('passport-number', 'X1234567', 'documents');
    expect(await keysFor(store, 'passport')).toEqual(['passport-number']);
    expect(await keysFor(store, 'documents')).toEqual(['passport-number']);
  });

  it('treats FTS5 operators and quotes as words, not syntax', async () => {
    const store = memoryStore();
    store.store('ops', 'NEAR AND OR NOT are words here');
    expect(await keysFor(store, 'NEAR(" AND')).toEqual(['ops']);
    expect(await keysFor(store, 'content:"')).toEqual([]);
  });

  it('returns nothing for a query without words', async () => {
    const store = memoryStore();
    store.store('k', 'v');
    expect(await store.recall('  ?! ')).toEqual([]);
    expect(await store.recall('')).toEqual([]);
  });

  it('ranks by the rarer words when another word of the query is in more memories than a recall ranks', async () => {
    const store = memoryStore();
    store.store('umbrella', 'Take the umbrella when the weather turns');
    for (let n = 0; n <= RANKED_MATCHES; n++) store.store(`note-${n}`, `weather note number ${n}`);
    expect(await keysFor(store, 'weather umbrella')).toEqual(['umbrella']);
  });

  it('searches a word held by more memories than a recall ranks among the newest of them', async () => {
    const store = memoryStore();
    const total = RANKED_MATCHES + NEWEST_MATCHES;
    for (let n = 0; n < total; n++) store.store(`note-${n}`, `weather note number ${n}`);
    const found = (await keysFor(store, 'weather')).map((key) => Number(key.slice('note-'.length)));
    expect(found).toHaveLength(20);
    for (const n of found) expect(n).toBeGreaterThanOrEqual(total - NEWEST_MATCHES);
  });

  it('counts an explicit recall as a use, and a quiet one not', async () => {
    const store = memoryStore({ now: ticking() });
    store.store('k', 'the value');
    await store.recall('value', { touch: false });
    expect(store.get('k')).toMatchObject({ accessCount: 0, lastAccessed: null });
    const [found] = await store.recall('value');
    expect(found?.accessCount).toBe(1);
    expect(store.get('k')?.accessCount).toBe(1);
    expect(store.get('k')?.lastAccessed).not.toBeNull();
  });

  it('any query string is accepted and returns only stored memories', async () => {
    const store = memoryStore();
    const keys = [
      'alpha',
      'beta "quoted"',
      'gamma*',
      'δέλτα',
      '絵文字 😀',
      'NEAR(a b)',
      'x AND y',
      '-minus',
      'col:on',
    ];
    for (const key of keys) store.store(key, `content of ${key}`, 'tag');
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.string(),
          fc.string({ unit: 'grapheme' }),
          fc.stringMatching(/^[\s"*():^+\-{}[\]ANDORNEAT]{0,20}$/),
          fc.constantFrom('', '"', '""', '*', 'AND', 'OR NOT', 'NEAR(', 'a:b', '^x', '\u0000', '\uD800'),
        ),
        async (query) => {
          const found = await store.recall(query);
          for (const memory of found) expect(keys).toContain(memory.key);
          const before = store.count();
          const forgotten = store.forget(query);
          expect(store.count()).toBe(before - forgotten);
          for (const key of keys) store.store(key, `content of ${key}`, 'tag');
        },
      ),
      { numRuns: 400 },
    );
    expect(store.count()).toBe(keys.length);
  });
});

describe('recall with embeddings', () => {
  const synonyms = [
    ['physician', 'doctor', 'gp'],
    ['automobile', 'car', 'vehicle'],
  ];

  async function withFake() {
    const fake = await startFakeEmbeddings({ synonyms, dimensions: 256 });
    fakes.push(fake);
    return fake;
  }

  it('fuses full-text and vector ranks: a memory BM25 ranks low comes first when it also means the query', async () => {
    const fake = await withFake();
    const store = memoryStore({ embedder: httpEmbedder(fake.url, 'fake-model') });
    // Labelled set. The wanted memory shares one word with the query and means the rest ("physician"); three decoys
    // repeat both query words amid unrelated text, so BM25 puts them first; three short notes are near in meaning
    // but share no word, so only the vectors see them.
    store.store('wanted', 'physician appointment');
    store.store(
      'decoy-form',
      'doctor appointment form template for the clinic website footer and header layout',
    );
    store.store(
      'decoy-show',
      'doctor appointment scene in the television series, season two, episode nine recap',
    );
    store.store(
      'decoy-book',
      'doctor appointment chapter of the novel that the book club read last winter again',
    );
    store.store('near-gp', 'gp visit');
    store.store('near-call', 'gp phoned');
    store.store('near-physician', 'physician nearby');
    await store.backfill();
    const textOnly = memoryStore();
    for (const m of store.list()) textOnly.store(m.key, m.content, m.tags);

    const query = 'doctor appointment';
    const bm25 = await keysFor(textOnly, query);
    expect(bm25.slice(0, 3).sort()).toEqual(['decoy-book', 'decoy-form', 'decoy-show']);
    expect(bm25[3]).toBe('wanted');
    const fused = await keysFor(store, query);
    expect(fused[0]).toBe('wanted');
    expect(fused.slice(1, 4).sort()).toEqual(['decoy-book', 'decoy-form', 'decoy-show']);
  });

  it('finds by meaning alone when no word is shared', async () => {
    const fake = await withFake();
    const store = memoryStore({ embedder: httpEmbedder(fake.url, 'fake-model') });
    store.store('car', 'automobile is parked in the garage');
    store.store('tea', 'green tea in the morning');
    await store.backfill();
    expect((await keysFor(store, 'vehicle'))[0]).toBe('car');
  });

  it('keeps a memory when the embedder fails, finds it by text, and embeds it at the next backfill', async () => {
    const fake = await withFake();
    const log: string[] = [];
    const store = memoryStore({ embedder: httpEmbedder(fake.url, 'fake-model'), log });
    fake.failing = true;
    store.store('car', 'automobile is parked in the garage');
    await store.backfill();
    expect(log.some((line) => line.includes('could not compute embeddings') && line.includes('503'))).toBe(
      true,
    );
    expect(await keysFor(store, 'garage')).toEqual(['car']);
    expect(await keysFor(store, 'vehicle')).toEqual([]);
    fake.failing = false;
    await store.backfill();
    expect(await keysFor(store, 'vehicle')).toEqual(['car']);
  });

  it('embeds no query while no memory has a vector (a local model is not loaded for nothing)', async () => {
    const fake = await withFake();
    const store = memoryStore({ embedder: httpEmbedder(fake.url, 'fake-model') });
    expect(await keysFor(store, 'vehicle')).toEqual([]);
    expect(fake.inputs).toEqual([]);
    store.store('car', 'automobile is parked in the garage');
    await store.backfill();
    expect(await keysFor(store, 'vehicle')).toEqual(['car']);
    expect(fake.inputs).toContain('vehicle');
  });

  it('says once that recall uses text alone when no embedder is configured', () => {
    const log: string[] = [];
    memoryStore({ log });
    expect(log).toEqual(['memory: no embedding source configured; recall uses full-text search alone']);
  });
});

describe('reciprocal rank fusion', () => {
  it('scores each id by the sum of 1/(60 + rank) over the lists', () => {
    // 1: 1/61 + 1/63; 2: 1/62 + 1/61; 3: 1/63 + 1/62 — so 2 > 1 > 3.
    expect(
      fuseRanks([
        [1, 2, 3],
        [2, 3, 1],
      ]),
    ).toEqual([2, 1, 3]);
  });

  it('ranks an id found by both lists above one found first by only one', () => {
    expect(
      fuseRanks([
        [7, 8],
        [9, 8],
      ])[0],
    ).toBe(8);
  });
});
