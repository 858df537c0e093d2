import { describe, expect, it } from 'vitest';
import { extensionOfMediaType, mediaTypeOfName } from './media-types.js';

describe('mediaTypeOfName', () => {
  it('knows a file by its extension, in any case', () => {
    expect(mediaTypeOfName('chart.PNG')).toBe('image/png');
    expect(mediaTypeOfName('holiday.jpeg')).toBe('image/jpeg');
  });

  it('reads only the last extension of a name or path', () => {
    expect(mediaTypeOfName('/tmp/report.v2/notes.tar.pdf')).toBe('application/pdf');
  });

  it('knows no type for an unknown extension, a name without one, or a dotfile', () => {
    expect([mediaTypeOfName('data.bin'), mediaTypeOfName('Makefile'), mediaTypeOfName('.png')]).toEqual([
      undefined,
      undefined,
      undefined,
    ]);
  });
});

describe('extensionOfMediaType', () => {
  it('gives a type its usual extension', () => {
    expect(extensionOfMediaType('image/jpeg')).toBe('.jpg');
    expect(extensionOfMediaType('audio/ogg')).toBe('.ogg');
  });

  it('gives no extension to a type it does not know', () => {
    expect(extensionOfMediaType('application/x-unknown')).toBeUndefined();
  });
});
