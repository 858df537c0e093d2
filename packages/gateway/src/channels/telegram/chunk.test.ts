import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MIN_CHUNK_LIMIT, splitRuns } from './chunk.js';
import { plainText, runsToHtml, visibleText } from './html.js';
import type { Mark, Run } from './rich.js';
import { isWholeUpToWhitespace } from './whole.test-support.js';

const bold: Mark = { kind: 'b' };
const link: Mark = { kind: 'a', href: 'https://e.co' };
const code: Mark = { kind: 'pre', language: 'js' };
const quote: Mark = { kind: 'blockquote' };

function run(text: string, ...marks: Mark[]): Run {
  return { text, marks };
}

function visibleChunks(runs: readonly Run[], limit: number): string[] {
  return splitRuns(runs, limit).map(visibleText);
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

describe('splitRuns', () => {
  it('returns everything as one chunk when it fits', () => {
    expect(visibleChunks([run('short '), run('text', bold)], 50)).toEqual(['short text']);
  });

  it('cuts at the last paragraph break that fits rather than at a later line break or space', () => {
    expect(visibleChunks([run('para one\n\nline two\nline three')], 25)).toEqual([
      'para one',
      'line two\nline three',
    ]);
  });

  it('cuts at a line break rather than at a later space', () => {
    expect(visibleChunks([run('line one\nline two words here')], 25)).toEqual([
      'line one',
      'line two words here',
    ]);
  });

  it('cuts at a space rather than inside a word', () => {
    expect(visibleChunks([run('alpha beta gamma')], 12)).toEqual(['alpha beta', 'gamma']);
  });

  it('cuts a word longer than the limit at the limit', () => {
    expect(visibleChunks([run('abcdefghijklmnopqrstuvwxyz')], 10)).toEqual([
      'abcdefghij',
      'klmnopqrst',
      'uvwxyz',
    ]);
  });

  it('consumes the whitespace at a cut but keeps the indentation of the next line', () => {
    expect(visibleChunks([run('first   \n    second')], 12)).toEqual(['first', '    second']);
  });

  it('keeps an emoji ZWJ sequence whole at a cut', () => {
    const family = '👨‍👩‍👧‍👦';
    expect(visibleChunks([run(`${'x'.repeat(45)}${family}y`)], 50)).toEqual(['x'.repeat(45), `${family}y`]);
  });

  it('keeps a flag and a skin-toned emoji whole at a cut', () => {
    expect(visibleChunks([run(`${'x'.repeat(14)}🇺🇦👍🏽`)], 16)).toEqual(['x'.repeat(14), '🇺🇦👍🏽']);
  });

  it('never cuts inside a surrogate pair', () => {
    const chunks = visibleChunks([run('𝒜'.repeat(10))], 9);
    expect(chunks).toEqual(['𝒜'.repeat(4), '𝒜'.repeat(4), '𝒜'.repeat(2)]);
  });

  it('cuts a grapheme too long for a chunk between its code points, never inside a surrogate pair', () => {
    const grapheme = `a${'\u{1D167}'.repeat(30)}`;
    const chunks = visibleChunks([run(grapheme)], 20);
    expect(chunks.join('')).toBe(grapheme);
    for (const chunk of chunks) {
      expect(chunk.length).toBeLessThanOrEqual(20);
      expect(chunk).not.toMatch(LONE_SURROGATE);
    }
  });

  it('reopens the marks of a run that a cut falls inside', () => {
    const chunks = splitRuns([run('bold words ', bold), run('linked words', bold, link)], 12);
    expect(chunks.map(runsToHtml)).toEqual([
      '<b>bold words</b>',
      '<b><a href="https://e.co">linked words</a></b>',
    ]);
  });

  it('cuts before a code block that fits rather than at a line break inside it', () => {
    const chunks = visibleChunks(
      [run('intro line\n'), run('code 1\ncode 2\ncode 3', code), run('\noutro')],
      30,
    );
    expect(chunks).toEqual(['intro line', 'code 1\ncode 2\ncode 3\noutro']);
  });

  it('cuts a code block too long for a chunk at its line breaks, reopening it in each chunk', () => {
    const chunks = splitRuns([run('one\ntwo\nthree\nfour', code)], 10);
    expect(chunks.map(runsToHtml)).toEqual([
      '<pre><code class="language-js">one\ntwo</code></pre>',
      '<pre><code class="language-js">three\nfour</code></pre>',
    ]);
  });

  it('keeps the spaces of a code line cut between words', () => {
    expect(visibleChunks([run('aaaa bbbb cccc', code)], 10)).toEqual(['aaaa bbbb', ' cccc']);
  });

  it("never separates a link's plain-only URL from the link text", () => {
    const runs: Run[] = [
      run('aaaa '),
      run('cccccc', link),
      { text: ' (tg://x)', marks: [], plainOnly: 'trailing' },
    ];
    const chunks = splitRuns(runs, 18);
    expect(chunks.map(plainText)).toEqual(['aaaa', 'cccccc (tg://x)']);
    expect(chunks.map(visibleText)).toEqual(['aaaa', 'cccccc']);
  });

  it('never separates a quote bar from the line it starts', () => {
    const bar: Run = { text: '│ ', marks: [quote], plainOnly: 'leading' };
    const chunks = splitRuns([run('abcdefg\n', quote), bar, run('hijklmnop', quote)], 10);
    for (const chunk of chunks) expect(plainText(chunk).endsWith('│ ')).toBe(false);
    expect(chunks.map(plainText)).toEqual(['abcdefg', '│ hijklmno', 'p']);
  });

  it('counts plain-only text toward the plain length only', () => {
    const runs: Run[] = [
      run('abcdefghijklmn', link),
      { text: ' (tg://x)', marks: [], plainOnly: 'trailing' },
    ];
    expect(splitRuns(runs, 23)).toHaveLength(1);
    const chunks = splitRuns(runs, 20);
    expect(chunks.map(plainText)).toEqual(['abcdefghijklm', 'n (tg://x)']);
    expect(chunks.map(visibleText)).toEqual(['abcdefghijklm', 'n']);
  });

  it('leaves out plain-only text longer than half the limit', () => {
    const url = ` (https://e.co/${'p'.repeat(20)})`;
    const chunks = splitRuns([run('label', link), { text: url, marks: [], plainOnly: 'trailing' }], 40);
    expect(chunks.map(plainText)).toEqual(['label']);
  });

  it(`rejects a limit below ${MIN_CHUNK_LIMIT} or not a whole number`, () => {
    expect(() => splitRuns([run('x')], MIN_CHUNK_LIMIT - 1)).toThrow(RangeError);
    expect(() => splitRuns([run('x')], 10.5)).toThrow(RangeError);
  });
});

const marks = fc.subarray<Mark>([quote, bold, { kind: 'i' }, link, code]);
const text = fc.oneof(
  fc.string({ unit: 'grapheme', maxLength: 30 }),
  fc.string({
    unit: fc.constantFrom('a', ' ', '\n', '👨‍👩‍👧‍👦', '𝒜', '世', '<', '&'),
    maxLength: 120,
    size: 'max',
  }),
);
const runs = fc
  .array(
    fc.record({
      text,
      marks,
      url: fc.option(fc.constantFrom(' (https://e.co)', ' (tg://user?id=1)'), { nil: undefined }),
    }),
    { maxLength: 30, size: 'max' },
  )
  .map((parts) =>
    parts.flatMap(({ text, marks, url }): Run[] =>
      url && /[^ \t\n]$/.test(text)
        ? [
            { text, marks },
            { text: url, marks: [], plainOnly: 'trailing' },
          ]
        : [{ text, marks }],
    ),
  );

describe('splitRuns properties', () => {
  it('keeps every chunk within the limit, loses nothing but whitespace at cuts, and cuts no surrogate pair', () => {
    fc.assert(
      fc.property(runs, fc.integer({ min: 40, max: 200 }), (input, limit) => {
        const chunks = splitRuns(input, limit);
        for (const chunk of chunks) {
          expect(visibleText(chunk).length).toBeLessThanOrEqual(limit);
          expect(plainText(chunk).length).toBeLessThanOrEqual(limit);
          expect(plainText(chunk)).not.toMatch(LONE_SURROGATE);
        }
        expect(isWholeUpToWhitespace(visibleText(input), chunks.map(visibleText))).toBe(true);
        expect(isWholeUpToWhitespace(plainText(input), chunks.map(plainText))).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it('never starts a chunk with plain-only text that belongs to the text before it', () => {
    fc.assert(
      fc.property(runs, fc.integer({ min: 40, max: 200 }), (input, limit) => {
        for (const chunk of splitRuns(input, limit)) expect(chunk[0]?.plainOnly).not.toBe('trailing');
      }),
      { numRuns: 300 },
    );
  });
});
