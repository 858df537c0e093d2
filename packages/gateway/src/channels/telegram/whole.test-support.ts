/**
 * A check the formatter's tests share (kept out of the build: see tsconfig.json).
 */

/**
 * Whether `whole` is the parts in order with only whitespace before, between
 * and after them. A part that has a non-space character can only sit at one
 * place after a stretch of whitespace, so a single left-to-right pass decides it.
 */
export function isWholeUpToWhitespace(whole: string, parts: readonly string[]): boolean {
  let at = 0;
  for (const part of parts) {
    if (part.trim() === '') continue;
    let spaceEnd = at;
    while (spaceEnd < whole.length && /\s/.test(whole.charAt(spaceEnd))) spaceEnd++;
    const from = spaceEnd - (part.length - part.trimStart().length);
    if (from < at || !whole.startsWith(part, from)) return false;
    at = from + part.length;
  }
  return whole.slice(at).trim() === '';
}
