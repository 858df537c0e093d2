import { describe, expect, it } from 'vitest';
import { EntityParseError } from './entities.js';
import { parseHtml } from './html.js';

function parseError(source: string): string {
  try {
    parseHtml(source);
  } catch (error) {
    if (error instanceof EntityParseError) return error.message;
    throw error;
  }
  throw new Error(`expected ${JSON.stringify(source)} to be rejected`);
}

describe('parseHtml', () => {
  it('strips tags and reports bold and italic entities', () => {
    expect(parseHtml('Hi <b>bold</b> and <i>it</i>')).toEqual({
      text: 'Hi bold and it',
      entities: [
        { type: 'bold', offset: 3, length: 4 },
        { type: 'italic', offset: 12, length: 2 },
      ],
    });
  });

  it('maps every synonym tag to its entity type', () => {
    const { entities } = parseHtml(
      '<strong>a</strong><em>b</em><u>c</u><ins>d</ins><s>e</s><strike>f</strike><del>g</del><tg-spoiler>h</tg-spoiler><span class="tg-spoiler">i</span>',
    );
    expect(entities.map((entity) => entity.type)).toEqual([
      'bold',
      'italic',
      'underline',
      'underline',
      'strikethrough',
      'strikethrough',
      'strikethrough',
      'spoiler',
      'spoiler',
    ]);
  });

  it('counts offsets in UTF-16 code units, so an emoji counts two', () => {
    const { text, entities } = parseHtml('😀 <b>x</b>');
    expect(text).toBe('😀 x');
    expect(entities).toEqual([{ type: 'bold', offset: 3, length: 1 }]);
  });

  it('decodes the named and numeric entities', () => {
    expect(parseHtml('&lt;a&gt; &amp; &quot;q&quot; &#65;&#x42;&#x1F600;').text).toBe('<a> & "q" AB😀');
  });

  it('rejects a bare ampersand with its byte offset', () => {
    expect(parseError('Tom & Jerry')).toBe(
      'Character "&" at byte offset 4 does not start an HTML entity; escape it as "&amp;"',
    );
  });

  it('rejects an unsupported tag with the byte offset Telegram reports', () => {
    expect(parseError('Hello there <foo>x</foo>')).toBe('Unsupported start tag "foo" at byte offset 12');
  });

  it('counts the byte offset in UTF-8, not characters', () => {
    expect(parseError('héllo <br>')).toBe('Unsupported start tag "br" at byte offset 7');
  });

  it('rejects a bare less-than sign as an unsupported empty tag', () => {
    expect(parseError('1 < 2')).toBe('Unsupported start tag "" at byte offset 2');
  });

  it('rejects misnested tags naming the expected end tag', () => {
    expect(parseError('<b><i>x</b></i>')).toBe(
      'Unmatched end tag at byte offset 7, expected "</i>", found "</b>"',
    );
  });

  it('rejects a start tag that is never closed', () => {
    expect(parseError('<b>bold')).toBe('Can\'t find end tag corresponding to start tag "b"');
  });

  it('rejects an end tag without a start tag', () => {
    expect(parseError('x</b>')).toBe('Unexpected end tag at byte offset 1');
  });

  it('rejects a tag cut off by the end of the text', () => {
    expect(parseError('x <b')).toBe('Unclosed start tag at byte offset 2');
  });

  it('rejects a span that is not a spoiler', () => {
    expect(parseError('<span class="big">x</span>')).toBe(
      'Tag "span" must have class "tg-spoiler" at byte offset 0',
    );
  });

  it('rejects an unquoted attribute value that is not a name token', () => {
    expect(parseError('<a href=http://x.io>x</a>')).toBe('Unexpected end of name token at byte offset 8');
  });

  it('turns a link into a text_link entity with its href decoded', () => {
    expect(parseHtml('<a href="https://example.com/?a=1&amp;b=2">site</a>').entities).toEqual([
      { type: 'text_link', offset: 0, length: 4, url: 'https://example.com/?a=1&b=2' },
    ]);
  });

  it('drops a link whose href is not a usable URL but keeps the text', () => {
    expect(parseHtml('<a href="javascript:alert(1)">x</a>')).toEqual({ text: 'x', entities: [] });
  });

  it('turns a tg://user link into a text_mention', () => {
    expect(parseHtml('<a href="tg://user?id=42">Ann</a>').entities).toEqual([
      { type: 'text_mention', offset: 0, length: 3, user: { id: 42, is_bot: false, first_name: '' } },
    ]);
  });

  it('merges pre with an inner language code block into one pre entity with a language', () => {
    expect(parseHtml('<pre><code class="language-ts">let a = 1;</code></pre>').entities).toEqual([
      { type: 'pre', offset: 0, length: 10, language: 'ts' },
    ]);
  });

  it('keeps a lone code block as code without a language', () => {
    expect(parseHtml('<code class="language-ts">x</code>').entities).toEqual([
      { type: 'code', offset: 0, length: 1 },
    ]);
  });

  it('reports blockquote and expandable blockquote', () => {
    expect(parseHtml('<blockquote>a</blockquote><blockquote expandable>b</blockquote>').entities).toEqual([
      { type: 'blockquote', offset: 0, length: 1 },
      { type: 'expandable_blockquote', offset: 1, length: 1 },
    ]);
  });

  it('reports a custom emoji and rejects a non-numeric id', () => {
    expect(parseHtml('<tg-emoji emoji-id="5368324170671202286">👍</tg-emoji>').entities).toEqual([
      { type: 'custom_emoji', offset: 0, length: 2, custom_emoji_id: '5368324170671202286' },
    ]);
    expect(parseError('<tg-emoji emoji-id="abc">👍</tg-emoji>')).toBe(
      'Invalid custom emoji identifier specified',
    );
  });

  it('orders nested entities outer first', () => {
    expect(parseHtml('<i><b>x</b></i>').entities).toEqual([
      { type: 'bold', offset: 0, length: 1 },
      { type: 'italic', offset: 0, length: 1 },
    ]);
    expect(parseHtml('<b>ab<i>c</i></b>').entities).toEqual([
      { type: 'bold', offset: 0, length: 3 },
      { type: 'italic', offset: 2, length: 1 },
    ]);
  });

  it('ignores tag name case and produces no entity for an empty element', () => {
    expect(parseHtml('<B>x</B><i></i>')).toEqual({
      text: 'x',
      entities: [{ type: 'bold', offset: 0, length: 1 }],
    });
  });
});
