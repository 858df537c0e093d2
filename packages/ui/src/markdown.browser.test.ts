/**
 * Agents' answers in the web chat, in real Chromium against a real gateway: their Markdown is rendered as formatted
 * text (headings, bold, lists, a table, highlighted code), and HTML in an answer is shown, never run.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { defaultHandler, type ModelRequest, reply, type Stack, startStack } from '@praktor/testkit';
import type { Browser, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DESKTOP, launchChromium, requireChromium, SCREENSHOTS } from './browser-harness.js';

const BUILD_SCRIPT = fileURLToPath(new URL('../scripts/build.mjs', import.meta.url));

const missing = requireChromium('the Markdown browser tests');

const FIXTURE = [
  '## Build report',
  '',
  'The build is **green** and _fast_.',
  '',
  '- compile',
  '- test',
  '',
  '1. first',
  '2. second',
  '',
  '| Step | Time |',
  '| ---- | ---- |',
  '| lint | 2 s |',
  '',
  '```ts',
  'const answer: number = 42; // the answer',
  '```',
  '',
  '<script>window.__ran = true</script>',
  '',
  '<img src="x" onerror="window.__ran = true">',
  '',
  '[docs](javascript:window.__ran=true)',
].join('\n');

function model(req: ModelRequest) {
  if (req.kind !== 'main') return defaultHandler(req);
  return reply.text(req.lastUserText === 'report please' ? FIXTURE : `echo: ${req.lastUserText}`);
}

describe.skipIf(missing !== null)('Markdown in the web chat', () => {
  let stack: Stack;
  let browser: Browser;
  let page: Page;
  let answer: Locator;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    execFileSync(process.execPath, [BUILD_SCRIPT], { stdio: 'inherit' });
    stack = await startStack({ handler: model });
    browser = await launchChromium();
    page = await (await browser.newContext({ viewport: DESKTOP, colorScheme: 'dark' })).newPage();
    page.on('pageerror', (err) => pageErrors.push(err.message));
    await page.goto(`${stack.praktor.webUrl}/conversations/general`);
    await page.getByTestId('composer-input').fill('report please');
    await page.getByTestId('composer-send').click();
    answer = page
      .locator('[data-testid="message"][data-role="assistant"]')
      .filter({ hasText: 'Build report' });
    await answer.waitFor();
  });

  afterAll(async () => {
    await browser?.close();
    await stack?.close();
  });

  it('renders headings, bold and italic text', async () => {
    expect(await answer.locator('h2').textContent()).toBe('Build report');
    expect(await answer.locator('strong').textContent()).toBe('green');
    expect(await answer.locator('em').textContent()).toBe('fast');
  });

  it('renders bulleted and numbered lists', async () => {
    expect(await answer.locator('ul > li').allTextContents()).toEqual(['compile', 'test']);
    expect(await answer.locator('ol > li').allTextContents()).toEqual(['first', 'second']);
  });

  it('renders a table', async () => {
    expect(await answer.locator('th').allTextContents()).toEqual(['Step', 'Time']);
    expect(await answer.locator('td').allTextContents()).toEqual(['lint', '2 s']);
  });

  it('renders a code block with its code highlighted', async () => {
    const code = answer.locator('pre > code');
    expect(await code.textContent()).toBe('const answer: number = 42; // the answer\n');
    expect(await code.locator('.hljs-keyword').first().textContent()).toBe('const');
    expect(await code.locator('.hljs-comment').textContent()).toBe('// the answer');
  });

  it('shows HTML from the model as text and runs none of it', async () => {
    expect(await answer.locator('script, img').count()).toBe(0);
    expect(await answer.textContent()).toContain('<script>window.__ran = true</script>');
    expect(await page.evaluate('window.__ran')).toBeUndefined();
    const link = answer.locator('a', { hasText: 'docs' });
    expect(await link.getAttribute('href')).toBeNull();
    expect(pageErrors).toEqual([]);
    mkdirSync(SCREENSHOTS, { recursive: true });
    await page.screenshot({ path: `${SCREENSHOTS}chat-markdown.png`, animations: 'disabled' });
  });
});
