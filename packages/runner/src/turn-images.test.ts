import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { imageBlocks, imageTypeOf } from './turn-images.js';

const PNG = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 1, 2, 3]);
const JPEG = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 9, 9]);

describe('the type of an image, by its bytes', () => {
  it('knows JPEG, PNG, GIF and WebP signatures', () => {
    expect(imageTypeOf(JPEG)).toBe('image/jpeg');
    expect(imageTypeOf(PNG)).toBe('image/png');
    expect(imageTypeOf(Buffer.from('GIF89a...'))).toBe('image/gif');
    expect(imageTypeOf(Buffer.from('RIFF\u0000\u0000\u0000\u0000WEBPVP8 '))).toBe('image/webp');
  });

  it('is none for text, however it was named', () => {
    expect(imageTypeOf(Buffer.from('the full photo'))).toBeNull();
    expect(imageTypeOf(Buffer.alloc(0))).toBeNull();
  });
});

describe('image blocks for a turn', () => {
  let workspace: string;
  const lines: string[] = [];

  beforeAll(() => {
    workspace = mkdtempSync(join(tmpdir(), 'praktor-turn-images-'));
    mkdirSync(join(workspace, 'uploads'));
    writeFileSync(join(workspace, 'uploads/a.png'), PNG);
    writeFileSync(join(workspace, 'uploads/b.jpg'), Buffer.from('not a photo'));
    // Said to be PNG by its sender, JPEG by its bytes: the bytes win.
    writeFileSync(join(workspace, 'uploads/c.png'), JPEG);
  });

  afterAll(() => {
    rmSync(workspace, { recursive: true, force: true });
  });

  it('reads each image from the workspace as base64, typed by its bytes, leaving out what is not one', async () => {
    const blocks = await imageBlocks(
      workspace,
      [
        { path: 'uploads/a.png', mediaType: 'image/png' },
        { path: 'uploads/b.jpg', mediaType: 'image/jpeg' },
        { path: 'uploads/c.png', mediaType: 'image/png' },
        { path: 'uploads/gone.png', mediaType: 'image/png' },
      ],
      (line) => lines.push(line),
    );
    expect(blocks).toEqual([
      { type: 'image', source: { type: 'base64', media_type: 'image/png', data: PNG.toString('base64') } },
      { type: 'image', source: { type: 'base64', media_type: 'image/jpeg', data: JPEG.toString('base64') } },
    ]);
    expect(lines).toEqual([
      'uploads/b.jpg is not a JPEG, PNG, GIF or WebP image after all; only its note goes with the turn',
      expect.stringMatching(
        /^image uploads\/gone\.png could not be read, so the model does not see it: ENOENT/,
      ),
    ]);
  });
});
