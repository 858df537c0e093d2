/**
 * Hot reload and pairing in Mission Control, in real Chromium against a real gateway: a broken praktor.yaml shows a
 * banner naming the key path, live, which goes once the file is fixed; a new Telegram user's pairing request is
 * approved from the Pairing page.
 */
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defaultStackConfig, type Stack, startStack } from '@praktor/testkit';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DESKTOP, launchChromium, requireChromium } from './browser-harness.js';

const BUILD_SCRIPT = fileURLToPath(new URL('../scripts/build.mjs', import.meta.url));
const missing = requireChromium('the reload and pairing browser tests');

describe.skipIf(missing !== null)('Mission Control for reloads and pairing', () => {
  let stack: Stack;
  let browser: Browser;
  let page: Page;
  let config: Record<string, unknown>;

  beforeAll(async () => {
    execFileSync(process.execPath, [BUILD_SCRIPT], { stdio: 'inherit' });
    stack = await startStack({
      config: (urls) => {
        const base = defaultStackConfig(urls);
        config = { ...base, telegram: { ...(base.telegram as object), pairing: true } };
        return config;
      },
    });
    browser = await launchChromium();
    page = await (await browser.newContext({ viewport: DESKTOP })).newPage();
    await page.goto(stack.praktor.webUrl);
    await page.getByRole('heading', { name: 'Dashboard' }).waitFor();
  });

  afterAll(async () => {
    await browser?.close();
    await stack?.close();
  });

  const write = (text: string) => writeFileSync(join(stack.praktor.home, 'praktor.yaml'), text);

  it('shows a banner naming the broken key while the file is broken, and hides it once fixed', async () => {
    write(JSON.stringify({ ...config, defaults: { max_running: 'many' } }));
    const banner = page.getByTestId('config-problem');
    await banner.waitFor({ timeout: 15_000 });
    expect(await banner.textContent()).toContain('defaults.max_running');
    write(JSON.stringify(config));
    await banner.waitFor({ state: 'detached', timeout: 15_000 });
  });

  it('approves a pairing request from the Pairing page', async () => {
    stack.telegram.sendText({ userId: 4242, text: 'hello, may I come in?' });
    await page.getByTestId('nav-pairing').click();
    const request = page.getByTestId('pairing-request');
    await request.waitFor({ timeout: 15_000 });
    await page.getByTestId('pairing-approve').click();
    await page.getByTestId('paired-user').waitFor({ timeout: 15_000 });
    expect(await page.getByTestId('paired-user').textContent()).toContain('4242');
    expect(await page.getByTestId('pairing-request').count()).toBe(0);
  });
});
