import { type Mark, type Run, sameMark } from './rich.js';

/** Escapes text for Telegram's HTML parse mode, where only `&`, `<` and `>` are special. */
export function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function escapeAttribute(text: string): string {
  return escapeHtml(text).replace(/"/g, '&quot;');
}

function openTag(mark: Mark): string {
  switch (mark.kind) {
    case 'a':
      return `<a href="${escapeAttribute(mark.href)}">`;
    case 'pre':
      return mark.language ? `<pre><code class="language-${escapeAttribute(mark.language)}">` : '<pre>';
    default:
      return `<${mark.kind}>`;
  }
}

function closeTag(mark: Mark): string {
  if (mark.kind === 'pre') return mark.language ? '</code></pre>' : '</pre>';
  return `</${mark.kind}>`;
}

/**
 * Serializes runs as Telegram HTML. Tags are opened and closed around the runs
 * given, so any slice of a rendering serializes to HTML that is well-formed on its own.
 */
export function runsToHtml(runs: readonly Run[]): string {
  const open: Mark[] = [];
  let html = '';
  for (const run of runs) {
    if (run.plainOnly || run.text === '') continue;
    let shared = 0;
    while (shared < open.length && shared < run.marks.length) {
      const current = open[shared] as Mark;
      if (!sameMark(current, run.marks[shared] as Mark)) break;
      shared++;
    }
    while (open.length > shared) html += closeTag(open.pop() as Mark);
    for (const mark of run.marks.slice(shared)) {
      html += openTag(mark);
      open.push(mark);
    }
    html += escapeHtml(run.text);
  }
  while (open.length > 0) html += closeTag(open.pop() as Mark);
  return html;
}

/** The text a reader sees in the HTML rendering of runs, which is what Telegram counts against its limit. */
export function visibleText(runs: readonly Run[]): string {
  return runs
    .filter((run) => !run.plainOnly)
    .map((run) => run.text)
    .join('');
}

/** The plain-text fallback of runs: the visible text plus what only plain readers need, such as link URLs. */
export function plainText(runs: readonly Run[]): string {
  return runs.map((run) => run.text).join('');
}
