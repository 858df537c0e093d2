import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { globalDir } from './runtimes/layout.js';
import { ensureGlobalFiles, readUserProfile, USER_MD_TEMPLATE, writeUserProfile } from './workspace-files.js';

describe('USER.md', () => {
  let dataDir: string;

  beforeEach(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'praktor-user-md-'));
  });

  afterEach(() => {
    rmSync(dataDir, { recursive: true, force: true });
  });

  test('reads as empty before it exists', () => {
    expect(readUserProfile(dataDir)).toBe('');
  });

  test('starts from the template', () => {
    ensureGlobalFiles(dataDir);
    expect(readUserProfile(dataDir)).toBe(USER_MD_TEMPLATE);
  });

  test('is replaced whole, leaving no other file beside it', () => {
    ensureGlobalFiles(dataDir);
    writeUserProfile(dataDir, '# About me\nAda\n');
    expect(readUserProfile(dataDir)).toBe('# About me\nAda\n');
    expect(readFileSync(join(globalDir(dataDir), 'USER.md'), 'utf8')).toBe('# About me\nAda\n');
    expect(readdirSync(globalDir(dataDir))).toEqual(['USER.md']);
  });

  test('is written even when the shared folder does not exist yet', () => {
    writeUserProfile(dataDir, 'first');
    expect(readUserProfile(dataDir)).toBe('first');
  });
});

describe('ensureGlobalFiles', () => {
  let dataDir: string;

  beforeEach(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'praktor-global-'));
  });

  afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

  const modeOf = (path: string) => (statSync(path).mode & 0o777).toString(8);
  test('creates the global folder and USER.md from the template, readable by sandboxes that run as another user', () => {
    ensureGlobalFiles(dataDir);
    expect(modeOf(join(dataDir, 'global'))).toBe('755');
    expect(modeOf(join(dataDir, 'global', 'USER.md'))).toBe('644');
    expect(readFileSync(join(dataDir, 'global', 'USER.md'), 'utf8')).toBe(USER_MD_TEMPLATE);
  });

  test('keeps a USER.md that exists, word for word', () => {
    const global = join(dataDir, 'global');
    mkdirSync(global);
    writeFileSync(join(global, 'USER.md'), '# Ada\n');
    ensureGlobalFiles(dataDir);
    expect(readFileSync(join(global, 'USER.md'), 'utf8')).toBe('# Ada\n');
  });
});
