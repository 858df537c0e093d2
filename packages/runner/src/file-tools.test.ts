import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { mimeTypeOf, sendablePath } from './file-tools.js';

describe('sendablePath', () => {
  let root: string;
  let workspace: string;
  let tmp: string;

  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'file-send-'));
    workspace = join(root, 'workspace');
    tmp = join(root, 'tmp');
    mkdirSync(join(workspace, 'charts'), { recursive: true });
    mkdirSync(tmp);
    writeFileSync(join(workspace, 'charts', 'sales.png'), 'png');
    writeFileSync(join(tmp, 'report.pdf'), 'pdf');
    writeFileSync(join(root, 'elsewhere.txt'), 'secret');
  });

  it('takes a path relative to the workspace', () => {
    expect(sendablePath('charts/sales.png', workspace, tmp)).toBe(join(workspace, 'charts', 'sales.png'));
  });

  it('takes an absolute path in the temporary folder', () => {
    expect(sendablePath(join(tmp, 'report.pdf'), workspace, tmp)).toBe(join(tmp, 'report.pdf'));
  });

  it('refuses a path that climbs out of the workspace', () => {
    expect(() => sendablePath('../elsewhere.txt', workspace, tmp)).toThrow(
      `../elsewhere.txt is outside your workspace and ${tmp}`,
    );
  });

  it('refuses a link in the workspace that leads outside', () => {
    symlinkSync(join(root, 'elsewhere.txt'), join(workspace, 'innocent.txt'));
    expect(() => sendablePath('innocent.txt', workspace, tmp)).toThrow('is outside your workspace');
  });

  it('refuses a folder, and names a file that is not there', () => {
    expect(() => sendablePath('charts', workspace, tmp)).toThrow('charts is not a file');
    expect(() => sendablePath('missing.png', workspace, tmp)).toThrow('missing.png does not exist');
  });
});

describe('mimeTypeOf', () => {
  it('knows common types by extension, whatever the case', () => {
    expect(mimeTypeOf('chart.PNG')).toBe('image/png');
    expect(mimeTypeOf('notes.pdf')).toBe('application/pdf');
    expect(mimeTypeOf('data.bin')).toBe('application/octet-stream');
  });
});
