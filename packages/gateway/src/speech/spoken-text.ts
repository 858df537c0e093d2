/**
 * What of an answer is read aloud: its words without Markdown's marks (which a speech engine would spell out), and
 * no more than a listener wants to hear; the written answer always goes too.
 */

/** OpenAI's speech endpoint takes at most 4096 characters; a voice message longer than that is a lecture anyway. */
export const MAX_SPOKEN_CHARS = 4000;

/** `markdown` as plain sentences to speak, cut at a sentence end within {@link MAX_SPOKEN_CHARS}. */
export function spokenText(markdown: string): string {
  const plain = markdown
    .replace(/```[\s\S]*?```/g, ' ')
    .replace(/!\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/\[([^\]]+)\]\([^)]*\)/g, '$1')
    .replace(/^\s{0,3}(#{1,6}|>|[-*+]|\d+[.)])\s+/gm, '')
    .replace(/[*_`~|]+/g, '')
    .replace(/[ \t]+/g, ' ')
    .replace(/^ | $/gm, '')
    .replace(/\n{2,}/g, '\n')
    .trim();
  if (plain.length <= MAX_SPOKEN_CHARS) return plain;
  const head = plain.slice(0, MAX_SPOKEN_CHARS);
  const end = Math.max(
    head.lastIndexOf('. '),
    head.lastIndexOf('.\n'),
    head.lastIndexOf('? '),
    head.lastIndexOf('! '),
  );
  return end > MAX_SPOKEN_CHARS / 2 ? head.slice(0, end + 1) : head;
}
