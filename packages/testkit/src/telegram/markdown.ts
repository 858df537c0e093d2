import {
  byteOffset,
  EntityParseError,
  type FormattedText,
  linkEntity,
  type MessageEntity,
  sortEntities,
} from './entities.js';

// Entity kinds by the names Telegram uses in its error messages.
type Kind =
  | 'Bold'
  | 'Italic'
  | 'Underline'
  | 'Strikethrough'
  | 'Spoiler'
  | 'Code'
  | 'Pre'
  | 'PreCode'
  | 'TextUrl'
  | 'CustomEmoji'
  | 'BlockQuote';

const BOT_API_TYPE: Record<Kind, string> = {
  Bold: 'bold',
  Italic: 'italic',
  Underline: 'underline',
  Strikethrough: 'strikethrough',
  Spoiler: 'spoiler',
  Code: 'code',
  Pre: 'pre',
  PreCode: 'pre',
  TextUrl: 'text_link',
  CustomEmoji: 'custom_emoji',
  BlockQuote: 'blockquote',
};

// '\n' is listed because a line break is where a '>' quote block may start or end.
const RESERVED = '_*[]()~`>#+-=|{}.!\n';

interface OpenEntity {
  kind: Kind;
  argument: string;
  /** UTF-16 offset in the visible text. */
  offset: number;
  /** Byte offset of the opening marker in the source, for error messages. */
  sourceByte: number;
}

function isSpace(char: string): boolean {
  return char === '' || char === ' ' || char === '\t' || char === '\r' || char === '\n' || char === '\v';
}

/** Any ASCII character from code 1 to 126 may follow a backslash. */
function isEscapable(char: string): boolean {
  const code = char.charCodeAt(0);
  return code > 0 && code <= 126;
}

function reservedError(char: string): EntityParseError {
  return new EntityParseError(`Character '${char}' is reserved and must be escaped with the preceding '\\'`);
}

/**
 * Parses MarkdownV2 with Telegram's rules: every reserved character outside an entity must be
 * escaped, inside code and pre only '`' and '\' are special, '>' starts a quote only at a line
 * start. Expandable quotes (`**>…||`) are not supported.
 */
