/**
 * The memory benchmark: an agent's memory (the runner's own MemoryStore on a temporary SQLite file, full-text path,
 * no embeddings) filled with 1,000, 10,000 and 100,000 synthetic memories, then recall timed with the agent's
 * tool settings (top 20, counted as a use). Store throughput is timed one memory at a time, as the tool stores them.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeEmbeddingModel } from '@praktor/testkit';
import { localEmbedder } from '../packages/runner/dist/memory/local-embedder.js';
import { MemoryStore } from '../packages/runner/dist/memory/memory-store.js';
import { openSqlite } from '../packages/runner/dist/memory/sqlite.js';
import { summarize } from './lib.mjs';

/** A deterministic pseudo-random source, so every run measures the same memories and queries. */
function random(seed) {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

const SYLLABLES = [
  'ka',
  'lo',
  'mi',
  'ne',
  'ru',
  'sa',
  'ti',
  'vo',
  'ze',
  'pa',
  'qui',
  'ber',
  'don',
  'fel',
  'gar',
];

/** 5,000 made-up words; picked with a skew (a few common, many rare), as words in notes are. */
function vocabulary(rand) {
  const words = new Set();
  while (words.size < 5000) {
    const n = 2 + Math.floor(rand() * 3);
    words.add(Array.from({ length: n }, () => SYLLABLES[Math.floor(rand() * SYLLABLES.length)]).join(''));
  }
  return [...words];
}

const STOPWORDS = ['the', 'a', 'to', 'of', 'and', 'is', 'in', 'my', 'for', 'on', 'with', 'at'];

/** Words as in notes: a third are common function words, the rest content words picked with a skew. */
function sentence(rand, words, length) {
  return Array.from({ length }, () =>
    rand() < 0.33
      ? STOPWORDS[Math.floor(rand() * STOPWORDS.length)]
      : words[Math.floor(words.length * rand() ** 2)],
  ).join(' ');
}

function fill(store, db, rand, words, from, to) {
  db.exec('BEGIN');
  for (let n = from; n < to; n++) {
    store.store(`memory-${n}`, sentence(rand, words, 12 + Math.floor(rand() * 20)), sentence(rand, words, 2));
  }
  db.exec('COMMIT');
}

/** Recall latency at each size in `sizes` (`samples` queries each) and store throughput. */
export async function benchMemory({ sizes, samples, storeSamples }) {
  const dir = mkdtempSync(join(tmpdir(), 'praktor-bench-memory-'));
  const rand = random(42);
  const words = vocabulary(rand);
  const db = openSqlite(join(dir, 'memory.db'));
  const store = new MemoryStore(db, null, () => {});
  try {
    const times = [];
    for (let n = 0; n < storeSamples; n++) {
      const start = performance.now();
      store.store(`timed-${n}`, sentence(rand, words, 20), 'bench');
      times.push((performance.now() - start) * 1000);
    }
    const storeSummary = summarize(times, 1);
    const recall = {};
    let held = 0;
    for (const size of sizes) {
      for (let from = held; from < size; from += 10_000)
        fill(store, db, rand, words, from, Math.min(size, from + 10_000));
      held = size;
      const latencies = [];
      const cpu = [];
      for (let i = 0; i < samples; i++) {
        const query = sentence(rand, words, 2 + Math.floor(rand() * 4));
        const start = performance.now();
        const startCpu = process.cpuUsage();
        await store.recall(query);
        const used = process.cpuUsage(startCpu);
        latencies.push(performance.now() - start);
        cpu.push((used.user + used.system) / 1000);
      }
      recall[size] = { wall_ms: summarize(latencies, 2), cpu_ms: summarize(cpu, 2) };
    }
    return {
      what: 'an agent memory (MemoryStore, SQLite FTS5 with BM25, no embeddings) in-process on a temp file; recall = the memory_recall tool (top 20, counted as a use) for 2-5 word queries over synthetic notes of 12-31 words',
      units:
        'recall in milliseconds, wall clock and CPU time of this process (the CPU figure holds on a busy machine); store in microseconds per memory, each its own transaction',
      recall_ms: recall,
      store_us: storeSummary,
      store_per_second: Math.round(1e6 / Math.max(0.001, storeSummary.mean ?? 1)),
    };
  } finally {
    store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Recall latency with the local embedder at `size` memories: full text fused with vectors, each query embedded
 * in-process. The model is the test kit's tiny one (a table lookup over the notes' words), so this measures what is
 * around any model (the tokenizer, an ONNX Runtime call, the scan over every memory's vector, fusion), not a real
 * model's own inference.
 */
export async function benchLocalEmbedder({ size, samples }) {
  const dir = mkdtempSync(join(tmpdir(), 'praktor-bench-local-embedder-'));
  const rand = random(7);
  const words = vocabulary(rand);
  const model = writeEmbeddingModel(join(dir, 'model'), { words: [...words, ...STOPWORDS] });
  const db = openSqlite(join(dir, 'memory.db'));
  const store = new MemoryStore(db, localEmbedder(model), () => {});
  try {
    fill(store, db, rand, words, 0, size);
    const loadStart = performance.now();
    await store.backfill();
    const embedAllMs = performance.now() - loadStart;
    const latencies = [];
    const cpu = [];
    for (let i = 0; i < samples; i++) {
      const query = sentence(rand, words, 2 + Math.floor(rand() * 4));
      const start = performance.now();
      const startCpu = process.cpuUsage();
      await store.recall(query);
      const used = process.cpuUsage(startCpu);
      latencies.push(performance.now() - start);
      cpu.push((used.user + used.system) / 1000);
    }
    return {
      what: `recall (top 20, fused with vectors) at ${size} memories with the local embedder on the test kit's tiny model (${words.length + STOPWORDS.length} words, 65 dimensions); the model's own inference is near nothing, so this is the cost around a model`,
      units: 'milliseconds, wall clock and CPU time of this process (ONNX Runtime thread included)',
      memories: size,
      recall_ms: { wall_ms: summarize(latencies, 2), cpu_ms: summarize(cpu, 2) },
      load_and_embed_all_ms: Math.round(embedAllMs),
    };
  } finally {
    store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

// Run alone: `node bench/memory.mjs` (after `npm run build`).
if (import.meta.url === `file://${process.argv[1]}`) {
  const result = await benchMemory({ sizes: [1_000, 10_000, 100_000], samples: 500, storeSamples: 2000 });
  result.local_embedder = await benchLocalEmbedder({ size: 1_000, samples: 500 });
  process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
}
