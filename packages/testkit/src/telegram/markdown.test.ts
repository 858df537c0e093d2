import { describe, expect, it } from 'vitest';
import { EntityParseError, type FormattedText } from './entities.js';
import { parseMarkdown, parseMarkdownV2 } from './markdown.js';

function parseError(parse: (source: string) => FormattedText, source: string): string {
  try {
    parse(source);
  } catch (error) {
    if (error instanceof EntityParseError) return error.message;
    throw error;
  }
  throw new Error(`expected ${JSON.stringify(source)} to be rejected`);
}

describe('parseMarkdownV2', () => {
  it('parses the styles, underline and spoiler included', () => {
    expect(parseMarkdownV2('*b* _i_ __u__ ~s~ ||p||')).toEqual({
      text: 'b i u s p',
      entities: [
        { type: 'bold', offset: 0, length: 1 },
        { type: 'italic', offset: 2, length: 1 },
        { type: 'underline', offset: 4, length: 1 },
        { type: 'strikethrough', offset: 6, length: 1 },
        { type: 'spoiler', offset: 8, length: 1 },
      ],
    });
  });

  it('rejects an unescaped reserved character', () => {
    expect(parseError(parseMarkdownV2, 'Done.')).toBe(
      "Character '.' is reserved and must be escaped with the preceding '\\'",
    );
  });

  it('accepts reserved characters escaped with a backslash', () => {
    expect(parseMarkdownV2('1\\+1 \\= 2\\. \\(ok\\)\\!').text).toBe('1+1 = 2. (ok)!');
  });

  it('treats only backtick and backslash as special inside code', () => {
    expect(parseMarkdownV2('`a.b(c)*`')).toEqual({
      text: 'a.b(c)*',
      entities: [{ type: 'code', offset: 0, length: 7 }],
    });
  });

  it('reads a pre block language and skips the newline after it', () => {
    expect(parseMarkdownV2('```python\nprint(1)\n```')).toEqual({
      text: 'print(1)\n',
      entities: [{ type: 'pre', offset: 0, length: 9, language: 'python' }],
    });
  });

  it('parses an inline link with an escaped parenthesis in the URL', () => {
    expect(parseMarkdownV2('[docs](https://x.io/a\\)b)').entities).toEqual([
      { type: 'text_link', offset: 0, length: 4, url: 'https://x.io/a)b' },
    ]);
  });

  it('reports an unclosed entity with its byte offset', () => {
    expect(parseError(parseMarkdownV2, 'é *bold')).toBe("Can't find end of Bold entity at byte offset 3");
  });

  it('turns lines starting with > into one blockquote', () => {
    expect(parseMarkdownV2('>one\n>two\nafter')).toEqual({
      text: 'one\ntwo\nafter',
      entities: [{ type: 'blockquote', offset: 0, length: 8 }],
    });
  });

  it('rejects > in the middle of a line', () => {
    expect(parseError(parseMarkdownV2, 'a > b')).toBe(
      "Character '>' is reserved and must be escaped with the preceding '\\'",
    );
  });
});

describe('parseMarkdown (legacy)', () => {
  it('parses bold, italic, code and links without requiring other escapes', () => {
    expect(parseMarkdown('*b* _i_ `c` [t](https://x.io). Fine!')).toEqual({
      text: 'b i c t. Fine!',
      entities: [
        { type: 'bold', offset: 0, length: 1 },
        { type: 'italic', offset: 2, length: 1 },
        { type: 'code', offset: 4, length: 1 },
        { type: 'text_link', offset: 6, length: 1, url: 'https://x.io' },
      ],
    });
  });

  it('rejects an entity that is never closed', () => {
    expect(parseError(parseMarkdown, 'snake_case')).toBe(
      "Can't find end of the entity starting at byte offset 5",
    );
  });

  it('reads a pre block with a language', () => {
    expect(parseMarkdown('```js\nx()```')).toEqual({
      text: 'x()',
      entities: [{ type: 'pre', offset: 0, length: 3, language: 'js' }],
    });
  });
});
