/**
 * The web chat's *New conversation* and *Stop* in real Chromium against a real gateway: a new conversation is marked
 * in the chat and the model's next request starts at turn 1; Stop ends a streaming answer within a second, and the
 * message shows as stopped, never failed.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { defaultHandler, type ModelRequest, reply, type Stack, startStack } from '@praktor/testkit';
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DESKTOP, launchChromium, requireChromium, SCREENSHOTS } from './browser-harness.js';

const BUILD_SCRIPT = fileURLToPath(new URL('../scripts/build.mjs', import.meta.url));
const SLOW = 'tell me a long story';

const missing = requireChromium('the chat controls browser tests');

function model(req: ModelRequest) {
  if (req.kind !== 'main') return defaultHandler(req);
  // Streams for about 30 s: far longer than Stop may take.
  if (req.lastUserText === SLOW) {
    return reply.text('Once upon a time '.repeat(300), { chunkChars: 5, chunkDelayMs: 30 });
  }
  return reply.text(`echo: ${req.lastUserText}`);
}

describe.skipIf(missing !== null)('the web chat’s New conversation and Stop', () => {
  let stack: Stack;
  let browser: Browser;
  let page: Page;
  const pageErrors: string[] = [];

  const bubbles = (role: 'user' | 'assistant' | 'system') =>
    page.locator(`[data-testid="message"][data-role="${role}"]`);

  async function say(text: string): Promise<void> {
    await page.getByTestId('composer-input').fill(text);
    await page.getByTestId('composer-send').click();
  }

  beforeAll(async () => {
    execFileSync(process.execPath, [BUILD_SCRIPT], { stdio: 'inherit' });
    stack = await startStack({ handler: model });
    browser = await launchChromium();
    page = await (await browser.newContext({ viewport: DESKTOP, colorScheme: 'dark' })).newPage();
    page.on('pageerror', (err) => pageErrors.push(err.message));
    await page.goto(`${stack.praktor.webUrl}/conversations/general`);
    await page.getByTestId('chat-reset').waitFor();
    mkdirSync(SCREENSHOTS, { recursive: true });
  });

  afterEach(() => {
    expect(pageErrors.splice(0), 'uncaught errors in the page').toEqual([]);
  });

  afterAll(async () => {
    await browser?.close();
    await stack?.close();
  });

  it('starts a new conversation: a line marks it, and the model’s next request is turn 1', async () => {
    await say('remember the word mango');
    await bubbles('assistant').filter({ hasText: 'echo: remember the word mango' }).waitFor();
    await page.getByTestId('chat-reset').click();
    const note = page.getByTestId('conversation-note');
    await note.waitFor();
    expect(await note.textContent()).toMatch(/^New conversation/);
    await say('which word?');
    await bubbles('assistant').filter({ hasText: 'echo: which word?' }).waitFor();
    const request = await stack.anthropic.waitForRequest(
      (r) => r.kind === 'main' && r.lastUserText === 'which word?',
    );
    expect(request.transcript).not.toContain('mango');
    expect(request.messages.some((m) => (m as { role: string }).role === 'assistant')).toBe(false);
    await page.screenshot({ path: `${SCREENSHOTS}chat-new-conversation.png`, animations: 'disabled' });
  });

  it('stops a streaming answer within a second on Stop, and shows it stopped, not failed', async () => {
    await say(SLOW);
    const draft = page.getByTestId('message-draft');
    await draft.filter({ hasText: 'Once upon a time' }).waitFor();
    const stop = page.getByTestId('chat-stop');
    expect(await stop.isEnabled()).toBe(true);
    const clicked = Date.now();
    await stop.click();
    const asked = bubbles('user').filter({ hasText: SLOW });
    await page.waitForFunction(
      (text) =>
        [...document.querySelectorAll('[data-testid="message"][data-role="user"]')].some(
          (el) => el.textContent?.includes(text) && el.getAttribute('data-state') === 'stopped',
        ),
      SLOW,
      { timeout: 1000 },
    );
    expect(Date.now() - clicked).toBeLessThan(1000);
    expect(await asked.getByTestId('message-stopped').textContent()).toBe('Stopped: stopped by the user');
    expect(await asked.textContent()).not.toContain('Failed');
    await draft.waitFor({ state: 'detached' });
    expect(await bubbles('system').count()).toBe(0);
    await page.screenshot({ path: `${SCREENSHOTS}chat-stopped.png`, animations: 'disabled' });
  });
});