export function parseMarkdownV2(source: string): FormattedText {
  const at = (index: number): string => source.charAt(index);
  const entities: MessageEntity[] = [];
  const open: OpenEntity[] = [];
  let text = '';
  let inBlockquote = false;

  for (let i = 0; i < source.length; i++) {
    const char = at(i);
    if (char === '\\' && isEscapable(at(i + 1))) {
      i++;
      text += at(i);
      continue;
    }
    const top = open.at(-1);
    const inCode = top !== undefined && (top.kind === 'Code' || top.kind === 'Pre' || top.kind === 'PreCode');
    if (!(inCode ? '`' : RESERVED).includes(char)) {
      text += char;
      continue;
    }

    const quoteEnds = inBlockquote && char === '\n' && at(i + 1) !== '>';
    if (top !== undefined && (quoteEnds || closes(top.kind, char, at(i + 1), at(i + 2)))) {
      // End of the innermost entity.
      if (char === '\n' && top.kind !== 'BlockQuote') {
        throw new EntityParseError(`Can't find end of ${top.kind} entity at byte offset ${top.sourceByte}`);
      }
      open.pop();
      const empty = text.length === top.offset;
      let entity: MessageEntity | undefined = { type: BOT_API_TYPE[top.kind], offset: top.offset, length: 0 };
      switch (top.kind) {
        case 'Underline':
        case 'Spoiler':
          i++;
          break;
        case 'Pre':
        case 'PreCode':
          i += 2;
          break;
        case 'TextUrl': {
          let url = text.slice(top.offset);
          if (at(i + 1) === '(') {
            const target = readParenthesized(source, i + 2, 'a URL');
            url = target.value;
            i = target.close;
          }
          entity = linkEntity(url, top.offset, 0);
          break;
        }
        case 'CustomEmoji': {
          if (at(i + 1) !== '(') {
            throw new EntityParseError('Custom emoji entity must contain a tg://emoji URL');
          }
          const target = readParenthesized(source, i + 2, 'a custom emoji URL');
          i = target.close;
          const id = /^tg:\/\/emoji\?id=(\d+)$/.exec(target.value)?.[1];
          if (id === undefined) throw new EntityParseError('Invalid custom emoji URL specified');
          entity.custom_emoji_id = id;
          break;
        }
        case 'BlockQuote':
          inBlockquote = false;
          text += char;
          break;
      }
      if (top.kind === 'PreCode' && entity) entity.language = top.argument;
      if (!empty && entity) entities.push({ ...entity, length: text.length - top.offset });
      continue;
    }

    // Start of an entity.
    const sourceByte = byteOffset(source, i);
    let kind: Kind;
    let argument = '';
    switch (char) {
      case '_':
        if (at(i + 1) === '_') {
          kind = 'Underline';
          i++;
        } else {
          kind = 'Italic';
        }
        break;
      case '*':
        kind = 'Bold';
        break;
      case '~':
        kind = 'Strikethrough';
        break;
      case '|':
        if (at(i + 1) !== '|') throw reservedError(char);
        i++;
        kind = 'Spoiler';
        break;
      case '[':
        kind = 'TextUrl';
        break;
      case '`':
        if (at(i + 1) === '`' && at(i + 2) === '`') {
          const pre = openPre(source, i + 3);
          kind = pre.language ? 'PreCode' : 'Pre';
          argument = pre.language;
          // The loop's increment moves onto the first content character.
          i = pre.contentStart - 1;
        } else {
          kind = 'Code';
        }
        break;
      case '!':
        if (at(i + 1) !== '[') throw reservedError(char);
        i++;
        kind = 'CustomEmoji';
        break;
      case '\n':
        text += '\n';
        if (at(i + 1) !== '>') continue;
        i++;
        if (inBlockquote) continue;
        kind = 'BlockQuote';
        inBlockquote = true;
        break;
      case '>':
        if (i !== 0) throw reservedError(char);
        kind = 'BlockQuote';
        inBlockquote = true;
        break;
      default:
        throw reservedError(char);
    }
    open.push({ kind, argument, offset: text.length, sourceByte });
  }

  const last = open.at(-1);
  if (inBlockquote && last?.kind === 'BlockQuote') {
    open.pop();
    if (text.length > last.offset) {
      entities.push({ type: 'blockquote', offset: last.offset, length: text.length - last.offset });
    }
  }
  const unclosed = open.at(-1);
  if (unclosed) {
    throw new EntityParseError(
      `Can't find end of ${unclosed.kind} entity at byte offset ${unclosed.sourceByte}`,
    );
  }
  return { text, entities: sortEntities(entities) };
}

function closes(kind: Kind, char: string, next: string, afterNext: string): boolean {
  switch (kind) {
    case 'Bold':
      return char === '*';
    case 'Italic':
      return char === '_' && next !== '_';
    case 'Underline':
      return char === '_' && next === '_';
    case 'Strikethrough':
      return char === '~';
    case 'Spoiler':
      return char === '|' && next === '|';
    case 'Code':
      return char === '`';
    case 'Pre':
    case 'PreCode':
      return char === '`' && next === '`' && afterNext === '`';
    case 'TextUrl':
    case 'CustomEmoji':
      return char === ']';
    case 'BlockQuote':
      return false;
  }
}

/** Reads `(…)` content starting after the '(' at `start`, honouring backslash escapes. */
function readParenthesized(source: string, start: number, what: string): { value: string; close: number } {
  let value = '';
  let i = start;
  while (i < source.length && source.charAt(i) !== ')') {
    if (source.charAt(i) === '\\' && isEscapable(source.charAt(i + 1))) {
      value += source.charAt(i + 1);
      i += 2;
    } else {
      value += source.charAt(i);
      i++;
    }
  }
  if (source.charAt(i) !== ')') {
    throw new EntityParseError(`Can't find end of ${what} at byte offset ${byteOffset(source, start)}`);
  }
  return { value, close: i };
}

