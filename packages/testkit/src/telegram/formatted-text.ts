import { badRequest } from './api-error.js';
import { EntityParseError, type FormattedText, type MessageEntity, sortEntities } from './entities.js';
import { parseHtml } from './html.js';
import { parseMarkdown, parseMarkdownV2 } from './markdown.js';

/** How long a text may be and what Telegram says when it is too long or empty. */
export interface TextLimits {
  maxLength: number;
  tooLong: string;
  /** Undefined when an empty text is fine (captions). */
  empty: string | undefined;
}

/** sendMessage / editMessageText text. */
export const MESSAGE_TEXT: TextLimits = {
  maxLength: 4096,
  tooLong: 'message is too long',
  empty: 'message text is empty',
};

/** Media captions. */
export const CAPTION: TextLimits = {
  maxLength: 1024,
  tooLong: 'message caption is too long',
  empty: undefined,
};

/**
 * Turns the text parameters of a send/edit call into what Telegram stores: parsed by parse_mode
 * (or taken with explicit entities, which win over parse_mode), then cleaned and trimmed, then
 * checked against the limits. Throws ApiError with Telegram's descriptions.
 */
export function formatText(
  raw: string,
  parseMode: string | undefined,
  explicitEntities: unknown[] | undefined,
  limits: TextLimits,
): FormattedText {
  const parsed = explicitEntities
    ? { text: raw, entities: validEntities(explicitEntities, raw.length) }
    : parse(raw, parseMode);
  const normalized = normalize(parsed);
  if (normalized.text === '' && limits.empty !== undefined) throw badRequest(limits.empty);
  if (normalized.text.length > limits.maxLength) throw badRequest(limits.tooLong);
  return normalized;
}

const PARSERS: Record<string, (source: string) => FormattedText> = {
  html: parseHtml,
  markdownv2: parseMarkdownV2,
  markdown: parseMarkdown,
};

function parse(raw: string, parseMode: string | undefined): FormattedText {
  if (!parseMode) return { text: raw, entities: [] };
  // Telegram accepts any capitalisation of the mode names.
  const parser = PARSERS[parseMode.toLowerCase()];
  if (!parser) throw badRequest('unsupported parse_mode');
  try {
    return parser(raw);
  } catch (error) {
    if (error instanceof EntityParseError) throw badRequest(`can't parse entities: ${error.message}`);
    throw error;
  }
}

function validEntities(entities: unknown[], textLength: number): MessageEntity[] {
  return entities.map((candidate) => {
    const entity = candidate as Partial<MessageEntity> | null;
    const valid =
      typeof entity === 'object' &&
      entity !== null &&
      typeof entity.type === 'string' &&
      Number.isSafeInteger(entity.offset) &&
      Number.isSafeInteger(entity.length) &&
      (entity.offset ?? -1) >= 0 &&
      (entity.length ?? -1) >= 0 &&
      (entity.offset ?? 0) + (entity.length ?? 0) <= textLength;
    if (!valid) throw badRequest(`can't parse entities: invalid entity ${JSON.stringify(candidate)}`);
    return { ...(entity as MessageEntity) };
  });
}

// Telegram drops \r and a few invisible separators/bidi controls and turns other control
// characters (tabs included) into spaces.
function isDropped(code: number): boolean {
  return code === 0x0d || (code >= 0x2028 && code <= 0x202e);
}

// Entities whose meaning is not their text survive even when they cover only whitespace.
const HIDDEN_DATA = new Set(['text_link', 'text_mention', 'custom_emoji']);

const isBlank = (char: string | undefined): boolean => char === ' ' || char === '\n';

/**
 * Applies the Bot API's clean-up of formatted text: control characters, entities starting with
 * or made only of whitespace, and trailing (and leading, up to the first entity) spaces and
 * newlines.
 */
function normalize({ text, entities }: FormattedText): FormattedText {
  // Where each original UTF-16 index lands in the cleaned text.
  const position: number[] = [];
  let cleaned = '';
  for (let i = 0; i < text.length; i++) {
    position.push(cleaned.length);
    const code = text.charCodeAt(i);
    if (isDropped(code)) continue;
    cleaned += code < 0x20 && code !== 0x0a ? ' ' : text.charAt(i);
  }
  position.push(cleaned.length);
  const at = (index: number): number => position[index] ?? cleaned.length;

  let kept: MessageEntity[] = [];
  for (const entity of entities) {
    const moved = { ...entity, offset: at(entity.offset), length: 0 };
    moved.length = at(entity.offset + entity.length) - moved.offset;
    if (!HIDDEN_DATA.has(moved.type)) {
      while (moved.length > 0 && isBlank(cleaned[moved.offset])) {
        moved.offset++;
        moved.length--;
      }
    }
    if (moved.length > 0) kept.push(moved);
  }

  let end = cleaned.length;
  while (end > 0 && isBlank(cleaned[end - 1])) end--;
  kept = kept
    .filter((entity) => entity.offset < end)
    .map((entity) => ({ ...entity, length: Math.min(entity.length, end - entity.offset) }));
  kept = sortEntities(kept);

  const firstEntity = kept[0]?.offset ?? end;
  let start = 0;
  while (start < firstEntity && isBlank(cleaned[start])) start++;
  return {
    text: cleaned.slice(start, end),
    entities: kept.map((entity) => ({ ...entity, offset: entity.offset - start })),
  };
}
