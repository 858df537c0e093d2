/**
 * The USER.md and AGENT.md editors never lose an edit silently, in real Chromium against a real gateway: leaving by
 * the menu with unsaved changes asks first; Cancel keeps the edit on screen, Leave goes and discards it; with
 * nothing unsaved the menu just goes.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { type Stack, startStack } from '@praktor/testkit';
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DESKTOP, launchChromium, requireChromium, SCREENSHOTS } from './browser-harness.js';

const BUILD_SCRIPT = fileURLToPath(new URL('../scripts/build.mjs', import.meta.url));

const missing = requireChromium('the unsaved edits browser tests');

describe.skipIf(missing !== null)('leaving an editor with unsaved changes', () => {
  let stack: Stack;
  let browser: Browser;
  let page: Page;
  const pageErrors: string[] = [];

  async function open(path: string): Promise<void> {
    await page.goto(`${stack.praktor.webUrl}${path}`);
  }

  beforeAll(async () => {
    execFileSync(process.execPath, [BUILD_SCRIPT], { stdio: 'inherit' });
    stack = await startStack();
    browser = await launchChromium();
    page = await (await browser.newContext({ viewport: DESKTOP, colorScheme: 'dark' })).newPage();
    page.on('pageerror', (err) => pageErrors.push(err.message));
    mkdirSync(SCREENSHOTS, { recursive: true });
  });

  afterEach(() => {
    expect(pageErrors.splice(0), 'uncaught errors in the page').toEqual([]);
  });

  afterAll(async () => {
    await browser?.close();
    await stack?.close();
  });

  it('asks before leaving USER.md by the menu, and Cancel keeps the edit', async () => {
    await open('/user');
    const editor = page.getByTestId('user-md-textarea');
    await expect.poll(() => editor.isEnabled()).toBe(true);
    await editor.fill('# About me\nI like tea.');
    await page.getByTestId('nav-agents').click();
    const dialog = page.getByTestId('confirm-dialog');
    await dialog.waitFor();
    expect(await dialog.textContent()).toContain('Your changes to USER.md are not saved');
    expect(new URL(page.url()).pathname).toBe('/user');
    await page.screenshot({ path: `${SCREENSHOTS}unsaved-edit-asks.png`, animations: 'disabled' });
    await page.getByTestId('confirm-cancel').click();
    await dialog.waitFor({ state: 'detached' });
    expect(new URL(page.url()).pathname).toBe('/user');
    expect(await editor.inputValue()).toBe('# About me\nI like tea.');
    expect(await page.getByTestId('user-md-status').textContent()).toBe('Unsaved changes');
    await page.getByRole('button', { name: 'Discard changes' }).click();
  });

  it('leaves AGENT.md on Leave, and the unsaved edit is gone', async () => {
    await open('/agents/general');
    const editor = page.getByTestId('agent-md-textarea');
    await expect.poll(() => editor.isEnabled()).toBe(true);
    const saved = await editor.inputValue();
    await editor.fill(`${saved}\nAn edit nobody saves.`);
    await page.getByTestId('nav-tasks').click();
    await page.getByTestId('confirm-dialog').waitFor();
    expect(await page.getByTestId('confirm-dialog').textContent()).toContain('Your changes to AGENT.md');
    await page.getByTestId('confirm-ok').click();
    await page.waitForURL('**/tasks');
    await page.getByTestId('nav-agents').click();
    await page.waitForURL('**/agents');
    await open('/agents/general');
    await expect.poll(() => page.getByTestId('agent-md-textarea').inputValue()).toBe(saved);
  });

  it('leaves at once when nothing is unsaved', async () => {
    await open('/user');
    await expect.poll(() => page.getByTestId('user-md-textarea').isEnabled()).toBe(true);
    await page.getByTestId('nav-agents').click();
    await page.waitForURL('**/agents');
    expect(await page.getByTestId('confirm-dialog').count()).toBe(0);
  });
});
