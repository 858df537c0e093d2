/**
 * The agent's Memory panel in real Chromium against a real gateway and runner: a memory the agent stores appears
 * without a reload, and the user searches, adds, changes and deletes memories from the page.
 */
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { type ModelRequest, reply, type Stack, startStack } from '@praktor/testkit';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DESKTOP, launchChromium, requireChromium } from './browser-harness.js';

const BUILD_SCRIPT = fileURLToPath(new URL('../scripts/build.mjs', import.meta.url));

function model(req: ModelRequest) {
  if (req.kind !== 'main') return reply.text('side call');
  if (req.toolResults.length > 0) return reply.text('noted');
  if (req.lastUserText === 'remember my coffee') {
    return reply.toolUse('mcp__praktor-memory__memory_store', {
      key: 'coffee',
      content: 'Flat white, no sugar',
      tags: 'drinks',
    });
  }
  // The memories offered with the message come before it.
  if (req.lastUserText.endsWith('which coffee do I drink?')) {
    return reply.toolUse('mcp__praktor-memory__memory_recall', { query: 'coffee' });
  }
  return reply.text('heard');
}

const missing = requireChromium('the memory browser tests');

describe.skipIf(missing !== null)('the Memory panel', () => {
  let stack: Stack;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    execFileSync(process.execPath, [BUILD_SCRIPT], { stdio: 'inherit' });
    stack = await startStack({ handler: model, config: () => ({ agents: { general: {} } }) });
    browser = await launchChromium();
    page = await (await browser.newContext({ viewport: DESKTOP })).newPage();
    page.on('dialog', (dialog) => void dialog.accept());
    await page.goto(`${stack.praktor.webUrl}/agents/general`);
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await stack?.close();
  });

  it('has its own tab on the agent page, kept in the address', async () => {
    await page.getByTestId('agent-tab-memory').click();
    await page.waitForURL('**/agents/general?tab=memory');
    expect(await page.getByTestId('agent-tab-memory').getAttribute('aria-selected')).toBe('true');
    await page.getByTestId('memory-panel').waitFor();
    expect(await page.getByTestId('agent-md-textarea').count()).toBe(0);
  });

  it('opens the memory on request and shows a memory the agent stores, without a reload', async () => {
    await page.getByTestId('memory-open').click();
    await page.getByTestId('memory-empty').waitFor({ timeout: 60_000 });
    expect(await page.getByTestId('memory-count').textContent()).toBe('0 memories');
    const sent = await fetch(`${stack.praktor.webUrl}/api/agents/definitions/general/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ text: 'remember my coffee' }),
    });
    expect(sent.status).toBe(202);
    const row = page.locator('[data-testid="memory"][data-key="coffee"]');
    await row.waitFor({ timeout: 60_000 });
    expect(await row.getByTestId('memory-content').textContent()).toBe('Flat white, no sugar');
    expect(await page.getByTestId('memory-count').textContent()).toBe('1 memory');
  });

  it('shows how often the agent recalled a memory and when it last did, without a reload', async () => {
    const coffee = page.locator('[data-testid="memory"][data-key="coffee"]');
    expect(await coffee.getByTestId('memory-meta').textContent()).toContain('never recalled');
    const sent = await fetch(`${stack.praktor.webUrl}/api/agents/definitions/general/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ text: 'which coffee do I drink?' }),
    });
    expect(sent.status).toBe(202);
    await expect
      .poll(() => coffee.getByTestId('memory-meta').textContent(), { timeout: 45_000 })
      .toMatch(/recalled 1×, last /);
  });

  it('adds a memory from the page, finds it by a word stem, changes it and deletes it', async () => {
    await page.getByTestId('memory-add').click();
    await page.getByTestId('memory-key-input').fill('bike');
    await page.getByTestId('memory-content-input').fill('The bike is parked in the cellar');
    await page.getByTestId('memory-save').click();
    const bike = page.locator('[data-testid="memory"][data-key="bike"]');
    await bike.waitFor({ timeout: 30_000 });
    await expect.poll(() => page.getByTestId('memory-count').textContent()).toBe('2 memories');

    await page.getByTestId('memory-search').fill('parking');
    await expect
      .poll(() => page.getByTestId('memory-count').textContent(), { timeout: 15_000 })
      .toBe('1 of 2 match');
    expect(await page.locator('[data-testid="memory"]').count()).toBe(1);

    await bike.getByRole('button', { name: 'Edit' }).click();
    await bike.getByTestId('memory-content-input').fill('The bike is at the repair shop');
    await bike.getByTestId('memory-save').click();
    await page.getByTestId('memory-search').fill('');
    await expect
      .poll(() => bike.getByTestId('memory-content').textContent(), { timeout: 15_000 })
      .toBe('The bike is at the repair shop');

    await bike.getByTestId('memory-delete').click();
    await bike.waitFor({ state: 'detached', timeout: 15_000 });
    await expect.poll(() => page.getByTestId('memory-count').textContent()).toBe('1 memory');
  });

  it('shows why a memory cannot be saved', async () => {
    await page.getByTestId('memory-add').click();
    await page.getByTestId('memory-key-input').fill('blank');
    await page.getByTestId('memory-content-input').fill('   ');
    await page.getByTestId('memory-save').click();
    const error = page.getByTestId('memory-save-error');
    await error.waitFor({ timeout: 15_000 });
    expect(await error.textContent()).toContain('the content is empty');
  });
});
