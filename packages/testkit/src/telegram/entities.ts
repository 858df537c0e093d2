/** A Bot API `MessageEntity`; offsets and lengths count UTF-16 code units, as Telegram's do. */
export interface MessageEntity {
  type: string;
  offset: number;
  length: number;
  url?: string;
  user?: { id: number; is_bot: boolean; first_name: string };
  language?: string;
  custom_emoji_id?: string;
}

/** Visible text plus its entities. */
export interface FormattedText {
  text: string;
  entities: MessageEntity[];
}

/** A markup error; its message is the tail Telegram puts after "can't parse entities: ". */
export class EntityParseError extends Error {
  override name = 'EntityParseError';
}

/** Telegram reports markup errors by UTF-8 byte offset into the original text. */
export function byteOffset(source: string, index: number): number {
  return Buffer.byteLength(source.slice(0, index), 'utf8');
}

// Ties at one offset and length are ordered like tdlib orders them, so outer entities come first.
const TYPE_PRIORITY: Record<string, number> = {
  blockquote: 0,
  expandable_blockquote: 0,
  pre: 11,
  code: 20,
  text_link: 49,
  text_mention: 49,
  bot_command: 50,
  bold: 90,
  italic: 91,
  underline: 92,
  strikethrough: 93,
  spoiler: 94,
  custom_emoji: 99,
};

/** Sorts by offset, longer first, then by type priority. */
export function sortEntities(entities: MessageEntity[]): MessageEntity[] {
  const priority = (entity: MessageEntity): number => TYPE_PRIORITY[entity.type] ?? 50;
  return [...entities].sort(
    (a, b) => a.offset - b.offset || b.length - a.length || priority(a) - priority(b),
  );
}

const LINK_SCHEMES = new Set(['http:', 'https:', 'tg:', 'ton:', 'ftp:']);

/**
 * Turns a link target into a text_link or text_mention entity, or undefined when Telegram would
 * silently drop the link (it does not reject the message for a bad URL).
 */
export function linkEntity(url: string, offset: number, length: number): MessageEntity | undefined {
  const mention = /^tg:\/\/user\?id=(\d+)$/i.exec(url.trim());
  if (mention) {
    return {
      type: 'text_mention',
      offset,
      length,
      user: { id: Number(mention[1]), is_bot: false, first_name: '' },
    };
  }
  const checked = checkedLink(url);
  return checked === undefined ? undefined : { type: 'text_link', offset, length, url: checked };
}

function checkedLink(url: string): string | undefined {
  const trimmed = url.trim();
  if (trimmed === '') return undefined;
  // Telegram accepts bare domains and treats them as http links.
  const withScheme = /^[a-z][a-z0-9+.-]*:/i.test(trimmed) ? trimmed : `http://${trimmed}`;
  if (!URL.canParse(withScheme)) return undefined;
  const parsed = new URL(withScheme);
  if (!LINK_SCHEMES.has(parsed.protocol)) return undefined;
  if (parsed.protocol !== 'tg:' && parsed.protocol !== 'ton:' && parsed.hostname === '') return undefined;
  return withScheme;
}

const WORD_CHAR = /[\p{L}\p{N}_]/u;
const COMMAND_CHAR = /[A-Za-z0-9_]/;

function characterBefore(text: string, index: number): string | undefined {
  if (index === 0) return undefined;
  const unit = text.charCodeAt(index - 1);
  const endsSurrogatePair = unit >= 0xdc00 && unit <= 0xdfff && index >= 2;
  return endsSurrogatePair ? text.slice(index - 2, index) : text.charAt(index - 1);
}

function isCommandBoundary(char: string | undefined): boolean {
  return char === undefined || !(WORD_CHAR.test(char) || char === '/' || char === '<' || char === '>');
}

/**
 * Finds `/command` and `/command@bot` like Telegram's server does for incoming messages; grammY's
 * `bot.command()` only matches messages carrying a bot_command entity at offset 0.
 */
export function findBotCommands(text: string): MessageEntity[] {
  const found: MessageEntity[] = [];
  for (let start = text.indexOf('/'); start !== -1; start = text.indexOf('/', start + 1)) {
    if (!isCommandBoundary(characterBefore(text, start))) continue;
    let end = start + 1;
    while (end < text.length && COMMAND_CHAR.test(text.charAt(end))) end++;
    const nameLength = end - start - 1;
    if (nameLength < 1 || nameLength > 64) continue;
    if (text.charAt(end) === '@') {
      let mentionEnd = end + 1;
      while (mentionEnd < text.length && COMMAND_CHAR.test(text.charAt(mentionEnd))) mentionEnd++;
      const mentionLength = mentionEnd - end - 1;
      if (mentionLength < 3 || mentionLength > 32) continue;
      end = mentionEnd;
    }
    const after = end < text.length ? String.fromCodePoint(text.codePointAt(end) ?? 0) : undefined;
    if (!isCommandBoundary(after)) continue;
    found.push({ type: 'bot_command', offset: start, length: end - start });
  }
  return found;
}
