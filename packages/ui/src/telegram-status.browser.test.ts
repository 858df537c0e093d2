/**
 * The Dashboard's Telegram card in real Chromium against a real gateway: it shows the bot connected with its name,
 * and when Telegram ends the bot's long polling it turns to failed with the reason, live, without a reload.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { eventually, type Stack, startStack, TEST_USER_ID } from '@praktor/testkit';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DESKTOP, launchChromium, requireChromium, SCREENSHOTS } from './browser-harness.js';

const BUILD_SCRIPT = fileURLToPath(new URL('../scripts/build.mjs', import.meta.url));
const CONFLICT =
  'Conflict: terminated by other getUpdates request; make sure that only one bot instance is running';

const missing = requireChromium('the Telegram status browser tests');

describe.skipIf(missing !== null)('the Dashboard’s Telegram card', () => {
  let stack: Stack;
  let browser: Browser;
  let page: Page;
  const pageErrors: string[] = [];

  const card = () => page.getByTestId('stat-telegram');
  const shown = async () => ({
    state: await card().locator('.pill').getAttribute('data-state'),
    text: (await card().textContent()) ?? '',
  });

  beforeAll(async () => {
    execFileSync(process.execPath, [BUILD_SCRIPT], { stdio: 'inherit' });
    stack = await startStack();
    browser = await launchChromium();
    page = await (await browser.newContext({ viewport: DESKTOP, colorScheme: 'dark' })).newPage();
    page.on('pageerror', (err) => pageErrors.push(err.message));
    await page.goto(stack.praktor.webUrl);
    await page.getByRole('heading', { name: 'Dashboard' }).waitFor();
    await page.evaluate('window.__notReloaded = true');
  });

  afterAll(async () => {
    await browser?.close();
    await stack?.close();
  });

  it('shows the bot connected, with its name', async () => {
    const seen = await eventually('the connected bot', shown, (s) => s.state === 'connected');
    expect(seen.text).toBe('TelegramConnected@praktor_test_bot');
  });

  it('turns to failed with the reason, live, when Telegram ends the long polling', async () => {
    stack.telegram.failNext('getUpdates', { errorCode: 409, description: CONFLICT });
    // Ends the long poll in progress, so the next one meets the conflict.
    stack.telegram.sendText({ userId: TEST_USER_ID, text: 'hello' });
    const seen = await eventually('the failed bot', shown, (s) => s.state === 'failed');
    expect(seen.text).toBe(
      `TelegramFailedanother program is taking this bot's updates (409 ${CONFLICT}): stop it, or remove its ` +
        'webhook, and restart Praktor',
    );
    expect(await page.evaluate('window.__notReloaded === true')).toBe(true);
    mkdirSync(SCREENSHOTS, { recursive: true });
    await page.screenshot({ path: `${SCREENSHOTS}dashboard-telegram-failed.png`, animations: 'disabled' });
    expect(pageErrors).toEqual([]);
  });
});
