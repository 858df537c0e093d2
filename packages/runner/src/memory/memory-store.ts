/**
 * The agent's memory: one SQLite file in its own workspace (`memory.db`), so it lives in the sandbox's volume, goes
 * with its backups, and no other agent's sandbox can open it. Memories are found by full-text search (FTS5, BM25,
 * Porter stemming, prefix matching) fused by reciprocal rank with vector similarity when an embedder is at hand.
 */

import { ftsQuery, ftsWords, messageOf } from '@praktor/protocol';
import { type Embedder, EmbedderUnavailable } from './embeddings.js';
import type { SqliteDatabase } from './sqlite.js';

/** One stored memory. Times are milliseconds since the epoch. */
export interface Memory {
  key: string;
  content: string;
  /** Comma-separated, as the agent gave them; empty for none. */
  tags: string;
  createdAt: number;
  updatedAt: number;
  accessCount: number;
  /** When recall last returned it; null if never. */
  lastAccessed: number | null;
}

/** The longest key and content a memory may have; longer input is refused with a message that says so. */
export const MAX_KEY_LENGTH = 200;
export const MAX_CONTENT_LENGTH = 20_000;
export const MAX_TAGS_LENGTH = 500;

/** How many memories a recall returns at most. */
export const RECALL_LIMIT = 20;
/** Reciprocal rank fusion's constant: a memory ranked r in a list adds 1 / (RRF_K + r). */
export const RRF_K = 60;
/** How deep each ranked list is read before fusion. */
const CANDIDATES = 100;
/**
 * How many (memory, word) matches a recall ranks by BM25 at most. Ranking costs time in proportion to them: with
 * 100,000 memories a word every other memory holds would cost ~50 ms, and its BM25 weight is near nothing anyway.
 */
export const RANKED_MATCHES = 4000;
/** When even the query's rarest word is in more memories than that, the newest this many of them are ranked. */
export const NEWEST_MATCHES = 2000;
/**
 * A word is matched as a prefix ("birth" finds "birthday") unless more index terms than this begin with it: a
 * prefix that broad ("ka") finds a little of everything, and merging that many terms costs more than ranking.
 */
const PREFIX_TERMS = 64;

/** The tokenizer of the memories' full-text index; the query's words are stemmed with the same one. */
const TOKENIZE = "tokenize = 'porter unicode61 remove_diacritics 2'";
/** The ranking: a word in the key weighs most, then in the tags, then in the content. */
const BM25 = 'bm25(memories_fts, 4.0, 1.0, 2.0)';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS memories (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  key TEXT UNIQUE NOT NULL,
  content TEXT NOT NULL,
  tags TEXT NOT NULL DEFAULT '',
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  access_count INTEGER NOT NULL DEFAULT 0,
  last_accessed INTEGER,
  embedding BLOB
);
CREATE INDEX IF NOT EXISTS memories_updated ON memories (updated_at);
CREATE VIRTUAL TABLE IF NOT EXISTS memories_fts USING fts5(
  key, content, tags, content = 'memories', content_rowid = 'id', ${TOKENIZE}
);
CREATE TRIGGER IF NOT EXISTS memories_ai AFTER INSERT ON memories BEGIN
  INSERT INTO memories_fts (rowid, key, content, tags) VALUES (new.id, new.key, new.content, new.tags);
END;
CREATE TRIGGER IF NOT EXISTS memories_ad AFTER DELETE ON memories BEGIN
  INSERT INTO memories_fts (memories_fts, rowid, key, content, tags) VALUES ('delete', old.id, old.key, old.content, old.tags);
END;
CREATE TRIGGER IF NOT EXISTS memories_au AFTER UPDATE OF key, content, tags ON memories BEGIN
  INSERT INTO memories_fts (memories_fts, rowid, key, content, tags) VALUES ('delete', old.id, old.key, old.content, old.tags);
  INSERT INTO memories_fts (rowid, key, content, tags) VALUES (new.id, new.key, new.content, new.tags);
