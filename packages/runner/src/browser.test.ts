/**
 * Which browser an agent gets: the first Chromium on its PATH, and a plain word to the agent when there is none.
 */
import { chmodSync, mkdtempSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { browserSetup, findChromium } from './browser.js';

const made: string[] = [];

function folderWith(files: Record<string, number>): string {
  const dir = mkdtempSync(join(tmpdir(), 'praktor-browser-'));
  made.push(dir);
  for (const [name, mode] of Object.entries(files)) {
    writeFileSync(join(dir, name), '#!/bin/sh\n');
    chmodSync(join(dir, name), mode);
  }
  return dir;
}

afterEach(() => {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('the agent’s browser', () => {
  it('is the first Chromium on the PATH that can be run, under any of its usual names', () => {
    const notRunnable = folderWith({ chromium: 0o644 });
    const ubuntu = folderWith({ 'chromium-browser': 0o755 });
    expect(findChromium(`/nonexistent:${notRunnable}:${ubuntu}`)).toBe(join(ubuntu, 'chromium-browser'));
  });

  it('puts playwright-cli beside the PATH with Chromium headless, its own sandbox off, and no downloads', () => {
    const bin = folderWith({ chromium: 0o755 });
    const home = folderWith({});
    const setup = browserSetup({ PATH: bin }, join(home, 'bin'));
    expect(setup.env).toMatchObject({
      PATH: `${join(home, 'bin')}:${bin}`,
      PLAYWRIGHT_MCP_EXECUTABLE_PATH: join(bin, 'chromium'),
      PLAYWRIGHT_MCP_HEADLESS: 'true',
      PLAYWRIGHT_MCP_SANDBOX: 'false',
      PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD: '1',
    });
    expect(readlinkSync(join(home, 'bin', 'playwright-cli'))).toMatch(
      /@playwright\/cli\/playwright-cli\.js$/,
    );
    expect(setup.section).toMatch(/^BROWSER\nplaywright-cli drives a headless Chromium/);
  });

  it('tells the agent plainly that it has no browser when the machine has no Chromium', () => {
    const setup = browserSetup({ PATH: folderWith({}) }, join(folderWith({}), 'bin'));
    expect(setup).toMatchObject({ chromium: null, env: {} });
    expect(setup.section).toContain('No browser is available where you run');
  });
});
