import {
  byteOffset,
  EntityParseError,
  type FormattedText,
  linkEntity,
  type MessageEntity,
  sortEntities,
} from './entities.js';

const SUPPORTED_TAGS = new Set([
  'a',
  'b',
  'strong',
  'i',
  'em',
  's',
  'strike',
  'del',
  'u',
  'ins',
  'tg-spoiler',
  'tg-emoji',
  'span',
  'pre',
  'code',
  'blockquote',
]);

const STYLE_TAGS: Record<string, string> = {
  b: 'bold',
  strong: 'bold',
  i: 'italic',
  em: 'italic',
  u: 'underline',
  ins: 'underline',
  s: 'strikethrough',
  strike: 'strikethrough',
  del: 'strikethrough',
  'tg-spoiler': 'spoiler',
  span: 'spoiler',
};

const NAMED_ENTITIES: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"' };

interface OpenTag {
  name: string;
  argument: string;
  /** UTF-16 offset in the visible text where the tag's content starts. */
  offset: number;
}

/**
 * Parses Telegram's HTML parse mode the way the Bot API server does (same tag set, same error
 * texts and byte offsets), with one deliberate difference: a `&` that starts no entity is an
 * error here, while Telegram keeps it literally, so unescaped text is caught in tests.
 */
export function parseHtml(source: string): FormattedText {
  return new HtmlParser(source).parse();
}

// Telegram's tokenizer treats the end of the input like whitespace; '' stands for it here.
function isSpace(char: string): boolean {
  return char === '' || char === ' ' || char === '\t' || char === '\r' || char === '\n' || char === '\v';
}

function isAlnum(char: string): boolean {
  return /^[A-Za-z0-9]$/.test(char);
}

/**
 * Decodes the entity at `pos` (which holds '&') with Telegram's rules: the four named entities
 * and decimal/hex numeric ones, the trailing ';' optional. Undefined when it is no entity.
 */
function decodeEntity(source: string, pos: number): { text: string; next: number } | undefined {
  let end = pos + 1;
  let code = 0;
  if (source[end] === '#') {
    end++;
    const hex = source[end] === 'x';
    if (hex) end++;
    const digit = hex ? /^[0-9A-Fa-f]$/ : /^[0-9]$/;
    while (end < source.length && digit.test(source.charAt(end)) && code <= 0x10ffff) {
      code = code * (hex ? 16 : 10) + Number.parseInt(source.charAt(end), 16);
      end++;
    }
    if (code === 0 || code >= 0x10ffff || end - pos >= 10) return undefined;
  } else {
    while (end < source.length && /^[A-Za-z]$/.test(source.charAt(end))) end++;
    const named = NAMED_ENTITIES[source.slice(pos + 1, end)];
    if (named === undefined) return undefined;
    code = named.charCodeAt(0);
  }
  if (code >= 0xd800 && code <= 0xdfff) {
    throw new EntityParseError(
      'Text contains invalid Unicode characters after decoding HTML entities, check for unmatched surrogate code units',
    );
  }
  if (source[end] === ';') end++;
  return { text: String.fromCodePoint(code), next: end };
}

class HtmlParser {
  private i = 0;
  private text = '';
  private readonly entities: MessageEntity[] = [];
  private readonly open: OpenTag[] = [];
  // Languages of <code class="language-x"> kept aside until a surrounding <pre> claims them.
  private readonly codeLanguages = new Map<MessageEntity, string>();

  constructor(private readonly source: string) {}

  parse(): FormattedText {
    while (this.i < this.source.length) {
      const char = this.char(this.i);
      if (char === '&') {
        this.text += this.entityAt(this.i);
      } else if (char !== '<') {
        this.text += char;
        this.i++;
      } else if (this.char(this.i + 1) === '/') {
        this.closeTag();
      } else {
        this.openTag();
      }
    }
    const unclosed = this.open.at(-1);
    if (unclosed) {
      throw new EntityParseError(`Can't find end tag corresponding to start tag "${unclosed.name}"`);
    }
    return { text: this.text, entities: sortEntities(this.entities) };
  }

  private char(index: number): string {
    return this.source.charAt(index);
  }

  private offset(index: number): number {
    return byteOffset(this.source, index);
  }

  /** Decodes the entity at `at`, advancing past it; a bare '&' is rejected (see parseHtml). */
  private entityAt(at: number): string {
    const decoded = decodeEntity(this.source, at);
    if (!decoded) {
      throw new EntityParseError(
        `Character "&" at byte offset ${this.offset(at)} does not start an HTML entity; escape it as "&amp;"`,
      );
    }
    this.i = decoded.next;
    return decoded.text;
  }

  private skipSpaces(): void {
    while (this.char(this.i) !== '' && isSpace(this.char(this.i))) this.i++;
  }

