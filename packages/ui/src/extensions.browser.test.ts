/**
 * The agent's Extensions tab in real Chromium against a real gateway and runner: a skill uploaded from the page
 * carries a real MCP server from npm, a server added with the form becomes connected once the agent starts, and a
 * server that cannot start shows why — live, without a reload.
 */
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import {
  bundledMemoryServer,
  MEMORY_SERVER_ARGS,
  MEMORY_SERVER_FILE,
  MEMORY_SERVER_SKILL,
  type Stack,
  startStack,
} from '@praktor/testkit';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DESKTOP, launchChromium, requireChromium } from './browser-harness.js';

const BUILD_SCRIPT = fileURLToPath(new URL('../scripts/build.mjs', import.meta.url));

const missing = requireChromium('the extensions browser tests');

describe.skipIf(missing !== null)('the Extensions panel', () => {
  let stack: Stack;
  let browser: Browser;
  let page: Page;

  /** Starts the agent's sandbox again, on the extensions saved now. */
  async function restartAgent(): Promise<void> {
    for (const action of ['stop', 'start']) {
      const response = await fetch(`${stack.praktor.webUrl}/api/agents/definitions/general/${action}`, {
        method: 'POST',
      });
      expect(response.status).toBe(200);
    }
  }

  beforeAll(async () => {
    execFileSync(process.execPath, [BUILD_SCRIPT], { stdio: 'inherit' });
    stack = await startStack({ config: () => ({ agents: { general: {} } }) });
    browser = await launchChromium();
    page = await (await browser.newContext({ viewport: DESKTOP })).newPage();
    await page.goto(`${stack.praktor.webUrl}/agents/general?tab=extensions`);
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await stack?.close();
  });

  it('uploads a skill with a file from the page', async () => {
    await page.getByTestId('skill-new').click();
    await page.getByTestId('skill-name').fill(MEMORY_SERVER_SKILL);
    await page.getByTestId('skill-description').fill('Files of the memory MCP server');
    await page.getByTestId('skill-files').setInputFiles({
      name: MEMORY_SERVER_FILE,
      mimeType: 'text/javascript',
      buffer: Buffer.from(await bundledMemoryServer()),
    });
    await page.getByTestId('skill-add').click();
    await page
      .locator(`[data-testid="skill"][data-name="${MEMORY_SERVER_SKILL}"]`)
      .waitFor({ timeout: 30_000 });
  });

  it('adds a stdio server with the form and shows it connected once the agent starts', async () => {
    await page.getByTestId('server-new').click();
    await page.getByTestId('server-name').fill('memory');
    await page.getByTestId('server-target').fill('node');
    await page.getByTestId('server-args').fill(MEMORY_SERVER_ARGS.join('\n'));
    await page.getByTestId('server-add').click();
    const row = page.locator('[data-testid="server"][data-name="memory"]');
    await row.waitFor({ timeout: 30_000 });
    expect(await row.getByTestId('server-status').textContent()).toBe('not started yet');
    await restartAgent();
    await expect
      .poll(() => row.getByTestId('server-status').textContent(), { timeout: 60_000 })
      .toBe('connected');
    expect(await row.textContent()).toContain('mcp__memory__create_entities');
  });

  it('shows why a server could not start', async () => {
    await page.getByTestId('server-new').click();
    await page.getByTestId('server-name').fill('ghost');
    await page.getByTestId('server-target').fill('no-such-mcp-command');
    await page.getByTestId('server-add').click();
    const row = page.locator('[data-testid="server"][data-name="ghost"]');
    await row.waitFor({ timeout: 30_000 });
    await restartAgent();
    await row.getByTestId('server-error').waitFor({ timeout: 60_000 });
    expect(await row.getByTestId('server-error').textContent()).toContain(
      'its command "no-such-mcp-command" is not installed',
    );
    expect(await row.getByTestId('server-status').textContent()).toBe('failed');
    await expect
      .poll(
        () =>
          page
            .locator('[data-testid="server"][data-name="memory"]')
            .getByTestId('server-status')
            .textContent(),
        { timeout: 60_000 },
      )
      .toBe('connected');
  });

  it('answers a bad server with the API’s message naming the field', async () => {
    await page.getByTestId('server-new').click();
    await page.getByTestId('server-name').fill('nowhere');
    await page.getByTestId('server-type').selectOption('http');
    await page.getByTestId('server-target').fill('not a url');
    await page.getByTestId('server-add').click();
    await page.getByTestId('extensions-save-error').waitFor({ timeout: 30_000 });
    expect(await page.getByTestId('extensions-save-error').textContent()).toContain(
      'mcp_servers.nowhere.url',
    );
  });
});
