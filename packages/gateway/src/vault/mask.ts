/**
 * Finding secret values in text and masking them, in one piece or as a stream of pieces. Used for what agents
 * write (the redactor) and for every log line.
 */

/** What a masked value is replaced with. */
export const MASK = '[REDACTED]';

/**
 * Values shorter than this are not masked: masking every "abc" in every answer would wreck the text, and a value
 * so short is not a secret anyone can keep. `praktor vault set` warns about such values.
 */
export const MIN_MASKED_LENGTH = 4;

/** A line of a multi-line value is masked on its own when it has at least this many characters. */
const MIN_LINE_LENGTH = 8;

/**
 * The texts to look for when `values` must not be shown: each value as it is; without the whitespace around it
 * (a file usually ends with a newline the model leaves out); and each long enough line of a multi-line value (an
 * answer may quote a key file line by line). Longest first, so the longest match wins.
 */
export function patternsOf(values: Iterable<string>): string[] {
  const patterns = new Set<string>();
  const add = (text: string, min: number) => {
    if (text.length >= min) patterns.add(text);
  };
  for (const value of values) {
    add(value, MIN_MASKED_LENGTH);
    add(value.trim(), MIN_MASKED_LENGTH);
    const lines = value.split(/\r?\n/);
    if (lines.length > 1) for (const line of lines) add(line.trim(), MIN_LINE_LENGTH);
  }
  return [...patterns].sort((a, b) => b.length - a.length);
}

/** Masks a fixed set of patterns. */
export class Masker {
  /** Patterns by their first character, longest first. */
  private readonly byFirst = new Map<string, string[]>();
  /** The longest pattern's length. */
  readonly longest: number;

  /**
   * `patterns` must come from {@link patternsOf} (or be sorted longest first). `accept` may refuse a match at an
   * index (used for JSON log lines, where a match right after a backslash would break an escape sequence).
   */
  constructor(
    patterns: readonly string[],
    private readonly accept: (text: string, index: number) => boolean = () => true,
  ) {
    for (const pattern of patterns) {
      const first = pattern[0] as string;
      const list = this.byFirst.get(first);
      if (list) list.push(pattern);
      else this.byFirst.set(first, [pattern]);
    }
    this.longest = patterns.reduce((max, p) => Math.max(max, p.length), 0);
  }

  /** Whether there is nothing to mask. */
  get empty(): boolean {
    return this.longest === 0;
  }

  /** `text` with every occurrence of every pattern masked. */
  text(text: string): string {
    return this.empty ? text : this.scan(text, true).shown;
  }

  /** A masker for one stream of pieces. */
  stream(): { push(piece: string): string; end(): string } {
    let held = '';
    return {
      push: (piece) => {
        if (this.empty) return piece;
        const { shown, rest } = this.scan(held + piece, false);
        held = rest;
        return shown;
      },
      end: () => {
        const { shown } = this.scan(held, true);
        held = '';
        return shown;
      },
    };
  }

  /**
   * Masks `text` from the start. Unless `final`, stops at the first place where a pattern begins but the text
   * ends before it could be told apart (at most `longest - 1` characters): that tail is returned as `rest`, to be
   * scanned again with the next piece.
   */
  private scan(text: string, final: boolean): { shown: string; rest: string } {
    let shown = '';
    let plainFrom = 0;
    let i = 0;
    while (i < text.length) {
      const candidates = this.byFirst.get(text[i] as string);
      if (candidates && this.accept(text, i)) {
        const remaining = text.length - i;
        if (!final && candidates.some((p) => p.length > remaining && p.startsWith(text.slice(i)))) {
          return { shown: shown + text.slice(plainFrom, i), rest: text.slice(i) };
        }
        const match = candidates.find((p) => p.length <= remaining && text.startsWith(p, i));
        if (match) {
          shown += text.slice(plainFrom, i) + MASK;
          i += match.length;
          plainFrom = i;
          continue;
        }
      }
      i += 1;
    }
    return { shown: shown + text.slice(plainFrom), rest: '' };
  }
}
