import { describe, expect, it } from 'vitest';
import { layoutTable } from './table.js';
import { displayWidth } from './width.js';

describe('displayWidth', () => {
  it('counts a Latin letter with a combining accent as one column', () => {
    expect(displayWidth('e\u0301')).toBe(1);
  });

  it('counts CJK characters and emoji as two columns', () => {
    expect(displayWidth('世界')).toBe(4);
    expect(displayWidth('👨‍👩‍👧‍👦')).toBe(2);
    expect(displayWidth('🇺🇦')).toBe(2);
    expect(displayWidth('❤️')).toBe(2);
  });

  it('counts an astral letter as one column', () => {
    expect(displayWidth('𝒜')).toBe(1);
  });
});

describe('layoutTable', () => {
  it('pads cells a row lacks', () => {
    expect(layoutTable(['a', 'b'], [['1']], [null, null])).toBe('a │ b\n──┼──\n1 │');
  });

  it('gives an empty column a width of one', () => {
    expect(layoutTable(['', 'x'], [['', 'y']], [null, null])).toBe('  │ x\n──┼──\n  │ y');
  });
});
