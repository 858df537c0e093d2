/**
 * The conversation's search box in real Chromium against a real gateway: it finds messages by word stem, also
 * from before a reset, and only the chosen agent's.
 */
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { eventually, reply, type Stack, startStack } from '@praktor/testkit';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DESKTOP, launchChromium, requireChromium } from './browser-harness.js';

const BUILD_SCRIPT = fileURLToPath(new URL('../scripts/build.mjs', import.meta.url));
const missing = requireChromium('the conversation search browser tests');

describe.skipIf(missing !== null)('searching a conversation', () => {
  let stack: Stack;
  let browser: Browser;

  async function say(agent: string, text: string): Promise<void> {
    const base = `${stack.praktor.webUrl}/api/agents/definitions/${agent}/messages`;
    const sent = await fetch(base, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ text }),
    });
    const { message } = (await sent.json()) as { message: { id: number } };
    await eventually(
      `the answer to "${text}"`,
      async () => (await (await fetch(base)).json()) as { in_reply_to: number | null }[],
      (list) => list.some((m) => m.in_reply_to === message.id),
      { timeoutMs: 60_000 },
    );
  }

  beforeAll(async () => {
    execFileSync(process.execPath, [BUILD_SCRIPT], { stdio: 'inherit' });
    stack = await startStack({
      handler: (req) => reply.text(req.kind === 'main' ? `heard: ${req.lastUserText}` : 'side call'),
      config: () => ({ agents: { general: {}, coder: {} }, router: { default_agent: 'general' } }),
    });
    browser = await launchChromium();
    await say('general', 'I ran along the canal this morning');
    await say('general', '/reset');
    await say('general', 'What is the weather like?');
    await say('coder', 'the canal module needs tests');
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await stack?.close();
  });

  it('finds what was said before the reset, by word, and only with this agent', async () => {
    const page = await (await browser.newContext({ viewport: DESKTOP })).newPage();
    await page.goto(`${stack.praktor.webUrl}/conversations/general`);
    await page.getByTestId('conversation-search').fill('canals');
    const results = page.getByTestId('conversation-search-result');
    await expect.poll(() => results.count(), { timeout: 15_000 }).toBe(2);
    const texts = await results.allTextContents();
    expect(texts.some((t) => t.includes('You') && t.includes('I ran along the canal this morning'))).toBe(
      true,
    );
    expect(texts.some((t) => t.includes('heard: I ran along the canal this morning'))).toBe(true);
    expect(texts.join(' ')).not.toContain('canal module');
    await page.getByTestId('conversation-search').fill('zebra');
    await page.getByText('Nothing found.').waitFor({ timeout: 15_000 });
  });
});
