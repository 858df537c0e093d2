import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatForTelegram, TELEGRAM_MESSAGE_LIMIT, type TelegramChunk } from './format.js';
import { isWholeUpToWhitespace } from './whole.test-support.js';

const HTML_TOKEN = /<(\/?)([a-z]+)((?: [a-z]+="[^"<>]*")*)>|&(lt|gt|amp|quot);|([^<>&]+)|([\s\S])/y;
const ENTITIES: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"' };

/**
 * Reads Telegram HTML the way this module promises to write it and returns the
 * visible text, throwing on anything else: unknown tags or attributes, unbalanced
 * or badly nested tags, a raw `<` or `>`, or an `&` that is not a known entity.
 */
function readTelegramHtml(html: string): string {
  const stack: string[] = [];
  let text = '';
  HTML_TOKEN.lastIndex = 0;
  for (let token = HTML_TOKEN.exec(html); token; token = HTML_TOKEN.exec(html)) {
    const [, closing, name, attributes, entity, plain, stray] = token;
    if (stray !== undefined) throw new Error(`stray "${stray}" at ${token.index}`);
    if (plain !== undefined) text += plain;
    else if (entity !== undefined) text += ENTITIES[entity];
    else if (closing) {
      if (attributes) throw new Error(`attributes on </${name}>`);
      const open = stack.pop();
      if (open !== name) throw new Error(`</${name}> closes <${open}>`);
    } else {
      checkOpening(name ?? '', attributes ?? '', stack);
      stack.push(name ?? '');
    }
  }
  if (stack.length > 0) throw new Error(`unclosed <${stack.join('>, <')}>`);
  return text;
}

function checkOpening(name: string, attributes: string, stack: readonly string[]): void {
  const parent = stack.at(-1);
  const allowedAttributes: Record<string, RegExp> = {
    b: /^$/,
    i: /^$/,
    u: /^$/,
    s: /^$/,
    blockquote: /^$/,
    pre: /^$/,
    a: /^ href="(?:https?|tg|mailto):[^"]*"$/,
    code: parent === 'pre' ? /^(?: class="language-[\w#+.-]+")?$/ : /^$/,
    span: /^ class="tg-spoiler"$/,
  };
  const allowed = allowedAttributes[name];
  if (!allowed) throw new Error(`tag <${name}> is not allowed`);
  if (!allowed.test(attributes)) throw new Error(`bad attributes on <${name}>:${attributes}`);
  if (parent === 'code' || (parent === 'pre' && name !== 'code'))
    throw new Error(`<${name}> inside <${parent}>`);
  if (name === 'blockquote' && stack.includes('blockquote')) throw new Error('nested <blockquote>');
  const outside = stack.filter((tag) => tag !== 'blockquote');
  if ((name === 'pre' || (name === 'code' && parent !== 'pre')) && outside.length > 0) {
    throw new Error(`<${name}> inside <${outside.join('>, <')}>`);
  }
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** The rendering in one piece, as the reference the chunks are compared with. */
function unsplit(markdown: string, attribution?: string): TelegramChunk | undefined {
  const chunks = formatForTelegram(markdown, { attribution, limit: Number.MAX_SAFE_INTEGER });
  expect(chunks.length).toBeLessThanOrEqual(1);
  return chunks[0];
}

function only(markdown: string, attribution?: string): TelegramChunk {
  const chunks = formatForTelegram(markdown, { attribution });
  expect(chunks).toHaveLength(1);
  return chunks[0] as TelegramChunk;
}

describe('formatForTelegram rendering', () => {
  it('renders a heading as a bold line', () => {
    expect(only('# Plan *today*\n\nSteps').html).toBe('<b>Plan <i>today</i></b>\n\nSteps');
  });

  it('renders **bold** and __bold__ as b', () => {
    expect(only('**a** and __b__').html).toBe('<b>a</b> and <b>b</b>');
  });

  it('renders *italic* and _italic_ as i', () => {
    expect(only('*a* and _b_').html).toBe('<i>a</i> and <i>b</i>');
  });

  it('renders ~~strike~~ as s', () => {
    expect(only('~~old~~ new').html).toBe('<s>old</s> new');
  });

  it('renders inline code as code, escaped', () => {
    expect(only('run `a < b && c`').html).toBe('run <code>a &lt; b &amp;&amp; c</code>');
  });

  it('renders a fenced code block with its language as pre/code', () => {
    expect(only('```ts\nconst x = 1;\n```').html).toBe(
      '<pre><code class="language-ts">const x = 1;</code></pre>',
    );
  });

  it('uses only the first word of the info string as the language', () => {
    expect(only('```python title="x.py"\npass\n```').html).toBe(
      '<pre><code class="language-python">pass</code></pre>',
    );
  });

  it('renders a fenced code block without a language as a bare pre', () => {
    expect(only('```\nplain\n```').html).toBe('<pre>plain</pre>');
  });

  it('renders an indented code block as pre', () => {
    expect(only('Look:\n\n    indented <x>').html).toBe('Look:\n\n<pre>indented &lt;x&gt;</pre>');
  });

  it('keeps the indentation and blank lines inside a code block', () => {
    expect(only('```py\ndef f():\n\n    return 1\n```').plain).toBe('def f():\n\n    return 1');
  });

  it('escapes & < > in text', () => {
    expect(only('Tom & Jerry say 1 < 2 > 0').html).toBe('Tom &amp; Jerry say 1 &lt; 2 &gt; 0');
  });

  it('decodes character references in text as Markdown does, but not in code', () => {
    const chunk = only('a &amp; b &lt;c&gt; &#x1F600; &#xD800; &copy; `&amp;`');
    expect(chunk.plain).toBe('a & b <c> 😀 \uFFFD &copy; &amp;');
    expect(chunk.html).toBe('a &amp; b &lt;c&gt; 😀 \uFFFD &amp;copy; <code>&amp;amp;</code>');
  });

  it('decodes character references in a link destination', () => {
    expect(only('[q](https://e.com/?a=1&amp;b=2)').html).toBe('<a href="https://e.com/?a=1&amp;b=2">q</a>');
  });

  it('shows raw HTML as escaped text instead of passing it through', () => {
    const chunk = only('<b>bold?</b> <script>alert(1)</script>\n\n<div>\nblock\n</div>');
    expect(chunk.html).toBe(
      '&lt;b&gt;bold?&lt;/b&gt; &lt;script&gt;alert(1)&lt;/script&gt;\n\n&lt;div&gt;\nblock\n&lt;/div&gt;',
    );
    expect(chunk.plain).toBe('<b>bold?</b> <script>alert(1)</script>\n\n<div>\nblock\n</div>');
  });

  it('renders an http link as a href and spells the URL out in plain text', () => {
    const chunk = only('See [the docs](https://example.com/a?b=1&c=2).');
    expect(chunk.html).toBe('See <a href="https://example.com/a?b=1&amp;c=2">the docs</a>.');
    expect(chunk.plain).toBe('See the docs (https://example.com/a?b=1&c=2).');
  });

  it('escapes a double quote in an href', () => {
    expect(only('[x](<https://e.com/"q">)').html).toBe('<a href="https://e.com/&quot;q&quot;">x</a>');
  });

  it('spells a URL out right after the link text, before whitespace the text ends with', () => {
    expect(only('[see ](https://e.co) more').plain).toBe('see (https://e.co)  more');
  });

  it('does not repeat the URL of an autolink in plain text', () => {
    const chunk = only('Go to https://example.com or <mailto:me@example.com> or me@example.com');
    expect(chunk.html).toBe(
      'Go to <a href="https://example.com">https://example.com</a> or ' +
        '<a href="mailto:me@example.com">mailto:me@example.com</a> or ' +
        '<a href="mailto:me@example.com">me@example.com</a>',
    );
    expect(chunk.plain).toBe('Go to https://example.com or mailto:me@example.com or me@example.com');
  });

  it('accepts tg and mailto links', () => {
    expect(only('[me](tg://user?id=1) [mail](mailto:a@b.c)').html).toBe(
      '<a href="tg://user?id=1">me</a> <a href="mailto:a@b.c">mail</a>',
    );
  });

  it('shows a link with another scheme as plain text followed by its URL', () => {
    const chunk = only('[click](javascript:alert(1)) and [rel](/docs)');
    expect(chunk.html).toBe('click (javascript:alert(1)) and rel (/docs)');
    expect(chunk.plain).toBe(chunk.html);
  });

  it('renders an image as a link to it', () => {
    expect(only('![diagram](https://e.com/d.png)').html).toBe('<a href="https://e.com/d.png">diagram</a>');
    expect(only('![](https://e.com/d.png)').html).toBe(
      '<a href="https://e.com/d.png">https://e.com/d.png</a>',
    );
  });

  it('keeps a link in a link label over the code style Telegram cannot nest in it', () => {
    expect(only('[`marked`](https://e.com) docs').html).toBe('<a href="https://e.com">marked</a> docs');
  });

  it('closes bold around inline code, which Telegram cannot nest in bold', () => {
    expect(only('**use `npm ci` now**').html).toBe('<b>use </b><code>npm ci</code><b> now</b>');
  });

  it('renders a bullet list with • items', () => {
    expect(only('- one\n- two').html).toBe('• one\n• two');
  });

  it('indents nested lists by two spaces per level', () => {
    expect(only('- a\n  - b\n    - c\n- d').plain).toBe('• a\n  • b\n    • c\n• d');
  });

  it('keeps the numbers of an ordered list, starting where it starts', () => {
    expect(only('3. three\n4. four').plain).toBe('3. three\n4. four');
  });

  it('indents a continuation paragraph of a list item under it', () => {
    expect(only('1. first\n\n   more about first\n2. second').plain).toBe(
      '1. first\n\n  more about first\n\n2. second',
    );
  });

  it('shows task list items with ballot boxes', () => {
    expect(only('- [ ] todo\n- [x] done').plain).toBe('• ☐ todo\n• ☑ done');
  });

  it('renders a blockquote as blockquote and marks its lines for plain readers', () => {
    const chunk = only('> quoted **words**\n> go on\n\nafter');
    expect(chunk.html).toBe('<blockquote>quoted <b>words</b>\ngo on</blockquote>\n\nafter');
    expect(chunk.plain).toBe('│ quoted words\n│ go on\n\nafter');
  });

  it('flattens a nested blockquote, which Telegram cannot nest', () => {
    expect(only('> outer\n>\n> > inner').html).toBe('<blockquote>outer\n\ninner</blockquote>');
  });

  it('renders a horizontal rule as a line of ———', () => {
    expect(only('above\n\n---\n\nbelow').html).toBe('above\n\n———\n\nbelow');
  });

  it('separates paragraphs by one blank line', () => {
    expect(only('one\n\n\n\ntwo\nthree').html).toBe('one\n\ntwo\nthree');
  });

  it('renders a table as a pre block with padded columns and a rule under the header', () => {
    const chunk = only('| Name | **Role** |\n|------|------|\n| Ann | lead |\n| Bo | dev |');
    expect(chunk.html).toBe('<pre>Name │ Role\n─────┼─────\nAnn  │ lead\nBo   │ dev</pre>');
    expect(chunk.plain).toBe('Name │ Role\n─────┼─────\nAnn  │ lead\nBo   │ dev');
  });

  it('pads table columns by display width, counting CJK and emoji as two columns', () => {
    expect(only('| a | b |\n|---|---|\n| 世界 | 👍🏽 |\n| x | y |').plain).toBe(
      'a    │ b\n─────┼───\n世界 │ 👍🏽\nx    │ y',
    );
  });

  it('aligns table columns as the delimiter row says', () => {
    expect(only('| l | c | r |\n|:--|:-:|--:|\n| 1 | 2 | 3 |\n| long | long | long |').plain).toBe(
      'l    │  c   │    r\n─────┼──────┼─────\n1    │  2   │    3\nlong │ long │ long',
    );
  });

  it('escapes markup characters inside a table', () => {
    expect(only('| a<b |\n|---|\n| & |').html).toBe('<pre>a&lt;b\n───\n&amp;</pre>');
  });

  it('gives no messages for an answer with nothing visible', () => {
    expect(formatForTelegram('  \n\n ')).toEqual([]);
    expect(formatForTelegram('', { attribution: 'coder' })).toEqual([]);
  });

  it('cleans control characters as Telegram would, so a message is never blank to Telegram', () => {
    expect(formatForTelegram('\u0000\u0007\u202E')).toEqual([]);
    expect(only('a\u0000b\u2028c').plain).toBe('a bc');
  });

  it('replaces a lone surrogate in the answer so every message is valid UTF-16', () => {
    expect(only('bad \uD800 char').plain).toBe('bad \uFFFD char');
  });
});

describe('formatForTelegram attribution', () => {
  it('starts the message with the agent name in italics followed by ": "', () => {
    const chunk = only('Done.', 'coder');
    expect(chunk.html).toBe('<i>coder:</i> Done.');
    expect(chunk.plain).toBe('coder: Done.');
  });

  it('renders an agent id with underscores literally', () => {
    const chunk = only('Hi', 'my_code_agent');
    expect(chunk.html).toBe('<i>my_code_agent:</i> Hi');
    expect(chunk.plain).toBe('my_code_agent: Hi');
  });

  it('escapes an agent id with markup characters', () => {
    expect(only('Hi', 'a<b>&c').html).toBe('<i>a&lt;b&gt;&amp;c:</i> Hi');
  });

  it('puts the attribution on the first message only', () => {
    const chunks = formatForTelegram('word '.repeat(40), { attribution: 'coder', limit: 50 });
    expect(chunks.length).toBeGreaterThan(2);
    expect(chunks[0]?.plain.startsWith('coder: word')).toBe(true);
    expect(chunks.slice(1).every((chunk) => !chunk.plain.includes('coder'))).toBe(true);
  });
});

describe('formatForTelegram splitting', () => {
  it("uses Telegram's 4096 limit by default", () => {
    const chunks = formatForTelegram(`${'a'.repeat(3000)}\n\n${'b'.repeat(3000)}`);
    expect(TELEGRAM_MESSAGE_LIMIT).toBe(4096);
    expect(chunks.map((chunk) => chunk.plain)).toEqual(['a'.repeat(3000), 'b'.repeat(3000)]);
  });

  it('counts an escaped character as one toward the limit', () => {
    const chunks = formatForTelegram('<'.repeat(50), { limit: 50 });
    expect(chunks).toHaveLength(1);
    expect(chunks[0]?.html).toBe('&lt;'.repeat(50));
  });

  it('keeps a code block whole in one message when it fits', () => {
    const code = Array.from({ length: 6 }, (_, n) => `line ${n}`).join('\n');
    const chunks = formatForTelegram(`${'intro '.repeat(8)}\n\n\`\`\`sh\n${code}\n\`\`\`\n\nafter`, {
      limit: 60,
    });
    expect(chunks.map((chunk) => chunk.html)).toEqual([
      'intro intro intro intro intro intro intro intro',
      `<pre><code class="language-sh">${code}</code></pre>\n\nafter`,
    ]);
  });

  it('splits a code block larger than a message on line boundaries, reopening it in each message', () => {
    const lines = Array.from({ length: 30 }, (_, n) => `print(${n})`);
    const chunks = formatForTelegram(`\`\`\`python\n${lines.join('\n')}\n\`\`\``, { limit: 100 });
    expect(chunks.length).toBeGreaterThan(2);
    for (const chunk of chunks) {
      expect(chunk.html).toMatch(
        /^<pre><code class="language-python">print\(\d+\)(\nprint\(\d+\))*<\/code><\/pre>$/,
      );
    }
    expect(chunks.flatMap((chunk) => chunk.plain.split('\n'))).toEqual(lines);
  });

  it('closes and reopens a bold span cut between messages', () => {
    const chunks = formatForTelegram(`**${'bold '.repeat(20)}end**`, { limit: 50 });
    expect(chunks.length).toBeGreaterThan(1);
    for (const chunk of chunks) expect(chunk.html).toMatch(/^<b>[^<]*<\/b>$/);
  });

  it('splits a 10,000-character answer into at least three messages, in order', () => {
    const paragraphs = Array.from({ length: 100 }, (_, n) => `Paragraph ${n}: ${'lorem ipsum '.repeat(8)}`);
    const markdown = paragraphs.join('\n\n');
    expect(markdown.length).toBeGreaterThanOrEqual(10_000);
    const chunks = formatForTelegram(markdown);
    expect(chunks.length).toBeGreaterThanOrEqual(3);
    const received = chunks.flatMap((chunk) => chunk.plain.split('\n\n'));
    expect(received.map((p) => p.trimEnd())).toEqual(paragraphs.map((p) => p.trimEnd()));
  });
});

describe('test helpers', () => {
  it('readTelegramHtml rejects what Telegram would reject or this module must not write', () => {
    for (const bad of [
      '<b><i>x</b></i>',
      '<b>open',
      '</b>',
      '<script>x</script>',
      'a < b',
      'a > b',
      '&nbsp;',
      '<a href="javascript:x">x</a>',
      '<b><code>x</code></b>',
      '<blockquote><blockquote>x</blockquote></blockquote>',
      '<code class="language-js">x</code>',
    ]) {
      expect(() => readTelegramHtml(bad), bad).toThrow();
    }
    expect(
      readTelegramHtml('<blockquote><pre><code class="language-js">a&lt;b</code></pre></blockquote>'),
    ).toBe('a<b');
  });

  it('isWholeUpToWhitespace rejects a lost, changed or reordered character', () => {
    expect(isWholeUpToWhitespace('ab cd\n\nef', ['ab', 'cd', 'ef'])).toBe(true);
    expect(isWholeUpToWhitespace('ab cd ef', ['ab', 'c', 'ef'])).toBe(false);
    expect(isWholeUpToWhitespace('ab cd ef', ['ab', 'ef', 'cd'])).toBe(false);
    expect(isWholeUpToWhitespace('ab.cd', ['ab', 'cd'])).toBe(false);
    expect(isWholeUpToWhitespace('ab\n  cd', ['ab', '  cd'])).toBe(true);
    expect(isWholeUpToWhitespace('ab cd', ['ab', '  cd'])).toBe(false);
    expect(isWholeUpToWhitespace('ab cd x', ['ab', 'cd'])).toBe(false);
  });
});

const words = fc.oneof(
  fc.constantFrom('hello', 'world', 'Praktor', 'a', 'the', 'agent_id', 'snake_case_name', '3.'),
  fc.constantFrom('👍🏽', '👨‍👩‍👧‍👦', '🇺🇦', '❤️', '🏳️‍🌈', '世界', '日本語のテキスト', '𝒜𝒷𝒸', '𠀋', 'é', 'ñ'),
  fc.constantFrom('<', '>', '&', '&amp;', '<b>', '</i>', '"q"', "'", '|'),
  fc.string({ unit: 'grapheme', maxLength: 12 }),
  fc.string({ unit: 'binary', maxLength: 8 }),
  fc.string({
    unit: fc.constantFrom('x', 'é', '👍🏽', '世', '𝒜', '👨‍👩‍👧‍👦'),
    minLength: 40,
    maxLength: 1200,
    size: 'max',
  }),
);

const syntax = fc.constantFrom(
  ' ',
  ' ',
  ' ',
  '\n',
  '\n\n',
  '\n- ',
  '\n  - ',
  '\n    - ',
  '\n1. ',
  '\n> ',
  '\n> > ',
  '\n# ',
  '\n### ',
  '**',
  '__',
  '*',
  '_',
  '`',
  '~~',
  '\n```js\n',
  '\n```\n',
  '\n~~~\n',
  '[link](https://e.co/a_b)',
  '[`code` **label**](tg://user?id=1)',
  '![img](http://x.io/i.png)',
  '<https://a.io>',
  '[bad](javascript:x)',
  '\n| a | **b** |\n|---|:-:|\n| 世界 | 👍🏽 |\n',
  '\n\n    indented code\n',
  '\n---\n',
  '\n<div>\n',
  '\\*',
  '- [ ] ',
  '  \n',
  '\t',
);

const markdownish = (maxLength: number) =>
  fc
    .array(fc.oneof({ weight: 3, arbitrary: words }, { weight: 2, arbitrary: syntax }), {
      maxLength,
      size: 'max',
    })
    .map((parts) => parts.join(''));

const attributions = fc.constantFrom(undefined, 'coder', 'my_agent_2', 'a<b>&c');
const limits = fc.oneof(fc.constantFrom(8, 50, 80, TELEGRAM_MESSAGE_LIMIT), fc.integer({ min: 8, max: 400 }));

describe('formatForTelegram properties', () => {
  it('keeps every message within the limit, as visible text and as plain text', () => {
    fc.assert(
      fc.property(markdownish(150), attributions, limits, (markdown, attribution, limit) => {
        for (const chunk of formatForTelegram(markdown, { attribution, limit })) {
          expect(readTelegramHtml(chunk.html).length).toBeLessThanOrEqual(limit);
          expect(chunk.plain.length).toBeLessThanOrEqual(limit);
        }
      }),
      { numRuns: 200 },
    );
  });

  it('writes well-formed HTML with only allowed tags in every message', () => {
    fc.assert(
      fc.property(markdownish(150), attributions, limits, (markdown, attribution, limit) => {
        for (const chunk of formatForTelegram(markdown, { attribution, limit })) {
          expect(() => readTelegramHtml(chunk.html)).not.toThrow();
        }
      }),
      { numRuns: 200 },
    );
  });

  it('never leaves a lone surrogate in a message', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), markdownish(100), limits, (noise, markdown, limit) => {
        const input = `${markdown}${noise}\uDC00${noise.slice(0, 3)}\uD83D`;
        for (const chunk of formatForTelegram(input, { attribution: 'coder', limit })) {
          expect(chunk.html).not.toMatch(LONE_SURROGATE);
          expect(chunk.plain).not.toMatch(LONE_SURROGATE);
        }
      }),
    );
  });

  it('loses nothing but whitespace at the cuts, in visible and in plain text', () => {
    fc.assert(
      fc.property(markdownish(150), attributions, limits, (markdown, attribution, limit) => {
        const whole = unsplit(markdown, attribution);
        const chunks = formatForTelegram(markdown, { attribution, limit });
        if (!whole) {
          expect(chunks).toEqual([]);
          return;
        }
        const visible = chunks.map((chunk) => readTelegramHtml(chunk.html));
        expect(visible.every((text) => text.trim() !== '')).toBe(true);
        expect(isWholeUpToWhitespace(readTelegramHtml(whole.html), visible)).toBe(true);
        // The generated URLs are at most 25 characters long, so from a limit of 50 no plain URL is dropped.
        if (limit >= 50) {
          expect(
            isWholeUpToWhitespace(
              whole.plain,
              chunks.map((chunk) => chunk.plain),
            ),
          ).toBe(true);
        }
      }),
      { numRuns: 200 },
    );
  });

  it('splits any answer of 10,000 visible characters into at least three messages, in order', () => {
    const text = fc
      .array(fc.constantFrom('word', 'слово', '世界', '👍🏽', '𝒜𝒷𝒸', '\n', '\n\n', ' ', ' '), {
        minLength: 1,
        maxLength: 50,
        size: 'max',
      })
      .map((parts) => parts.join(''));
    fc.assert(
      fc.property(fc.array(text, { minLength: 1, maxLength: 50, size: 'max' }), (pieces) => {
        let markdown = pieces.join(' ');
        while (markdown.replace(/\s/g, '').length < 10_000) markdown += ` ${pieces.join(' ')} word`;
        const chunks = formatForTelegram(markdown);
        expect(chunks.length).toBeGreaterThanOrEqual(3);
        expect(
          isWholeUpToWhitespace(
            (unsplit(markdown) as TelegramChunk).plain,
            chunks.map((chunk) => chunk.plain),
          ),
        ).toBe(true);
      }),
      { numRuns: 30 },
    );
  });
});
