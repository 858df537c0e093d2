/**
 * The rich-text model between Markdown and Telegram: a flat list of runs, each
 * carrying the Telegram entities (marks) that wrap it. Flat runs let the chunker
 * cut anywhere and let each chunk reopen its own tags, so chunks stay well-formed.
 */

/** A Telegram entity wrapping part of a message; `pre` may name the code's language. */
export type Mark =
  | { readonly kind: 'b' | 'i' | 's' | 'code' | 'blockquote' }
  | { readonly kind: 'a'; readonly href: string }
  | { readonly kind: 'pre'; readonly language: string | undefined };

/**
 * A stretch of text under the same marks, outermost mark first.
 * `plainOnly` runs appear only in the plain-text fallback: a `trailing` one
 * annotates the visible text right before it, which ends in something other
 * than whitespace (a link's URL after its label); a `leading` one introduces
 * the text after it (a quote bar). A cut never separates either from that text.
 */
export interface Run {
  readonly text: string;
  readonly marks: readonly Mark[];
  readonly plainOnly?: 'trailing' | 'leading';
}

/** Whether two marks open the same Telegram tag, so adjacent runs can share it. */
export function sameMark(a: Mark, b: Mark): boolean {
  if (a.kind !== b.kind) return false;
  if (a.kind === 'a' && b.kind === 'a') return a.href === b.href;
  if (a.kind === 'pre' && b.kind === 'pre') return a.language === b.language;
  return true;
}

/**
 * Reduces a stack of marks to a nesting Telegram accepts: blockquotes do not
 * nest, pre and code contain nothing and sit inside nothing but a blockquote
 * (code inside a link gives way, as the link matters more), and a mark repeated
 * inside itself adds nothing.
 */
export function telegramMarks(stack: readonly Mark[]): Mark[] {
  const quote = stack.find((m) => m.kind === 'blockquote');
  const link = stack.find((m) => m.kind === 'a');
  const block =
    stack.find((m) => m.kind === 'pre') ?? (link ? undefined : stack.find((m) => m.kind === 'code'));
  if (block) return quote ? [quote, block] : [block];
  const kept: Mark[] = [];
  for (const mark of stack) {
    if (mark.kind !== 'code' && !kept.some((k) => k.kind === mark.kind)) kept.push(mark);
  }
  return kept;
}
