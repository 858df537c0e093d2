const segmenter = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

/** How much text is segmented at once; V8's segmenter slows down quadratically on long strings. */
const WINDOW = 256;

/**
 * Splits text into grapheme clusters (what a reader sees as one character: an
 * emoji ZWJ sequence, a flag, a letter with its accents) in time linear in the
 * text. It segments a window at a time and keeps all but the window's last
 * cluster, which the window's end may have cut short. Whether a boundary falls
 * before a code point depends only on that code point and the text before it,
 * so the result equals segmenting the whole text at once.
 */
export function graphemes(text: string): string[] {
  const clusters: string[] = [];
  let start = 0;
  let window = WINDOW;
  while (start < text.length) {
    let end = start + window;
    // A window must not end between the halves of a surrogate pair, which would segment apart.
    const last = text.charCodeAt(end - 1);
    if (last >= 0xd800 && last <= 0xdbff) end++;
    const pieces = Array.from(segmenter.segment(text.slice(start, end)), ({ segment }) => segment);
    if (end >= text.length) {
      clusters.push(...pieces);
      break;
    }
    if (pieces.length < 2) {
      window *= 2;
      continue;
    }
    for (const piece of pieces.slice(0, -1)) {
      clusters.push(piece);
      start += piece.length;
    }
    window = WINDOW;
  }
  return clusters;
}
