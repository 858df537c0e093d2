import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
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
