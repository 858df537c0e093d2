import { describe, expect, it } from 'vitest';
import { ApiError } from './api-error.js';
import { CAPTION, formatText, MESSAGE_TEXT } from './formatted-text.js';

function rejection(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    if (error instanceof ApiError) return error.description;
    throw error;
  }
  throw new Error('expected the text to be rejected');
}

describe('formatText', () => {
  it('drops carriage returns and turns tabs into spaces, shifting entities', () => {
    expect(formatText('a\r\n\t<b>b</b>', 'HTML', undefined, MESSAGE_TEXT)).toEqual({
      text: 'a\n b',
      entities: [{ type: 'bold', offset: 3, length: 1 }],
    });
  });

  it('moves an entity start past leading whitespace and drops whitespace-only entities', () => {
    expect(formatText('x<b> y</b><i> </i>z', 'HTML', undefined, MESSAGE_TEXT).entities).toEqual([
      { type: 'bold', offset: 2, length: 1 },
    ]);
  });

  it('keeps leading whitespace that an entity starts after, trimming only before the first entity', () => {
    expect(formatText('  <a href="https://x.io"> </a>y', 'HTML', undefined, MESSAGE_TEXT)).toEqual({
      text: ' y',
      entities: [{ type: 'text_link', offset: 0, length: 1, url: 'https://x.io' }],
    });
  });

  it('uses explicit entities instead of parsing parse_mode', () => {
    const entities = [{ type: 'bold', offset: 0, length: 3 }];
    expect(formatText('<b>', 'HTML', entities, MESSAGE_TEXT)).toEqual({ text: '<b>', entities });
  });

  it('rejects an explicit entity that runs past the text', () => {
    expect(
      rejection(() => formatText('ab', undefined, [{ type: 'bold', offset: 1, length: 5 }], MESSAGE_TEXT)),
    ).toBe('Bad Request: can\'t parse entities: invalid entity {"type":"bold","offset":1,"length":5}');
  });

  it('allows an empty caption but not an empty message', () => {
    expect(formatText('', undefined, undefined, CAPTION)).toEqual({ text: '', entities: [] });
    expect(rejection(() => formatText('<b></b>', 'html', undefined, MESSAGE_TEXT))).toBe(
      'Bad Request: message text is empty',
    );
  });

  it('limits captions to 1024 characters', () => {
    expect(rejection(() => formatText('x'.repeat(1025), undefined, undefined, CAPTION))).toBe(
      'Bad Request: message caption is too long',
    );
  });
});
