/**
 * Packing and reading archives, checked against GNU tar: what one writes the other reads, owners and modes included.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { firstFileOf, tarOf } from './tar.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'praktor-tar-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** `tar -tv` of an archive: type, mode, owner, name and link target of every entry. */
function listing(archive: Buffer): string[] {
  const file = join(dir, 'archive.tar');
  writeFileSync(file, archive);
  return execFileSync('tar', ['--numeric-owner', '-tvf', file], { encoding: 'utf8' })
    .trim()
    .split('\n')
    .map((line) => {
      const [mode, owner, , , , ...rest] = line.split(/\s+/);
      return `${mode} ${owner} ${rest.join(' ')}`;
    });
}

describe('tarOf', () => {
  it('writes folders, files and symlinks that GNU tar lists with their modes and owners', async () => {
    const archive = await tarOf([
      { name: '.ssh/', type: 'dir', mode: 0o700, uid: 10321, gid: 10321 },
      { name: '.ssh/id', type: 'symlink', mode: 0o777, uid: 10321, gid: 10321, target: '/run/s/0' },
      { name: 'AGENT.md', type: 'file', mode: 0o644, uid: 0, gid: 0, content: Buffer.from('# me\n') },
    ]);
    expect(listing(archive)).toEqual([
      'drwx------ 10321/10321 .ssh/',
      'lrwxrwxrwx 10321/10321 .ssh/id -> /run/s/0',
      '-rw-r--r-- 0/0 AGENT.md',
    ]);
  });

  it('writes the exact bytes of a file, whatever its length', async () => {
    const content = Buffer.from(Array.from({ length: 1300 }, (_, i) => i % 251));
    const archive = await tarOf([{ name: 'f.bin', type: 'file', mode: 0o600, uid: 0, gid: 0, content }]);
    writeFileSync(join(dir, 'a.tar'), archive);
    execFileSync('tar', ['-xf', join(dir, 'a.tar'), '-C', dir]);
    expect(execFileSync('cat', [join(dir, 'f.bin')])).toEqual(content);
  });

  it('splits a long path at a folder so that it keeps every character', async () => {
    const name = `${'folder-name/'.repeat(10)}a-file-with-a-long-name.json`;
    const archive = await tarOf([
      { name, type: 'file', mode: 0o600, uid: 0, gid: 0, content: Buffer.from('x') },
    ]);
    expect(listing(archive)).toEqual([`-rw------- 0/0 ${name}`]);
  });

  it('keeps a path too long for ustar whole, in a pax header', async () => {
    const name = `${'x'.repeat(150)}/${'y'.repeat(150)}`;
    const archive = await tarOf([
      { name, type: 'file', mode: 0o600, uid: 0, gid: 0, content: Buffer.from('x') },
    ]);
    expect(listing(archive)).toEqual([`-rw------- 0/0 ${name}`]);
  });
});

describe('firstFileOf', () => {
  it('reads the file of an archive made by GNU tar, past its extended headers', async () => {
    const name = `${'é'.repeat(60)}.md`;
    writeFileSync(join(dir, name), 'identity\n');
    const archive = execFileSync('tar', ['--format=pax', '-C', dir, '-cf', '-', name]);
    expect((await firstFileOf(archive))?.toString()).toBe('identity\n');
  });

  it('reads back the file it packed after a folder and a symlink', async () => {
    const content = Buffer.from(Array.from({ length: 70_000 }, (_, i) => (i * 13) % 256));
    const archive = await tarOf([
      { name: 'd/', type: 'dir', mode: 0o755, uid: 0, gid: 0 },
      { name: 'd/link', type: 'symlink', mode: 0o777, uid: 0, gid: 0, target: '/elsewhere' },
      { name: 'd/f.bin', type: 'file', mode: 0o600, uid: 0, gid: 0, content },
    ]);
    expect((await firstFileOf(archive))?.equals(content)).toBe(true);
  });

  it('finds nothing in an archive of a folder alone', async () => {
    const archive = await tarOf([{ name: 'd/', type: 'dir', mode: 0o755, uid: 0, gid: 0 }]);
    expect(await firstFileOf(archive)).toBeNull();
  });
});
