import { describe, expect, test } from 'vitest';
import { printable, printableLines } from './printable.js';

describe('printable', () => {
  test('writes an escape sequence that would retitle a terminal as visible text', () => {
    expect(printable('token\u001b]0;pwned\u0007')).toBe('token\\x1b]0;pwned\\x07');
  });

  test('escapes line breaks and tabs, so a name cannot forge a line of output', () => {
    expect(printable('a\nSecret "b" deleted\r\t')).toBe('a\\x0aSecret "b" deleted\\x0d\\x09');
  });

  test('escapes DEL and the C1 controls, which some terminals read as escape sequences', () => {
    expect(printable('\u007f\u0080\u009b31m\u009f')).toBe('\\x7f\\x80\\x9b31m\\x9f');
  });

  test('keeps every other character, letters beyond ASCII and emoji included', () => {
    const text = 'Grüße, 東京 ✓ 🚀 \u00a0"quoted" \\x1b';
    expect(printable(text)).toBe(text);
  });
});

describe('printableLines', () => {
  test('keeps the line breaks between lines and escapes every other control character', () => {
    expect(printableLines('a.b: bad\nagents["x\u001b[2J"]: bad')).toBe('a.b: bad\nagents["x\\x1b[2J"]: bad');
  });
});