END;
`;

/**
 * Tables of this connection only (never in the file): the index's term counts, and a scratch index in which the
 * query's words are stemmed exactly as the memories were, so their counts can be looked up.
 */
const SEARCH_HELPERS = `
CREATE VIRTUAL TABLE IF NOT EXISTS temp.memories_terms USING fts5vocab(main, memories_fts, 'row');
CREATE VIRTUAL TABLE IF NOT EXISTS temp.query_words USING fts5(word, ${TOKENIZE});
CREATE VIRTUAL TABLE IF NOT EXISTS temp.query_terms USING fts5vocab(temp, query_words, 'instance');
`;

interface Row {
  id: number;
  key: string;
  content: string;
  tags: string;
  created_at: number;
  updated_at: number;
  access_count: number;
  last_accessed: number | null;
}

const COLUMNS = 'id, key, content, tags, created_at, updated_at, access_count, last_accessed';

function toMemory(row: Row): Memory {
  return {
    key: row.key,
    content: row.content,
    tags: row.tags,
    createdAt: Number(row.created_at),
    updatedAt: Number(row.updated_at),
    accessCount: Number(row.access_count),
    lastAccessed: row.last_accessed === null ? null : Number(row.last_accessed),
  };
}

/** Tags as stored: trimmed, empty ones dropped, joined by ", ". */
export function cleanTags(tags: string): string {
  return tags
    .split(',')
    .map((tag) => tag.trim())
    .filter((tag) => tag !== '')
    .join(', ');
}

/** What is wrong with a memory about to be stored, or null. */
export function memoryProblem(key: string, content: string, tags: string): string | null {
  if (key.trim() === '') return 'the key is empty; give the memory a short name such as "favourite-coffee"';
  if (key.length > MAX_KEY_LENGTH)
    return `the key is ${key.length} characters long; at most ${MAX_KEY_LENGTH} are allowed`;
  if (content.trim() === '') return 'the content is empty; say what to remember';
  if (content.length > MAX_CONTENT_LENGTH) {
    return `the content is ${content.length} characters long; at most ${MAX_CONTENT_LENGTH} are allowed (split it into several memories)`;
  }
  if (tags.length > MAX_TAGS_LENGTH)
    return `the tags are ${tags.length} characters long; at most ${MAX_TAGS_LENGTH} are allowed`;
  return null;
}

/** Fuses ranked lists of ids by reciprocal rank (k = RRF_K): the best fused first, ties kept in first-seen order. */
export function fuseRanks(lists: number[][]): number[] {
  const scores = new Map<number, number>();
  for (const list of lists) {
    list.forEach((id, index) => {
      scores.set(id, (scores.get(id) ?? 0) + 1 / (RRF_K + index + 1));
    });
  }
  return [...scores.entries()].sort((a, b) => b[1] - a[1]).map(([id]) => id);
}

function dot(a: Float32Array, b: Float32Array): number {
  let sum = 0;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) sum += (a[i] as number) * (b[i] as number);
  return sum;
}

function vectorOf(blob: Uint8Array): Float32Array {
  // A copy: the blob's buffer may be shared and not aligned for floats.
  return new Float32Array(new Uint8Array(blob).buffer);
}

/** Where the store says what happened to its embedder; never a memory's content. */
export type MemoryLog = (line: string) => void;

/** One agent's memories. */
export class MemoryStore {
  private embedder: Embedder | null;
  /** Memories whose vector is being computed, so a backfill does not embed them twice. */
  private embedding = new Set<number>();
  /** Embeddings started by `store` and not yet finished. */
  private inFlight = new Set<Promise<void>>();

  constructor(
    private readonly db: SqliteDatabase,
    embedder: Embedder | null,
    private readonly log: MemoryLog,
    private readonly now: () => number = Date.now,
  ) {
    // As the gateway's own database: WAL, and a commit survives the process (not a power cut) without an fsync each.
    db.exec('PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA busy_timeout = 5000;');
    db.exec(SCHEMA);
    db.exec(SEARCH_HELPERS);
    this.embedder = embedder;
    if (!embedder) log('memory: no embedding source configured; recall uses full-text search alone');
  }

  /** Stores a memory under `key`, replacing one stored under the same key; says which it was. */
  store(key: string, content: string, tags = ''): { created: boolean } {
    const problem = memoryProblem(key, content, tags);
    if (problem) throw new Error(problem);
    const name = key.trim();
    const now = this.now();
    const existing = this.db.prepare('SELECT id FROM memories WHERE key = ?').get(name) as
      | { id: number }
      | undefined;
    if (existing) {
      this.db
        .prepare('UPDATE memories SET content = ?, tags = ?, updated_at = ?, embedding = NULL WHERE id = ?')
        .run(content, cleanTags(tags), now, existing.id);
    } else {
      this.db
        .prepare('INSERT INTO memories (key, content, tags, created_at, updated_at) VALUES (?, ?, ?, ?, ?)')
        .run(name, content, cleanTags(tags), now, now);
    }
    const id =
      existing?.id ??
      (this.db.prepare('SELECT id FROM memories WHERE key = ?').get(name) as { id: number }).id;
    const work = this.embedRows([id]);
    this.inFlight.add(work);
    void work.finally(() => this.inFlight.delete(work));
    return { created: !existing };
  }

  /** The memory stored under `key`, or null. */
  get(key: string): Memory | null {
    const row = this.db.prepare(`SELECT ${COLUMNS} FROM memories WHERE key = ?`).get(key.trim()) as
      | Row
      | undefined;
    return row ? toMemory(row) : null;
  }

  /** The memories, the most recently changed first; the `limit` newest when given. */
  list(limit?: number): Memory[] {
    const newest = `SELECT ${COLUMNS} FROM memories ORDER BY updated_at DESC, id DESC`;
    const rows =
      limit === undefined ? this.db.prepare(newest).all() : this.db.prepare(`${newest} LIMIT ?`).all(limit);
    return (rows as Row[]).map(toMemory);
  }

  /** How many memories there are. */
  count(): number {
    return Number((this.db.prepare('SELECT count(*) AS n FROM memories').get() as { n: number }).n);
  }

  /** Deletes the memory stored under exactly `key`; false when there was none. */
  delete(key: string): boolean {
    return Number(this.db.prepare('DELETE FROM memories WHERE key = ?').run(key.trim()).changes) > 0;
  }

  /** Deletes every memory that contains all the words of `query` (as full-text search matches them); returns how many. */
  forget(query: string): number {
    const ids = this.textRanking(query, Number.MAX_SAFE_INTEGER, 'all');
    const remove = this.db.prepare('DELETE FROM memories WHERE id = ?');
    this.db.exec('BEGIN');
    try {
      for (const id of ids) remove.run(id);
      this.db.exec('COMMIT');
    } catch (err) {
      this.db.exec('ROLLBACK');
      throw err;
    }
    return ids.length;
  }

  /**
   * The memories that best match `query`, best first. `touch` counts the recall as a use (explicit recalls do; the
   * memories offered with each turn do not, or every message would inflate them).
   */
  async recall(query: string, opts: { limit?: number; touch?: boolean } = {}): Promise<Memory[]> {
    const limit = opts.limit ?? RECALL_LIMIT;
    const vectors = await this.vectorRanking(query);
    // Fusion reads deeper into the text ranking; alone, its top `limit` is the answer.
    const lists = [this.textRanking(query, vectors.length > 0 ? CANDIDATES : limit)];
    if (vectors.length > 0) lists.push(vectors);
    const ids = fuseRanks(lists).slice(0, limit);
    const select = this.db.prepare(`SELECT ${COLUMNS} FROM memories WHERE id = ?`);
    const rows = ids
      .map((id) => select.get(id) as Row | undefined)
      .filter((row): row is Row => row !== undefined);
    if (opts.touch ?? true) {
      const now = this.now();
      const touch = this.db.prepare(
        'UPDATE memories SET access_count = access_count + 1, last_accessed = ? WHERE id = ?',
      );
      // One transaction for all, not one commit per memory.
      this.db.exec('BEGIN');
      try {
        for (const row of rows) touch.run(now, row.id);
        this.db.exec('COMMIT');
      } catch (err) {
        this.db.exec('ROLLBACK');
        throw err;
      }
      for (const row of rows) {
        row.access_count += 1;
        row.last_accessed = now;
      }
    }
    return rows.map(toMemory);
  }

  /** Computes the vectors memories lack (stored before an embedder was configured, or when it failed). */
  async backfill(): Promise<void> {
    if (!this.embedder) return;
    await Promise.all(this.inFlight);
    const ids = (
      this.db.prepare('SELECT id FROM memories WHERE embedding IS NULL').all() as { id: number }[]
    ).map((row) => row.id);
    for (let at = 0; at < ids.length && this.embedder; at += 32) await this.embedRows(ids.slice(at, at + 32));
  }

  /** Closes the database. */
  close(): void {
    this.db.close();
  }

  private textRanking(query: string, limit: number, words: 'any' | 'all' = 'any'): number[] {
    if (words === 'all') {
      // Forgetting must find every memory it deletes, so it is never bounded.
      const match = ftsQuery(query, 'all');
      return match === null ? [] : this.ranked(match, limit);
    }
    const plan = this.searchPlan(ftsWords(query));
    if (plan === null) return [];
    return plan.newest ? this.rankedNewest(plan.match, limit) : this.ranked(plan.match, limit);
  }

  /** Ids of the memories matching `match`, best BM25 first. */
  private ranked(match: string, limit: number): number[] {
    return (
      this.db
        .prepare(`SELECT rowid AS id FROM memories_fts WHERE memories_fts MATCH ? ORDER BY ${BM25} LIMIT ?`)
        .all(match, limit) as { id: number }[]
    ).map((row) => Number(row.id));
  }

  /** As `ranked`, among the newest NEWEST_MATCHES memories matching `match` only: FTS5 streams those without sorting. */
  private rankedNewest(match: string, limit: number): number[] {
    return (
      this.db
        .prepare(
          `SELECT id FROM (SELECT rowid AS id, ${BM25} AS score FROM memories_fts WHERE memories_fts MATCH ? ORDER BY rowid DESC LIMIT ?) ORDER BY score LIMIT ?`,
        )
        .all(match, NEWEST_MATCHES, limit) as { id: number }[]
    ).map((row) => Number(row.id));
  }

  /**
   * What a recall searches so that BM25 ranks at most RANKED_MATCHES matches: the query's rarest words, while their
   * matches fit (a word more memories hold weighs less in BM25, so leaving it out changes the ranking least). When
   * even the rarest word has more, it is searched among the newest memories that hold it.
   */
  private searchPlan(words: string[]): { match: string; newest: boolean } | null {
    if (words.length === 0) return null;
    const byRarity = this.wordSearches(words).sort((a, b) => a.matches - b.matches);
    const kept: string[] = [];
    let total = 0;
    for (const { phrase, matches } of byRarity) {
      if (kept.length > 0 && total + matches > RANKED_MATCHES) break;
      kept.push(phrase);
      total += matches;
    }
    return { match: kept.join(' OR '), newest: total > RANKED_MATCHES };
  }

  /**
   * Each word's FTS5 phrase (a prefix unless that is too broad) and about how many memories it matches: the sum
   * over the index terms it covers, looked up by the word's stem (a memory holding two such terms counts twice,
   * which errs on the side of caution).
   */
  private wordSearches(words: string[]): { phrase: string; matches: number }[] {
    this.db.exec('DELETE FROM temp.query_words');
    const add = this.db.prepare('INSERT INTO temp.query_words (rowid, word) VALUES (?, ?)');
    words.forEach((word, i) => {
      add.run(i + 1, word);
    });
    const stems = new Map(
      (
        this.db.prepare('SELECT doc AS n, term FROM temp.query_terms').all() as { n: number; term: string }[]
      ).map((row) => [Number(row.n) - 1, row.term]),
    );
    const covered = this.db.prepare(
      `SELECT count(*) AS terms, coalesce(sum(doc), 0) AS n FROM (SELECT doc FROM temp.memories_terms WHERE term >= ? AND term < ? || char(1114111) LIMIT ${PREFIX_TERMS + 1})`,
    );
    const exact = this.db.prepare('SELECT doc AS n FROM temp.memories_terms WHERE term = ?');
    return words.map((word, i) => {
      const stem = stems.get(i);
      if (stem === undefined) return { phrase: `"${word}"*`, matches: 0 };
      const itself = Number((exact.get(stem) as { n: number } | undefined)?.n ?? 0);
      // A word that is common itself gains nothing from its longer forms, and is searched faster without them.
      if (itself > RANKED_MATCHES) return { phrase: `"${word}"`, matches: itself };
      const prefix = covered.get(stem, stem) as { terms: number; n: number };
      if (Number(prefix.terms) <= PREFIX_TERMS) return { phrase: `"${word}"*`, matches: Number(prefix.n) };
      return { phrase: `"${word}"`, matches: itself };
    });
  }

  private async vectorRanking(query: string): Promise<number[]> {
    const embedder = this.embedder;
    if (!embedder || query.trim() === '') return [];
    const rows = this.db.prepare('SELECT id, embedding FROM memories WHERE embedding IS NOT NULL').all() as {
      id: number;
      embedding: Uint8Array;
    }[];
    // Nothing to compare with: the query is not embedded (which would load a local model for nothing).
    if (rows.length === 0) return [];
    let target: Float32Array;
    try {
      [target] = (await embedder.embed([query])) as [Float32Array];
    } catch (err) {
      if (!this.givenUp(embedder, err))
        this.log(`memory: could not embed a query, so recall uses full-text search alone: ${messageOf(err)}`);
      return [];
    }
    return rows
      .map((row) => ({ id: Number(row.id), score: dot(target, vectorOf(row.embedding)) }))
      .sort((a, b) => b.score - a.score)
      .slice(0, CANDIDATES)
      .map((row) => row.id);
  }

  /**
   * Whether `err` says the embedder will never work: then it is dropped for the rest of the process, said in one log
   * line however many embeddings were waiting for it, and memories are found by full-text search alone.
   */
  private givenUp(embedder: Embedder, err: unknown): boolean {
    if (!(err instanceof EmbedderUnavailable)) return false;
    if (this.embedder === embedder) {
      this.embedder = null;
      this.log(`memory: ${err.message}; memories are found by full-text search alone from now on`);
    }
    return true;
  }

  /** Embeds the given memories; a failure is logged and leaves them to full-text search (and the next backfill). */
  private async embedRows(ids: number[]): Promise<void> {
    const embedder = this.embedder;
    const todo = ids.filter((id) => !this.embedding.has(id));
    if (!embedder || todo.length === 0) return;
    for (const id of todo) this.embedding.add(id);
    try {
      const select = this.db.prepare('SELECT id, key, tags, content, updated_at FROM memories WHERE id = ?');
      const rows = todo
        .map(
          (id) =>
            select.get(id) as
              | { id: number; key: string; tags: string; content: string; updated_at: number }
              | undefined,
        )
        .filter((row) => row !== undefined);
      if (rows.length === 0) return;
      const vectors = await embedder.embed(rows.map((row) => `${row.key} ${row.tags} ${row.content}`));
      // Only a memory unchanged since it was read gets the vector: a newer store computes its own.
      const save = this.db.prepare('UPDATE memories SET embedding = ? WHERE id = ? AND updated_at = ?');
      rows.forEach((row, i) => {
        const vector = vectors[i] as Float32Array;
        save.run(Buffer.from(vector.buffer, vector.byteOffset, vector.byteLength), row.id, row.updated_at);
      });
    } catch (err) {
      if (!this.givenUp(embedder, err))
        this.log(
          `memory: could not compute embeddings, the memories stay findable by text: ${messageOf(err)}`,
        );
    } finally {
      for (const id of todo) this.embedding.delete(id);
    }
  }
}
