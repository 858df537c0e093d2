/**
 * Files from the web chat in real Chromium against a real gateway: a file chosen with the attach button, or dropped
 * on the message box, goes with the message, is saved byte for byte in the agent's uploads, and shows in the
 * conversation.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defaultHandler, type ModelRequest, reply, type Stack, startStack } from '@praktor/testkit';
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DESKTOP, launchChromium, requireChromium, SCREENSHOTS } from './browser-harness.js';

const BUILD_SCRIPT = fileURLToPath(new URL('../scripts/build.mjs', import.meta.url));

const missing = requireChromium('the chat files browser tests');

const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==',
  'base64',
);
const CHART = 'draw me a chart';

function model(req: ModelRequest) {
  if (req.kind !== 'main') return defaultHandler(req);
  // The chart: written with Bash, sent with file_send, then a word.
  if (req.transcript.includes(CHART) && req.lastUserText === '') {
    const last = req.toolResults[0]?.content ?? '';
    if (last.startsWith('Sent')) return reply.text('There you go.');
    return reply.toolUse('mcp__praktor-files__file_send', { path: 'chart.png', caption: 'Your chart' });
  }
  if (req.lastUserText === CHART) {
    return reply.toolUse('Bash', {
      command: `printf '%s' '${PNG.toString('base64')}' | base64 -d > chart.png`,
      description: 'draw',
    });
  }
  const saved = req.lastUserText.match(/saved in your workspace at (\S+)\]/)?.[1];
  return reply.text(saved ? `I have ${saved}` : `echo: ${req.lastUserText}`);
}

describe.skipIf(missing !== null)('files in the web chat', () => {
  let stack: Stack;
  let browser: Browser;
  let page: Page;
  const pageErrors: string[] = [];
  const uploads = () => join(stack.praktor.dataDir, 'agents', 'general', 'workspace', 'uploads');

  beforeAll(async () => {
    execFileSync(process.execPath, [BUILD_SCRIPT], { stdio: 'inherit' });
    stack = await startStack({ handler: model });
    browser = await launchChromium();
    page = await (await browser.newContext({ viewport: DESKTOP, colorScheme: 'dark' })).newPage();
    page.on('pageerror', (err) => pageErrors.push(err.message));
    await page.goto(`${stack.praktor.webUrl}/conversations/general`);
    await page.getByTestId('composer-attach').waitFor();
    mkdirSync(SCREENSHOTS, { recursive: true });
  });

  afterEach(() => {
    expect(pageErrors.splice(0), 'uncaught errors in the page').toEqual([]);
  });

  afterAll(async () => {
    await browser?.close();
    await stack?.close();
  });

  it('sends a file chosen with the attach button, with the message', async () => {
    const bytes = Buffer.from('name,amount\nrent,900\n');
    await page
      .getByTestId('composer-file')
      .setInputFiles({ name: 'budget.csv', mimeType: 'text/csv', buffer: bytes });
    await expect.poll(() => page.getByTestId('composer-attachment').textContent()).toContain('budget.csv');
    await page.getByTestId('composer-input').fill('please check my budget');
    await page.getByTestId('composer-send').click();
    const answer = page.locator('[data-testid="message"][data-role="assistant"]', {
      hasText: 'I have uploads/budget.csv',
    });
    await answer.waitFor();
    const question = page.locator('[data-testid="message"][data-role="user"]', {
      hasText: 'please check my budget',
    });
    expect(await question.textContent()).toContain('uploads/budget.csv');
    expect(await page.getByTestId('composer-attachment').count()).toBe(0);
    expect(readFileSync(join(uploads(), 'budget.csv')).equals(bytes)).toBe(true);
    await page.screenshot({ path: `${SCREENSHOTS}chat-file-sent.png`, animations: 'disabled' });
  });

  it('takes a file dropped on the message box, and sends it without text', async () => {
    await page.getByTestId('composer').evaluate((form) => {
      const transfer = new DataTransfer();
      transfer.items.add(new File(['dropped bytes'], 'notes.txt', { type: 'text/plain' }));
      form.dispatchEvent(
        new DragEvent('dragover', { dataTransfer: transfer, bubbles: true, cancelable: true }),
      );
      form.dispatchEvent(new DragEvent('drop', { dataTransfer: transfer, bubbles: true, cancelable: true }));
    });
    await expect.poll(() => page.getByTestId('composer-attachment').textContent()).toContain('notes.txt');
    await page.getByTestId('composer-send').click();
    await page
      .locator('[data-testid="message"][data-role="assistant"]', { hasText: 'I have uploads/notes.txt' })
      .waitFor();
    expect(readFileSync(join(uploads(), 'notes.txt'), 'utf8')).toBe('dropped bytes');
  });

  it('refuses a file over the limit before sending, and says why', async () => {
    // Made in the page: sending 21 MB through the browser protocol would only test the protocol.
    await page.getByTestId('composer').evaluate((form) => {
      const transfer = new DataTransfer();
      transfer.items.add(new File([new Uint8Array(21 * 1024 * 1024)], 'huge.bin'));
      form.dispatchEvent(new DragEvent('drop', { dataTransfer: transfer, bubbles: true, cancelable: true }));
    });
    const problem = page.getByTestId('composer-file-problem');
    await problem.waitFor();
    expect(await problem.textContent()).toBe('huge.bin is 21 MB; a file may be at most 20 MB.');
    expect(await page.getByTestId('composer-attachment').count()).toBe(0);
  });

  it('shows a file the agent sent with a preview, and downloads it', async () => {
    await page.getByTestId('composer-input').fill(CHART);
    await page.getByTestId('composer-send').click();
    await page
      .locator('[data-testid="message"][data-role="assistant"]', { hasText: 'There you go.' })
      .waitFor();
    const file = page.getByTestId('message-file');
    await file.locator('img').waitFor();
    expect(await file.locator('img').evaluate((img) => (img as HTMLImageElement).naturalWidth)).toBe(1);
    await page.screenshot({ path: `${SCREENSHOTS}chat-file-received.png`, animations: 'disabled' });
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByTestId('message-file-link').click(),
    ]);
    expect(download.suggestedFilename()).toBe('chart.png');
    expect(readFileSync(await download.path()).equals(PNG)).toBe(true);
  });
});
