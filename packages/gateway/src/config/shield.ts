/**
 * The original expanded the raw text before parsing, so `web: { port: ${PORT} }` worked there, although `{`
 * and `}` are syntax inside a YAML flow collection. To read such files unchanged, references are swapped for
 * placeholders that YAML reads as plain text, and swapped back into every scalar after parsing. Expansion itself
 * still happens later, on the values.
 */
import { REFERENCE } from './expand.js';

const ALL_REFERENCES = new RegExp(REFERENCE.source, 'g');

/** Private-use characters: plain text to YAML, and never typed by anyone writing a config. */
const OPEN = '\uE000';
const CLOSE = '\uE001';
const PLACEHOLDER = new RegExp(`${OPEN}(\\d+)${CLOSE}`, 'g');

/** A config text with its references shielded, and the ways back to the original. */
export interface Shielded {
  text: string;
  /** Puts the original references back into a string taken from the shielded text. */
  restore: (value: string) => string;
  /** Maps an offset in the shielded text to the same place in the original text (for error positions). */
  originalOffset: (offset: number) => number;
}

/** Replaces every `${NAME}` and `${NAME:-fallback}` in `text` with a placeholder. */
export function shieldReferences(text: string): Shielded {
  const references: string[] = [];
  // After each placeholder: where it ends in the shielded text, and how much shorter the text is up to there.
  const shifts: { end: number; shortenedBy: number }[] = [];
  let shielded = '';
  let copied = 0;
  for (const match of text.includes(OPEN) ? [] : text.matchAll(ALL_REFERENCES)) {
    const placeholder = `${OPEN}${references.length}${CLOSE}`;
    references.push(match[0]);
    shielded += text.slice(copied, match.index) + placeholder;
    copied = match.index + match[0].length;
    shifts.push({ end: shielded.length, shortenedBy: copied - shielded.length });
  }
  shielded += text.slice(copied);
  return {
    text: shielded,
    restore: (value) =>
      value.replace(PLACEHOLDER, (placeholder, index) => references[Number(index)] ?? placeholder),
    originalOffset: (offset) => offset + (shifts.findLast((shift) => shift.end <= offset)?.shortenedBy ?? 0),
  };
}
