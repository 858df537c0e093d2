import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { ensureGlobalFiles, USER_MD_TEMPLATE } from './workspace-files.js';

let dataDir: string;

beforeEach(() => {
  dataDir = mkdtempSync(join(tmpdir(), 'praktor-global-'));
});

afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

const modeOf = (path: string) => (statSync(path).mode & 0o777).toString(8);

describe('ensureGlobalFiles', () => {
  test('creates the global folder 0700 and USER.md from the template, 0600', () => {
    expect(ensureGlobalFiles(dataDir)).toEqual([]);
    expect(modeOf(join(dataDir, 'global'))).toBe('700');
    expect(modeOf(join(dataDir, 'global', 'USER.md'))).toBe('600');
    expect(readFileSync(join(dataDir, 'global', 'USER.md'), 'utf8')).toBe(USER_MD_TEMPLATE);
  });

  test('narrows a global folder and USER.md that others can read, keeps the text, and says so', () => {
    const global = join(dataDir, 'global');
    mkdirSync(global);
    chmodSync(global, 0o755);
    writeFileSync(join(global, 'USER.md'), '# Ada\n', { mode: 0o644 });
    expect(ensureGlobalFiles(dataDir)).toEqual([
      { path: global, was: '0755', now: '0700' },
      { path: join(global, 'USER.md'), was: '0644', now: '0600' },
    ]);
    expect(readFileSync(join(global, 'USER.md'), 'utf8')).toBe('# Ada\n');
    expect(modeOf(global)).toBe('700');
  });
});
