import { describe, expect, it } from 'vitest';
import { escapeHtml, plainText, runsToHtml, visibleText } from './html.js';
import type { Mark, Run } from './rich.js';
import { telegramMarks } from './rich.js';

const bold: Mark = { kind: 'b' };
const italic: Mark = { kind: 'i' };
const quote: Mark = { kind: 'blockquote' };

describe('runsToHtml', () => {
  it('escapes & < > in text', () => {
    expect(escapeHtml('a < b && c > d')).toBe('a &lt; b &amp;&amp; c &gt; d');
  });

  it('shares a tag between adjacent runs that both carry it', () => {
    expect(
      runsToHtml([
        { text: 'a', marks: [bold] },
        { text: 'b', marks: [bold, italic] },
      ]),
    ).toBe('<b>a<i>b</i></b>');
  });

  it('closes every tag it opened', () => {
    expect(runsToHtml([{ text: 'q', marks: [quote, bold, italic] }])).toBe(
      '<blockquote><b><i>q</i></b></blockquote>',
    );
  });

  it('escapes a double quote in a link', () => {
    expect(runsToHtml([{ text: 'x', marks: [{ kind: 'a', href: 'https://e.co/"' }] }])).toBe(
      '<a href="https://e.co/&quot;">x</a>',
    );
  });

  it('leaves plain-only runs out of the HTML and the visible text, but not the plain text', () => {
    const runs: Run[] = [
      { text: 'label', marks: [] },
      { text: ' (https://e.co)', marks: [], plainOnly: 'trailing' },
    ];
    expect(runsToHtml(runs)).toBe('label');
    expect(visibleText(runs)).toBe('label');
    expect(plainText(runs)).toBe('label (https://e.co)');
  });
});

describe('telegramMarks', () => {
  it('keeps only the outermost of nested blockquotes', () => {
    expect(telegramMarks([quote, bold, quote])).toEqual([quote, bold]);
  });

  it('lets nothing but a blockquote around a code block', () => {
    expect(telegramMarks([quote, bold, { kind: 'pre', language: 'js' }])).toEqual([
      quote,
      { kind: 'pre', language: 'js' },
    ]);
  });

  it('drops the code style inside a link and the bold around code elsewhere', () => {
    const link: Mark = { kind: 'a', href: 'https://e.co' };
    expect(telegramMarks([bold, link, { kind: 'code' }])).toEqual([bold, link]);
    expect(telegramMarks([bold, { kind: 'code' }])).toEqual([{ kind: 'code' }]);
  });
});