  private openTag(): void {
    const begin = this.i;
    this.i++;
    while (!isSpace(this.char(this.i)) && this.char(this.i) !== '>') this.i++;
    if (this.char(this.i) === '') {
      throw new EntityParseError(`Unclosed start tag at byte offset ${this.offset(begin)}`);
    }
    const name = this.source.slice(begin + 1, this.i).toLowerCase();
    if (!SUPPORTED_TAGS.has(name)) {
      throw new EntityParseError(`Unsupported start tag "${name}" at byte offset ${this.offset(begin)}`);
    }

    let argument = '';
    while (this.char(this.i) !== '>') {
      this.skipSpaces();
      if (this.char(this.i) === '>') break;
      const attributeStart = this.i;
      while (!isSpace(this.char(this.i)) && this.char(this.i) !== '=' && this.char(this.i) !== '>') this.i++;
      const attribute = this.source.slice(attributeStart, this.i);
      if (attribute === '') {
        throw new EntityParseError(
          `Empty attribute name in the tag "${name}" at byte offset ${this.offset(begin)}`,
        );
      }
      this.skipSpaces();
      if (this.char(this.i) !== '=') {
        // The one valueless attribute Telegram knows: <blockquote expandable>.
        if (name === 'blockquote' && attribute === 'expandable') {
          argument = 'expandable';
          continue;
        }
        throw new EntityParseError(
          `Expected equal sign in declaration of an attribute of the tag "${name}" at byte offset ${this.offset(begin)}`,
        );
      }
      this.i++;
      this.skipSpaces();
      if (this.char(this.i) === '') {
        throw new EntityParseError(`Unclosed start tag "${name}" at byte offset ${this.offset(begin)}`);
      }
      const value = this.attributeValue();
      if (this.char(this.i) === '') {
        throw new EntityParseError(`Unclosed start tag at byte offset ${this.offset(begin)}`);
      }
      argument = tagArgument(name, attribute, value) ?? argument;
    }
    this.i++;

    if (name === 'span' && argument !== 'spoiler') {
      throw new EntityParseError(
        `Tag "span" must have class "tg-spoiler" at byte offset ${this.offset(begin)}`,
      );
    }
    this.open.push({ name, argument, offset: this.text.length });
  }

  private attributeValue(): string {
    const quote = this.char(this.i);
    if (quote !== '"' && quote !== "'") {
      // An unquoted value must be a name token: letters, digits, '.' and '-', case-insensitive.
      const tokenStart = this.i;
      while (isAlnum(this.char(this.i)) || this.char(this.i) === '.' || this.char(this.i) === '-') this.i++;
      if (!isSpace(this.char(this.i)) && this.char(this.i) !== '>') {
        throw new EntityParseError(`Unexpected end of name token at byte offset ${this.offset(tokenStart)}`);
      }
      return this.source.slice(tokenStart, this.i).toLowerCase();
    }
    this.i++;
    let value = '';
    while (this.char(this.i) !== quote && this.char(this.i) !== '') {
      if (this.char(this.i) === '&') {
        value += this.entityAt(this.i);
      } else {
        value += this.char(this.i);
        this.i++;
      }
    }
    if (this.char(this.i) === quote) this.i++;
    return value;
  }

  private closeTag(): void {
    const begin = this.i;
    this.i += 2;
    const tag = this.open.pop();
    if (!tag) throw new EntityParseError(`Unexpected end tag at byte offset ${this.offset(begin)}`);
    while (!isSpace(this.char(this.i)) && this.char(this.i) !== '>') this.i++;
    const endName = this.source.slice(begin + 2, this.i).toLowerCase();
    this.skipSpaces();
    if (this.char(this.i) !== '>') {
      throw new EntityParseError(`Unclosed end tag at byte offset ${this.offset(begin)}`);
    }
    this.i++;
    if (endName !== '' && endName !== tag.name) {
      throw new EntityParseError(
        `Unmatched end tag at byte offset ${this.offset(begin)}, expected "</${tag.name}>", found "</${endName}>"`,
      );
    }
    this.emit(tag);
  }

  private emit(tag: OpenTag): void {
    const offset = tag.offset;
    const length = this.text.length - offset;
    // Empty elements produce no entity.
    if (length <= 0) return;
    const style = STYLE_TAGS[tag.name];
    if (style) {
      this.entities.push({ type: style, offset, length });
      return;
    }
    switch (tag.name) {
      case 'a': {
        const entity = linkEntity(tag.argument || this.text.slice(offset), offset, length);
        if (entity) this.entities.push(entity);
        return;
      }
      case 'tg-emoji':
        if (!/^\d+$/.test(tag.argument) || /^0+$/.test(tag.argument)) {
          throw new EntityParseError('Invalid custom emoji identifier specified');
        }
        this.entities.push({ type: 'custom_emoji', offset, length, custom_emoji_id: tag.argument });
        return;
      case 'blockquote':
        this.entities.push({
          type: tag.argument === 'expandable' ? 'expandable_blockquote' : 'blockquote',
          offset,
          length,
        });
        return;
      case 'pre':
      case 'code':
        this.emitCode(tag, offset, length);
        return;
    }
  }

  // <pre><code class="language-x">…</code></pre> (in either nesting order) is one pre entity with a
  // language; a lone code's language is dropped, as Telegram does.
  private emitCode(tag: OpenTag, offset: number, length: number): void {
    const previous = this.entities.at(-1);
    const sameRange = previous !== undefined && previous.offset === offset && previous.length === length;
    if (tag.name === 'pre') {
      const language = previous ? this.codeLanguages.get(previous) : undefined;
      if (sameRange && previous.type === 'code' && language) {
        previous.type = 'pre';
        previous.language = language;
      } else {
        this.entities.push({ type: 'pre', offset, length });
      }
      return;
    }
    if (sameRange && previous.type === 'pre' && tag.argument) {
      previous.language = tag.argument;
      return;
    }
    const code: MessageEntity = { type: 'code', offset, length };
    if (tag.argument) this.codeLanguages.set(code, tag.argument);
    this.entities.push(code);
  }
}

/** The attribute values Telegram pays attention to; everything else is ignored. */
function tagArgument(tag: string, attribute: string, value: string): string | undefined {
  if (tag === 'a' && attribute === 'href') return value;
  if (tag === 'code' && attribute === 'class' && value.startsWith('language-')) return value.slice(9);
  if (tag === 'span' && attribute === 'class' && value.startsWith('tg-')) return value.slice(3);
  if (tag === 'tg-emoji' && attribute === 'emoji-id') return value;
  if (tag === 'blockquote' && attribute === 'expandable') return 'expandable';
  return undefined;
}
