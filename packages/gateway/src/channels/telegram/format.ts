import { splitRuns } from './chunk.js';
import { plainText, runsToHtml, visibleText } from './html.js';
import { renderMarkdown } from './markdown.js';
import type { Run } from './rich.js';

// The channel escapes its own short HTML replies (agent names, statuses) with the same rules.
export { escapeHtml } from './html.js';

/** One Telegram message ready to send: HTML for parse_mode HTML, and the same content as plain text for when Telegram rejects the HTML. */
export interface TelegramChunk {
  html: string;
  plain: string;
}

/** How to render an answer: which agent it is from, and how long a message may be. */
export interface FormatOptions {
  /** The id of the agent answering; the first message then starts with it in italics. */
  attribution?: string;
  /** The longest a message may be, in UTF-16 code units of visible text (default 4096); below 8 throws a RangeError. */
  limit?: number;
}

/** Telegram's limit on a message's text, counted in UTF-16 code units after entity parsing. */
export const TELEGRAM_MESSAGE_LIMIT = 4096;

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point.
const CONTROL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F]/g;
const DISCARDED = /[\u2028-\u202E]/g;

/**
 * Cleans text the way Telegram would, before measuring it: lone surrogates
 * (which UTF-8 cannot carry) become U+FFFD, control characters become spaces
 * and the separators and bidi overrides Telegram discards go, so a message that
 * looks blank here is one Telegram would call empty, and is not sent.
 */
function telegramSafe(text: string): string {
  return text.replace(LONE_SURROGATE, '\uFFFD').replace(CONTROL, ' ').replace(DISCARDED, '');
}

/**
 * Render an agent's Markdown answer as Telegram messages, each within Telegram's limit.
 *
 * Nothing is lost: if V is the visible text of the whole rendering (attribution
 * included) and c₁…cₙ are the chunks' visible texts in order, then
 * V = w₀ c₁ w₁ c₂ … cₙ wₙ where every wᵢ is whitespace only; the same holds for
 * the plain texts, except that a link URL longer than half the limit is not
 * spelled out in plain text. An answer with no visible text gives no messages.
 */
export function formatForTelegram(markdown: string, opts: FormatOptions = {}): TelegramChunk[] {
  const body = renderMarkdown(telegramSafe(markdown));
  if (visibleText(body).trim() === '') return [];
  const runs: Run[] = opts.attribution
    ? [
        { text: `${telegramSafe(opts.attribution)}:`, marks: [{ kind: 'i' }] },
        { text: ' ', marks: [] },
        ...body,
      ]
    : body;
  return splitRuns(runs, opts.limit ?? TELEGRAM_MESSAGE_LIMIT)
    .filter((chunk) => visibleText(chunk).trim() !== '')
    .map((chunk) => ({ html: runsToHtml(chunk), plain: plainText(chunk) }));
}
