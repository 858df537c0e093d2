import { describe, expect, it } from 'vitest';
import { messageOf } from './errors.js';

describe('messageOf', () => {
  it('gives an Error’s message', () => {
    expect(messageOf(new TypeError('bad input'))).toBe('bad input');
  });

  it('gives a thrown string as it is, and anything else as text', () => {
    expect(messageOf('plain words')).toBe('plain words');
    expect(messageOf(42)).toBe('42');
    expect(messageOf(null)).toBe('null');
  });
});
