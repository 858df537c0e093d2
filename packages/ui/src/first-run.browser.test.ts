/**
 * A newcomer's first run, in real Chromium against a real gateway: started without a model key, the Dashboard's
 * Setup card names the variable and the chat's answer says what to set, and a misspelt key is shown with the key
 * meant; restarted with a key and the key fixed, both cards are gone and the chat works. Each step leaves a
 * screenshot.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import {
  defaultHandler,
  type FakeAnthropic,
  type PraktorProcess,
  reply,
  startFakeAnthropic,
  startPraktor,
} from '@praktor/testkit';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DESKTOP, launchChromium, requireChromium, SCREENSHOTS } from './browser-harness.js';

const BUILD_SCRIPT = fileURLToPath(new URL('../scripts/build.mjs', import.meta.url));

const missing = requireChromium('the first-run browser test');

/** A newcomer's praktor.yaml: one agent, nothing else. */
const CONFIG = { agents: { general: { description: 'My assistant' } } };
/** The same, as first written: with a misspelt key. */
const CONFIG_WITH_TYPO = { ...CONFIG, defaults: { idle_timout: '5m' } };

describe.skipIf(missing !== null)('a newcomer’s first run', () => {
  let anthropic: FakeAnthropic;
  let praktor: PraktorProcess | null = null;
  let browser: Browser;
  const pageErrors: string[] = [];

  async function open(path: string): Promise<Page> {
    const page = await (await browser.newContext({ viewport: DESKTOP, colorScheme: 'dark' })).newPage();
    page.on('pageerror', (err) => pageErrors.push(err.message));
    await page.goto(`${praktor?.webUrl}${path}`);
    return page;
  }

  async function say(page: Page, text: string): Promise<string> {
    await page.getByTestId('composer-input').fill(text);
    await page.getByTestId('composer-send').click();
    const asked = page.locator('[data-testid="message"][data-role="user"]').filter({ hasText: text });
    await asked.waitFor();
    const id = await asked.getAttribute('data-message-id');
    const answer = page.locator(`[data-testid="message"]:not([data-role="user"])`).last();
    await page.waitForFunction(
      (question) =>
        [...document.querySelectorAll('[data-testid="message"]')].some(
          // Settled: an answer still being delivered carries a "Delivering" note for an instant.
          (el) =>
            el.getAttribute('data-role') !== 'user' &&
            el.getAttribute('data-state') !== 'pending' &&
            Number(el.getAttribute('data-message-id')) > question,
        ),
      Number(id),
      { timeout: 30_000 },
    );
    // The answer's own text: the bubble also carries its speaker, time and cost.
    return (await answer.locator('.bubble-text').textContent()) ?? '';
  }

  beforeAll(async () => {
    execFileSync(process.execPath, [BUILD_SCRIPT], { stdio: 'inherit' });
    anthropic = await startFakeAnthropic({
      handler: (req) =>
        req.kind === 'main' ? reply.text(`Hello! You said: ${req.lastUserText}`) : defaultHandler(req),
    });
    browser = await launchChromium();
    mkdirSync(SCREENSHOTS, { recursive: true });
  });

  afterAll(async () => {
    await browser?.close();
    await praktor?.stop();
    praktor?.cleanup();
    await anthropic?.close();
  });

  it('starts without a key: the Dashboard’s Setup card names the variable to set, and the misspelt key', async () => {
    praktor = await startPraktor({
      config: CONFIG_WITH_TYPO,
      anthropicUrl: anthropic.url,
      env: { ANTHROPIC_API_KEY: '' },
    });
    const page = await open('/');
    const card = page.getByTestId('setup-card');
    await card.waitFor();
    const credentials = card.locator('[data-id="model_credentials"]');
    expect(await credentials.getAttribute('data-ok')).toBe('false');
    expect(await credentials.textContent()).toContain('ANTHROPIC_API_KEY');
    expect(await page.getByTestId('config-warning').allTextContents()).toEqual([
      'unknown key "defaults.idle_timout" is ignored (did you mean "idle_timeout"?)',
    ]);
    await page.screenshot({ path: `${SCREENSHOTS}first-run-1-setup-card.png`, animations: 'disabled' });
  });

  it('answers the first message with what to set, where, and to restart', async () => {
    const page = await open('/conversations/general');
    const answer = await say(page, 'Hi there');
    expect(answer).toContain('Praktor has no credentials for the model API');
    expect(answer).toContain('set ANTHROPIC_API_KEY');
    expect(answer).toContain('restart Praktor');
    expect(anthropic.requests.filter((r) => r.kind === 'main')).toEqual([]);
    await page.screenshot({
      path: `${SCREENSHOTS}first-run-2-answer-says-what-to-set.png`,
      animations: 'disabled',
    });
  });

  it('restarted with a key and the key fixed: the cards are gone and the chat works', async () => {
    const home = praktor?.home;
    await praktor?.stop();
    praktor = await startPraktor({ config: CONFIG, anthropicUrl: anthropic.url, home });
    const dashboard = await open('/');
    await dashboard.getByTestId('stat-agents').waitFor();
    await dashboard.getByTestId('stat-version').filter({ hasText: /\d/ }).waitFor();
    expect(await dashboard.getByTestId('setup-card').count()).toBe(0);
    expect(await dashboard.getByTestId('config-warnings').count()).toBe(0);
    await dashboard.screenshot({ path: `${SCREENSHOTS}first-run-3-setup-done.png`, animations: 'disabled' });
    const chat = await open('/conversations/general');
    // The first question, never answered, is still in the session: the model sees both.
    expect(await say(chat, 'Second try')).toMatch(/Hello! You said: .*Second try$/s);
    await chat.screenshot({ path: `${SCREENSHOTS}first-run-4-chat-works.png`, animations: 'disabled' });
    expect(pageErrors).toEqual([]);
  });
});
