import { graphemes } from './graphemes.js';
import type { Run } from './rich.js';

/** The smallest limit the chunker accepts: room for a few graphemes beside a quote bar. */
export const MIN_CHUNK_LIMIT = 8;

/**
 * The smallest piece a cut never enters: normally a grapheme (so emoji ZWJ
 * sequences, flags and skin tones stay whole), or a single code point of a
 * grapheme too long to fit a chunk comfortably.
 */
interface Unit {
  readonly run: number;
  readonly from: number;
  readonly to: number;
  readonly htmlLength: number;
  readonly plainLength: number;
  /** Visible whitespace a cut may consume. */
  readonly space: 'newline' | 'blank' | undefined;
  readonly inPre: boolean;
  /** Whether a cut just before this unit would part plain-only text from the text it belongs to. */
  readonly glued: boolean;
}

interface Cut {
  /** Where the chunk ends. */
  readonly end: number;
  /** Where the next chunk starts; the whitespace between the two is the separator the cut consumes. */
  readonly next: number;
}

/**
 * Where a cut may fall, best first: between paragraphs, at a line break outside
 * code, at a line break inside code, at a space outside code, at a space inside
 * code (kept, not consumed, as it may matter), and anywhere between units.
 */
const Rank = { Paragraph: 0, Line: 1, CodeLine: 2, Space: 3, CodeSpace: 4, Anywhere: 5 } as const;
type Rank = (typeof Rank)[keyof typeof Rank];

function whitespace(piece: string): Unit['space'] {
  if (piece === '\n') return 'newline';
  return piece === ' ' || piece === '\t' ? 'blank' : undefined;
}

function toUnits(runs: readonly Run[], limit: number): Unit[] {
  const longestUnit = Math.floor(limit / 4);
  const units: Unit[] = [];
  runs.forEach((run, index) => {
    const inPre = run.marks.some((mark) => mark.kind === 'pre');
    const previous = runs[index - 1];
    let from = 0;
    for (const segment of graphemes(run.text)) {
      const pieces = segment.length > longestUnit ? Array.from(segment) : [segment];
      for (const piece of pieces) {
        const first = from === 0;
        units.push({
          run: index,
          from,
          to: from + piece.length,
          htmlLength: run.plainOnly ? 0 : piece.length,
          plainLength: piece.length,
          space: run.plainOnly ? undefined : whitespace(piece),
          inPre,
          glued:
            run.plainOnly === 'trailing' ||
            (run.plainOnly === 'leading' && !first) ||
            (first && previous?.plainOnly === 'leading'),
        });
        from += piece.length;
      }
    }
  });
  return units;
}

/** The end of the longest stretch from `start` whose visible and plain texts both fit in `limit`. */
function fittingEnd(units: readonly Unit[], start: number, limit: number): number {
  let html = 0;
  let plain = 0;
  let end = start;
  for (; end < units.length; end++) {
    const unit = units[end] as Unit;
    html += unit.htmlLength;
    plain += unit.plainLength;
    if (html > limit || plain > limit) break;
  }
  return end;
}

/** The separator whitespace starting at `at`, and how good a place it is to cut. */
function separatorAt(units: readonly Unit[], at: number): { next: number; rank: Rank } {
  const inPre = (units[at] as Unit).inPre;
  let newlines = 0;
  let afterLastNewline = at;
  let end = at;
  for (; end < units.length; end++) {
    const unit = units[end] as Unit;
    if (unit.space === undefined || unit.inPre !== inPre) break;
    if (unit.space === 'newline') {
      newlines++;
      afterLastNewline = end + 1;
    }
  }
  // Indentation after the last line break stays with the next chunk: it is part of what follows.
  if (newlines === 0) return inPre ? { next: at, rank: Rank.CodeSpace } : { next: end, rank: Rank.Space };
  if (inPre) return { next: afterLastNewline, rank: Rank.CodeLine };
  return { next: afterLastNewline, rank: newlines > 1 ? Rank.Paragraph : Rank.Line };
}

/** The best cut for a chunk starting at `start` that must end by `limitEnd`. */
function bestCut(units: readonly Unit[], start: number, limitEnd: number): Cut {
  const cuttable = (at: number) => at >= units.length || !(units[at] as Unit).glued;
  const best: (Cut | undefined)[] = [];
  for (let end = start + 1; end <= limitEnd; end++) {
    if (!cuttable(end)) continue;
    best[Rank.Anywhere] = { end, next: end };
    const unit = units[end];
    const before = units[end - 1] as Unit;
    if (!unit?.space || (before.space !== undefined && before.inPre === unit.inPre)) continue;
    const { next, rank } = separatorAt(units, end);
    if (cuttable(next)) best[rank] = { end, next };
  }
  // Glued stretches are shorter than the limit, so some cut always exists; the fallback only guards termination.
  return best.find((cut) => cut !== undefined) ?? { end: limitEnd, next: limitEnd };
}

function toRuns(runs: readonly Run[], units: readonly Unit[], from: number, to: number): Run[] {
  const pieces: Run[] = [];
  let index = from;
  while (index < to) {
    const first = units[index] as Unit;
    let last = first;
    while (index < to && (units[index] as Unit).run === first.run) last = units[index++] as Unit;
    const run = runs[first.run] as Run;
    pieces.push({ ...run, text: run.text.slice(first.from, last.to) });
  }
  return pieces;
}

/**
 * Splits runs into chunks whose visible text and plain text each fit in `limit`
 * UTF-16 code units. Cuts prefer paragraph breaks, then line breaks, then
 * spaces, and only then fall between graphemes (or, for a grapheme that alone
 * is over a quarter of the limit, between its code points); a cut at whitespace
 * consumes that whitespace, except indentation and spaces inside code. A code
 * block that fits in a chunk is therefore never cut, since the breaks around it
 * outrank the ones inside it. Plain-only text longer than half the limit is
 * left out, because it could not be kept beside the text it belongs to.
 */
export function splitRuns(runs: readonly Run[], limit: number): Run[][] {
  if (!Number.isInteger(limit) || limit < MIN_CHUNK_LIMIT) {
    throw new RangeError(`chunk limit must be an integer of at least ${MIN_CHUNK_LIMIT}, got ${limit}`);
  }
  const kept = runs.filter((run) => !run.plainOnly || run.text.length <= limit / 2);
  const units = toUnits(kept, limit);
  const chunks: Run[][] = [];
  let start = 0;
  while (start < units.length) {
    const limitEnd = fittingEnd(units, start, limit);
    const cut =
      limitEnd === units.length ? { end: limitEnd, next: limitEnd } : bestCut(units, start, limitEnd);
    chunks.push(toRuns(kept, units, start, cut.end));
    start = cut.next;
  }
  return chunks;
}
