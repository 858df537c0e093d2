/**
 * Masking secret values in text and in streams of pieces.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MASK, Masker, patternsOf } from './mask.js';

const TOKEN = 'ghp_0123456789abcdef';

function streamed(masker: Masker, pieces: string[]): { shown: string[]; all: string } {
  const stream = masker.stream();
  const shown = pieces.map((piece) => stream.push(piece));
  shown.push(stream.end());
  return { shown, all: shown.join('') };
}

describe('Masker.text', () => {
  it('masks every occurrence of a value', () => {
    const masker = new Masker(patternsOf([TOKEN]));
    expect(masker.text(`a ${TOKEN} b ${TOKEN}`)).toBe(`a ${MASK} b ${MASK}`);
  });

  it('masks a file value quoted without its trailing newline', () => {
    const masker = new Masker(patternsOf(['line-one-of-key\n']));
    expect(masker.text('the key is line-one-of-key.')).toBe(`the key is ${MASK}.`);
  });

  it('masks each long line of a multi-line value on its own', () => {
    const key = '-----BEGIN KEY-----\nMIIEvQIBADANBgkqhkiG9w0B\nAQEFAASC\n-----END KEY-----\n';
    const masker = new Masker(patternsOf([key]));
    const shown = masker.text('second line: MIIEvQIBADANBgkqhkiG9w0B!');
    expect(shown).toBe(`second line: ${MASK}!`);
  });

  it('prefers the longest value where two overlap', () => {
    const masker = new Masker(patternsOf(['abcd', 'abcdefgh']));
    expect(masker.text('xabcdefghx')).toBe(`x${MASK}x`);
  });

  it('leaves values shorter than 4 characters alone', () => {
    const masker = new Masker(patternsOf(['abc']));
    expect(masker.empty).toBe(true);
    expect(masker.text('abc abc')).toBe('abc abc');
  });
});

describe('Masker.stream', () => {
  it('masks a value split across two pieces', () => {
    const masker = new Masker(patternsOf([TOKEN]));
    const { shown, all } = streamed(masker, ['token: ghp_0123', '456789abcdef done']);
    expect(all).toBe(`token: ${MASK} done`);
    expect(shown.join('|')).not.toContain('ghp_0123');
  });

  it('holds back only what could still be the start of a value', () => {
    const masker = new Masker(patternsOf([TOKEN]));
    const stream = masker.stream();
    expect(stream.push('plain text, no secret here')).toBe('plain text, no secret here');
    expect(stream.push('and then gh')).toBe('and then ');
    expect(stream.push('x')).toBe('ghx');
    expect(stream.end()).toBe('');
  });

  it('gives back a held tail that turned out not to be a value when the stream ends', () => {
    const masker = new Masker(patternsOf([TOKEN]));
    expect(streamed(masker, ['ends with ghp_01']).all).toBe('ends with ghp_01');
  });

  it('shows the same as masking the whole text, however the text is cut, and never a value', () => {
    const secrets = ['ghp_0123456789', 'hunter2hunter2', 'aaaa-bbbb'];
    const masker = new Masker(patternsOf(secrets));
    const piece = fc.oneof(
      fc.string({ maxLength: 6 }),
      fc.constantFrom(...secrets),
      fc.constantFrom('ghp_', '0123', 'hunter', 'aaaa-', 'bbbb'),
    );
    fc.assert(
      fc.property(
        fc.array(piece, { maxLength: 12 }),
        fc.array(fc.nat(40), { maxLength: 6 }),
        (parts, cuts) => {
          const text = parts.join('');
          const points = [...new Set(cuts.map((c) => c % (text.length + 1)))].sort((a, b) => a - b);
          const pieces = [0, ...points].map((start, i) => text.slice(start, [...points, text.length][i]));
          const { all } = streamed(masker, pieces);
          expect(all).toBe(masker.text(text));
          for (const secret of secrets) expect(all.includes(secret)).toBe(false);
        },
      ),
    );
  });

  it('never holds back more than the longest value less one character', () => {
    const masker = new Masker(patternsOf([TOKEN]));
    const stream = masker.stream();
    // All but the last character of the value: exactly those are held, everything before them is shown.
    expect(stream.push(`xx${TOKEN.slice(0, -1)}`)).toBe('xx');
    expect(stream.push(`${TOKEN.slice(-1)}yy`)).toBe(`${MASK}yy`);
  });
});
