import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { numberedName, safeUploadName } from './upload-names.js';

describe('safeUploadName', () => {
  test('keeps an ordinary name as it is', () => {
    expect(safeUploadName('Rechnung März 2026.pdf', 'application/pdf')).toBe('Rechnung März 2026.pdf');
  });

  test('keeps only the last part of a path', () => {
    expect(safeUploadName('../../CLAUDE.md', 'text/markdown')).toBe('upload-CLAUDE.md');
    expect(safeUploadName('C:\\Users\\ann\\notes.txt', 'text/plain')).toBe('notes.txt');
  });

  test('never names an instruction file, whatever its case', () => {
    expect(safeUploadName('AGENT.md', 'text/markdown')).toBe('upload-AGENT.md');
    expect(safeUploadName('claude.MD', 'text/markdown')).toBe('upload-claude.MD');
  });

  test('never makes a dotfile', () => {
    expect(safeUploadName('.bashrc', 'text/plain')).toBe('bashrc');
    expect(safeUploadName('...', 'text/plain')).toBe('file.txt');
  });

  test('replaces control characters, NUL among them', () => {
    expect(safeUploadName('a\u0000b\nc.txt', 'text/plain')).toBe('a_b_c.txt');
  });

  test('names a file that came without a name by its kind and type', () => {
    expect(safeUploadName(null, 'image/jpeg', 'photo')).toBe('photo.jpg');
    expect(safeUploadName(null, 'application/x-unknown')).toBe('file');
  });

  test('shortens a long name and keeps its extension', () => {
    const name = safeUploadName(`${'x'.repeat(300)}.pdf`, 'application/pdf');
    expect(name).toBe(`${'x'.repeat(96)}.pdf`);
  });

  test('shortens a name of many-byte letters to fit a file system', () => {
    const name = safeUploadName(`${'漢'.repeat(90)}.txt`, 'text/plain');
    expect(Buffer.byteLength(name)).toBeLessThanOrEqual(200);
    expect(name.endsWith('.txt')).toBe(true);
  });

  test('any name at all becomes one safe file name', () => {
    fc.assert(
      fc.property(
        fc.option(
          fc.oneof(
            fc.string({ unit: 'binary', maxLength: 120 }),
            fc.string({
              unit: fc.constantFrom('a', '.', '/', '\\', '\u0000', ' ', '漢', 'é', '\n', '-'),
              maxLength: 300,
            }),
          ),
        ),
        (raw) => {
          const name = safeUploadName(raw, 'text/plain');
          expect(name.length).toBeGreaterThan(0);
          expect([...name].length).toBeLessThanOrEqual(100);
          expect(name).not.toMatch(/[/\\]|\p{Cc}/u);
          expect(name.startsWith('.')).toBe(false);
          expect(['claude.md', 'agent.md']).not.toContain(name.toLowerCase());
          expect(Buffer.byteLength(name)).toBeLessThanOrEqual(200);
        },
      ),
    );
  });
});

describe('numberedName', () => {
  test('numbers the stem and keeps the extension', () => {
    expect(numberedName('report.pdf', 1)).toBe('report.pdf');
    expect(numberedName('report.pdf', 2)).toBe('report-2.pdf');
    expect(numberedName('README', 3)).toBe('README-3');
  });

  test('stays within the length limit', () => {
    expect([...numberedName(`${'y'.repeat(96)}.pdf`, 12)].length).toBeLessThanOrEqual(100);
  });
});
