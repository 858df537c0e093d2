import { Lexer, type MarkedToken, type Token, type Tokens } from 'marked';
import { decodeEntities } from './entities.js';
import { plainText } from './html.js';
import type { Run } from './rich.js';
import { layoutTable } from './table.js';
import { RunWriter } from './writer.js';

const SAFE_HREF = /^(?:https?|tg|mailto):/i;
const SAFE_LANGUAGE = /^[\w#+.-]+$/;

/**
 * Renders Markdown (CommonMark with GitHub tables, strikethrough and autolinks)
 * as runs for Telegram. Raw HTML in the Markdown stays visible as text.
 */
export function renderMarkdown(markdown: string): Run[] {
  const writer = new RunWriter();
  renderBlocks(writer, new Lexer({ gfm: true }).lex(markdown), '\n\n');
  return writer.runs();
}

function renderBlocks(w: RunWriter, tokens: readonly Token[], gap: string): void {
  let previous: Token | undefined;
  for (const token of tokens) {
    if (token.type === 'space' || token.type === 'def') continue;
    // A task item's checkbox belongs on the same line as the item's text.
    if (previous && previous.type !== 'checkbox') w.blockBreak(gap);
    renderBlock(w, token);
    previous = token;
  }
}

function renderBlock(w: RunWriter, token: Token): void {
  const t = token as MarkedToken;
  switch (t.type) {
    case 'paragraph':
      renderInline(w, t.tokens);
      break;
    case 'text':
      if (t.tokens) renderInline(w, t.tokens);
      else w.text(decodeEntities(t.text));
      break;
    case 'heading':
      w.within({ kind: 'b' }, () => renderInline(w, t.tokens));
      break;
    case 'code':
      w.preformatted(t.text, codeLanguage(t.lang));
      break;
    case 'blockquote':
      w.quoted(() => renderBlocks(w, t.tokens, '\n\n'));
      break;
    case 'list':
      renderList(w, t);
      break;
    case 'table':
      w.preformatted(tableText(t), undefined);
      break;
    case 'hr':
      w.text('———');
      break;
    case 'html':
      w.text(t.text.replace(/\n+$/, ''));
      break;
    case 'checkbox':
      w.text(checkbox(t));
      break;
    default:
      w.text(token.raw);
  }
}

function renderInline(w: RunWriter, tokens: readonly Token[]): void {
  for (const token of tokens) {
    const t = token as MarkedToken;
    switch (t.type) {
      case 'text':
        if (t.tokens) renderInline(w, t.tokens);
        else w.text(decodeEntities(t.text));
        break;
      case 'escape':
      case 'html':
        w.text(t.text);
        break;
      case 'strong':
        w.within({ kind: 'b' }, () => renderInline(w, t.tokens));
        break;
      case 'em':
        w.within({ kind: 'i' }, () => renderInline(w, t.tokens));
        break;
      case 'del':
        w.within({ kind: 's' }, () => renderInline(w, t.tokens));
        break;
      case 'codespan':
        w.within({ kind: 'code' }, () => w.text(t.text));
        break;
      case 'br':
        w.text('\n');
        break;
      case 'link': {
        // An autolink's URL is literal text; a written link's destination may hold character references.
        const href = t.autolink ? t.href : decodeEntities(t.href);
        renderLink(w, href, t.autolink === true || t.text === t.href, () =>
          t.tokens.length > 0 ? renderInline(w, t.tokens) : w.text(href),
        );
        break;
      }
      case 'image': {
        const href = decodeEntities(t.href);
        renderLink(w, href, t.text === '' || t.text === t.href, () => w.text(decodeEntities(t.text) || href));
        break;
      }
      case 'checkbox':
        w.text(checkbox(t));
        break;
      default:
        w.text(token.raw);
    }
  }
}

/**
 * Links Telegram can open become links, with the URL spelled out for plain
 * readers unless the label already is the URL; any other link (relative,
 * javascript:, data:) is shown as its label followed by the URL, never made clickable.
 */
function renderLink(w: RunWriter, href: string, labelIsHref: boolean, label: () => void): void {
  if (!SAFE_HREF.test(href)) {
    label();
    if (href !== '' && !labelIsHref) w.text(` (${href})`);
    return;
  }
  w.within({ kind: 'a', href }, label);
  if (!labelIsHref) w.note(` (${href})`);
}

function renderList(w: RunWriter, list: Tokens.List): void {
  const start = typeof list.start === 'number' ? list.start : 1;
  list.items.forEach((item, index) => {
    if (index > 0) w.blockBreak(list.loose ? '\n\n' : '\n');
    w.text(list.ordered ? `${start + index}. ` : '• ');
    w.prefixed('  ', false, () => renderBlocks(w, item.tokens, item.loose ? '\n\n' : '\n'));
  });
}

function checkbox(token: Tokens.Checkbox): string {
  return token.checked ? '☑ ' : '☐ ';
}

/** The first word of a fence's info string, if Telegram can use it as a language class. */
function codeLanguage(info: string | undefined): string | undefined {
  const word = info?.trim().split(/\s+/)[0];
  return word && SAFE_LANGUAGE.test(word) ? word : undefined;
}

function tableText(table: Tokens.Table): string {
  const cell = (c: Tokens.TableCell) => {
    const w = new RunWriter();
    renderInline(w, c.tokens);
    return plainText(w.runs()).replace(/\s*\n\s*/g, ' ');
  };
  return layoutTable(
    table.header.map(cell),
    table.rows.map((row) => row.map(cell)),
    table.align,
  );
}
