import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { graphemes } from './graphemes.js';

const segmenter = new Intl.Segmenter(undefined, { granularity: 'grapheme' });
const segmentAtOnce = (text: string) => Array.from(segmenter.segment(text), ({ segment }) => segment);

describe('graphemes', () => {
  it('keeps emoji sequences, flags and accented letters whole', () => {
    expect(graphemes('👨‍👩‍👧‍👦🇺🇦🇺🇦e\u0301👍🏽')).toEqual(['👨‍👩‍👧‍👦', '🇺🇦', '🇺🇦', 'e\u0301', '👍🏽']);
  });

  it('keeps an emoji ZWJ sequence whole wherever a window edge falls inside it', () => {
    const family = '👨‍👩‍👧‍👦';
    for (let before = 240; before <= 260; before++) {
      expect(graphemes(`${'x'.repeat(before)}${family}y`).at(-2)).toBe(family);
    }
  });

  it('keeps a grapheme longer than its window whole', () => {
    const long = `a${'\u0301'.repeat(1000)}`;
    expect(graphemes(`${long}b`)).toEqual([long, 'b']);
  });

  it('splits a long text in linear time', () => {
    const started = performance.now();
    expect(graphemes('x'.repeat(300_000))).toHaveLength(300_000);
    expect(performance.now() - started).toBeLessThan(2_000);
  });

  it('agrees with segmenting the whole text at once, across window edges', () => {
    const piece = fc.constantFrom(
      'x',
      ' ',
      '\n',
      '👨‍👩‍👧‍👦',
      '🇺',
      '🇦',
      '\u0301',
      '\u200D',
      '👍',
      '🏽',
      '𝒜',
      '世',
      'क्',
      'ष',
    );
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 800, size: 'max' }), (pieces) => {
        const text = pieces.join('');
        expect(graphemes(text)).toEqual(segmentAtOnce(text));
      }),
      { numRuns: 200 },
    );
  });
});
