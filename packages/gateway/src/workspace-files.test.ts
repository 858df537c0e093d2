import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
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
