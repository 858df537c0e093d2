import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeEmbeddingModel } from '@praktor/testkit';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { Embedder } from './embeddings.js';
import { localEmbedder } from './local-embedder.js';
import { MemoryStore } from './memory-store.js';
import { openSqlite } from './sqlite.js';

const root = mkdtempSync(join(tmpdir(), 'praktor-local-embedder-'));
const modelDir = writeEmbeddingModel(join(root, 'tiny-model'), {
  words: ['my', 'is', 'parked', 'on', 'level', 'the', 'wash', 'closes', 'at', 'six', 'green', 'tea'],
  synonyms: [['car', 'automobile', 'vehicle']],
});
const stores: MemoryStore[] = [];

afterEach(() => {
  for (const store of stores.splice(0)) store.close();
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

function memoryStore(embedder: Embedder | null, log: string[] = []) {
  const store = new MemoryStore(openSqlite(':memory:'), embedder, (line) => log.push(line));
  stores.push(store);
  return store;
}

function fill(store: MemoryStore) {
  store.store('parking', 'my automobile is parked on level 3');
  store.store('car-wash', 'the car wash closes at six');
  store.store('tea', 'green tea');
}

describe('the local embedder', () => {
  it('computes unit vectors of the model width, one per text, the same for the same text', async () => {
    const [a, b, c] = await localEmbedder(modelDir).embed(['car', 'green tea', 'car']);
    expect(a).toHaveLength(65);
    expect(Math.hypot(...(a as Float32Array))).toBeCloseTo(1, 5);
    expect(Math.hypot(...(b as Float32Array))).toBeCloseTo(1, 5);
    expect(c).toEqual(a);
  });

  it('finds a memory by a synonym, which full-text search cannot, fused with the one the text finds', async () => {
    const textOnly = memoryStore(null);
    fill(textOnly);
    expect((await textOnly.recall('car')).map((m) => m.key)).toEqual(['car-wash']);

    const store = memoryStore(localEmbedder(modelDir));
    fill(store);
    await store.backfill();
    // car-wash is first in both rankings; parking only in the vectors'; tea in neither near the top.
    expect((await store.recall('car')).map((m) => m.key).slice(0, 2)).toEqual(['car-wash', 'parking']);
    // No memory holds "vehicle": the vectors alone find both that mean it.
    expect(
      (await store.recall('vehicle'))
        .map((m) => m.key)
        .slice(0, 2)
        .sort(),
    ).toEqual(['car-wash', 'parking']);
  });

  it('a folder that holds no model turns vectors off with one log line, and text search goes on', async () => {
    const empty = join(root, 'not-a-model');
    mkdirSync(empty, { recursive: true });
    const log: string[] = [];
    const store = memoryStore(localEmbedder(empty), log);
    fill(store);
    await store.backfill();
    expect((await store.recall('wash')).map((m) => m.key)).toEqual(['car-wash']);
    expect(await store.recall('vehicle')).toEqual([]);
    const said = log.filter((line) => line.includes('could not be loaded'));
    expect(said).toHaveLength(1);
    expect(said[0]).toContain(empty);
    expect(said[0]).toContain('full-text search alone from now on');
    expect(
      log.filter((line) => line.includes('could not compute') || line.includes('could not embed')),
    ).toEqual([]);
  });
});
