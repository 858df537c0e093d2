/**
 * Used by agents' memories (in the runner) and by history search (in the gateway). Turns whatever a person or a
 * model typed into an FTS5 query that cannot be a syntax error: its words, each quoted
 * (so `AND`, `NEAR`, `*`, `"` and `:` are plain text) and matched as a prefix. BM25 then ranks the memories that
 * share more, and rarer, words first.
 */

/** At most this many words are searched for; a longer query is cut rather than slowed down. */
export const MAX_QUERY_WORDS = 32;

const WORD = /[\p{L}\p{N}]+/gu;

/**
 * English words so common that nearly every memory holds them: searching for them finds everything and ranks
 * nothing, and makes a search over many memories slow. They are left out unless the query has nothing else.
 */
const STOPWORDS = new Set(
  (
    'a an and are as at be but by can did do does for from had has have he her his how i if in into is it its me my ' +
    'no not of on or our she so than that the their them then there these they this to too us was we were what ' +
    'when where which who why will with would you your'
  ).split(' '),
);

/**
 * The words of `text` a search looks for: lowercased, each once, at most MAX_QUERY_WORDS, the common English words
 * left out unless there is nothing else. Empty when `text` has no word.
 */
export function ftsWords(text: string): string[] {
  const all = [
    ...new Set((text.normalize('NFKC').toLowerCase().match(WORD) ?? []).slice(0, 4 * MAX_QUERY_WORDS)),
  ];
  const telling = all.filter((word) => !STOPWORDS.has(word));
  return (telling.length > 0 ? telling : all).slice(0, MAX_QUERY_WORDS);
}

/**
 * The FTS5 MATCH expression for `text`, or null when it has no word to search for. `any` (recall) ranks memories
 * with some of the words; `all` (forget) insists on every word, so forgetting "my dentist" spares every other "my".
 */
export function ftsQuery(text: string, match: 'any' | 'all' = 'any'): string | null {
  const words = ftsWords(text);
  if (words.length === 0) return null;
  return words.map((word) => `"${word}"*`).join(match === 'any' ? ' OR ' : ' AND ');
}