/**
 * Reads the optional language right after an opening ``` (it counts only when followed by
 * whitespace) and skips one line break, as Telegram does.
 */
function openPre(source: string, afterFence: number): { language: string; contentStart: number } {
  const at = (index: number): string => source.charAt(index);
  let i = afterFence;
  let language = '';
  let languageEnd = i;
  while (!isSpace(at(languageEnd)) && at(languageEnd) !== '`') languageEnd++;
  if (languageEnd !== i && languageEnd < source.length && at(languageEnd) !== '`') {
    language = source.slice(i, languageEnd);
    i = languageEnd;
  }
  if (at(i) === '\n' || at(i) === '\r') {
    const pair = (at(i + 1) === '\n' || at(i + 1) === '\r') && at(i) !== at(i + 1);
    i += pair ? 2 : 1;
  }
  return { language, contentStart: i };
}

/**
 * Parses legacy Markdown: `*bold*`, `_italic_`, `` `code` ``, ```` ```pre``` ````, `[text](url)`.
 * Entities cannot nest and only `_ * ` [` can be escaped.
 */
export function parseMarkdown(source: string): FormattedText {
  const at = (index: number): string => source.charAt(index);
  const entities: MessageEntity[] = [];
  let text = '';

  for (let i = 0; i < source.length; i++) {
    const char = at(i);
    if (char === '\\' && '_*`['.includes(at(i + 1)) && at(i + 1) !== '') {
      i++;
      text += at(i);
      continue;
    }
    if (!'_*`['.includes(char)) {
      text += char;
      continue;
    }

    const begin = i;
    const endChar = char === '[' ? ']' : char;
    i++;
    let isPre = false;
    let language = '';
    if (char === '`' && at(i) === '`' && at(i + 1) === '`') {
      isPre = true;
      const pre = openPre(source, i + 2);
      language = pre.language;
      i = pre.contentStart;
    }

    const offset = text.length;
    while (i < source.length && (at(i) !== endChar || (isPre && !(at(i + 1) === '`' && at(i + 2) === '`')))) {
      text += at(i);
      i++;
    }
    if (i >= source.length) {
      throw new EntityParseError(
        `Can't find end of the entity starting at byte offset ${byteOffset(source, begin)}`,
      );
    }

    const length = text.length - offset;
    if (length > 0) {
      const entity = legacyEntity(char, source, begin, i, offset, length, isPre, language);
      if (entity.entity) entities.push(entity.entity);
      i = entity.end;
    }
    if (isPre) i += 2;
  }
  return { text, entities: sortEntities(entities) };
}

function skipUrl(source: string, start: number): number {
  let i = start;
  while (i < source.length && source.charAt(i) !== ')') i++;
  return i;
}

function legacyEntity(
  marker: string,
  source: string,
  begin: number,
  close: number,
  offset: number,
  length: number,
  isPre: boolean,
  language: string,
): { entity: MessageEntity | undefined; end: number } {
  switch (marker) {
    case '_':
      return { entity: { type: 'italic', offset, length }, end: close };
    case '*':
      return { entity: { type: 'bold', offset, length }, end: close };
    case '[': {
      if (source.charAt(close + 1) !== '(') {
        return { entity: linkEntity(source.slice(begin + 1, close), offset, length), end: close };
      }
      const end = skipUrl(source, close + 2);
      return { entity: linkEntity(source.slice(close + 2, end), offset, length), end };
    }
    default: {
      if (!isPre) return { entity: { type: 'code', offset, length }, end: close };
      const pre: MessageEntity = { type: 'pre', offset, length };
      if (language) pre.language = language;
      return { entity: pre, end: close };
    }
  }
}
