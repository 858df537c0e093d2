import Database from 'better-sqlite3';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ftsQuery, MAX_QUERY_WORDS } from './fts-query.js';

describe('ftsQuery', () => {
  const db = new Database(':memory:');
  db.exec("CREATE VIRTUAL TABLE t USING fts5(body, tokenize = 'porter unicode61 remove_diacritics 2')");
  db.exec("INSERT INTO t (body) VALUES ('the user runs every morning'), ('AND OR NOT NEAR are words')");
  const search = db.prepare('SELECT rowid FROM t WHERE t MATCH ? ORDER BY bm25(t)');

  it('quotes each word and matches it as a prefix, any word sufficing', () => {
    expect(ftsQuery('Running late')).toBe('"running"* OR "late"*');
  });

  it('insists on every word when asked to', () => {
    expect(ftsQuery('dentist appointment', 'all')).toBe('"dentist"* AND "appointment"*');
  });

  it('leaves out words nearly every text holds, unless there is nothing else', () => {
    expect(ftsQuery('where is my bike?')).toBe('"bike"*');
    expect(ftsQuery('is it?')).toBe('"is"* OR "it"*');
  });

  it('has no query for text without words', () => {
    expect(ftsQuery('')).toBeNull();
    expect(ftsQuery(' "*^:() ')).toBeNull();
  });

  it('keeps operators as words', () => {
    expect(search.all(ftsQuery('NEAR(')).length).toBe(1);
  });

  it('searches at most MAX_QUERY_WORDS words', () => {
    const query = ftsQuery(Array.from({ length: 100 }, (_, i) => `w${i}`).join(' ')) ?? '';
    expect(query.split(' OR ')).toHaveLength(MAX_QUERY_WORDS);
  });

  it('gives SQLite a valid query for any string whatsoever', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string(),
          fc.string({ unit: 'grapheme' }),
          fc.string({ unit: 'binary' }),
          fc.stringMatching(/^[\s"*():^+\-{}[\]ANDORNEAT]{0,30}$/),
        ),
        fc.constantFrom('any' as const, 'all' as const),
        (text, words) => {
          const query = ftsQuery(text, words);
          if (query !== null) expect(() => search.all(query)).not.toThrow();
        },
      ),
      { numRuns: 2000 },
    );
  });
});
