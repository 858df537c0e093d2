/**
 * The Dashboard's Health panel in real Chromium against a real gateway: the doctor's checks as the gateway finds
 * them, each problem with its fix, read-only.
 */
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { type Stack, startStack } from '@praktor/testkit';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DESKTOP, launchChromium, requireChromium } from './browser-harness.js';

const BUILD_SCRIPT = fileURLToPath(new URL('../scripts/build.mjs', import.meta.url));

const missing = requireChromium('the Health panel browser tests');

describe.skipIf(missing !== null)('the Dashboard’s Health panel', () => {
  let stack: Stack;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    execFileSync(process.execPath, [BUILD_SCRIPT], { stdio: 'inherit' });
    // Mission Control on every address without a trusted proxy: served over plain HTTP, which the panel warns of.
    stack = await startStack({
      config: ({ telegramApiRoot, telegramToken }) => ({
        telegram: { token: telegramToken, api_root: telegramApiRoot, allow_from: [1001] },
        agents: { general: {} },
        web: { host: '0.0.0.0', auth: 'health panel password 1234' },
      }),
    });
    browser = await launchChromium();
    page = await (await browser.newContext({ viewport: DESKTOP })).newPage();
    await page.goto(stack.praktor.webUrl);
    await page.getByLabel('Password').fill('health panel password 1234');
    await page.getByRole('button', { name: /sign in/i }).click();
    await page.getByRole('heading', { name: 'Dashboard' }).waitFor();
  });

  afterAll(async () => {
    await browser?.close();
    await stack?.close();
  });

  it('lists the checks, with the bot connected and the model API reached', async () => {
    const panel = page.getByTestId('health-card');
    await panel.waitFor();
    const item = (id: string) => panel.locator(`[data-testid="health-item"][data-id="${id}"]`);
    expect(await item('model_api').getAttribute('data-status')).toBe('ok');
    expect(await item('telegram').textContent()).toContain('connected as @praktor_test_bot');
  });

  it('shows no Docker hosts view when the configuration names no Docker host', async () => {
    await page.getByTestId('health-card').waitFor();
    expect(await page.getByTestId('docker-hosts').count()).toBe(0);
  });

  it('shows a warning with its fix, and offers no control that changes anything', async () => {
    const panel = page.getByTestId('health-card');
    const web = panel.locator('[data-testid="health-item"][data-id="web"]');
    expect(await web.getAttribute('data-status')).toBe('warn');
    expect(await web.textContent()).toContain('To fix: put it behind an HTTPS reverse proxy');
    expect(await panel.locator('button, input, a').count()).toBe(0);
  });
});
