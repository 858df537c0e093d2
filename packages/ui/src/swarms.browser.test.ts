/**
 * The Swarms page in real Chromium against a real gateway and the fake model: a three-node pipeline built with the
 * graph editor, saved as a template, launched, its nodes turning complete live, its result read, and the run in the
 * history with its duration.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import {
  defaultHandler,
  defaultStackConfig,
  type ModelRequest,
  reply,
  type Stack,
  startStack,
} from '@praktor/testkit';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DESKTOP, launchChromium, requireChromium, SCREENSHOTS } from './browser-harness.js';

const BUILD_SCRIPT = fileURLToPath(new URL('../scripts/build.mjs', import.meta.url));
/** Three members start a sandbox each, one after another: slow on a busy machine. */
const RUN_TIMEOUT = 180_000;

const missing = requireChromium('the Swarms page browser tests');

const SEND = 'mcp__praktor-swarm__swarm_chat_send';
const READ = 'mcp__praktor-swarm__swarm_chat_read';
/** What each answer costs: about $0.0145 at Claude Code's default rates. */
const USAGE = {
  input_tokens: 1000,
  output_tokens: 500,
  cache_read_input_tokens: 200,
  cache_creation_input_tokens: 100,
};

/**
 * Each member answers with its role, read from the prompt every member is given. Planning a picnic, general first
 * tells coder something on the swarm's chat, and coder waits to read it.
 */
function model(req: ModelRequest) {
  if (req.kind !== 'main') return defaultHandler(req);
  const role = /You are "([^"]+)" in a swarm/.exec(req.transcript)?.[1] ?? 'nobody';
  if (req.transcript.includes('picnic') && req.toolResults.length === 0) {
    if (role === 'general') return reply.toolUse(SEND, { content: 'Bring lemonade.' });
    if (role === 'coder') return reply.toolUse(READ, { wait_seconds: 30 });
  }
  return reply.text(`Answer from ${role}.`, { usage: USAGE });
}

async function screenshot(page: Page, name: string) {
  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: `${SCREENSHOTS}${name}.png`, animations: 'disabled', fullPage: true });
  const width = (await page.evaluate('document.documentElement.scrollWidth')) as number;
  expect(width, `${name} is no wider than the screen`).toBeLessThanOrEqual(DESKTOP.width);
}

describe.skipIf(missing !== null)('the Swarms page in Chromium', () => {
  let stack: Stack;
  let browser: Browser;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    execFileSync(process.execPath, [BUILD_SCRIPT], { stdio: 'inherit' });
    stack = await startStack({ handler: model, config: defaultStackConfig });
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await stack?.close();
  });

  it('builds a three-node pipeline, launches it, shows the nodes turn complete and the result', {
    timeout: RUN_TIMEOUT + 60_000,
  }, async () => {
    const context = await browser.newContext({ viewport: DESKTOP, colorScheme: 'dark' });
    const page = await context.newPage();
    page.on('pageerror', (err) => pageErrors.push(err.message));
    await page.goto(`${stack.praktor.webUrl}/`);
    await page.getByTestId('nav-swarms').click();
    await page.waitForURL('**/swarms');
    await expect.poll(() => page.title()).toBe('Swarms · Praktor');

    await page.getByTestId('swarm-name').fill('Otter brief');
    await page.getByTestId('swarm-task').fill('Write a brief about otters.');
    for (const agent of ['general', 'coder', 'general']) {
      await page.getByTestId('swarm-add-agent').selectOption(agent);
      await page.getByTestId('swarm-add').click();
    }
    const editor = page.getByTestId('swarm-editor-graph');
    await expect
      .poll(() => editor.getByTestId('swarm-node').evaluateAll((nodes) => nodes.map((n) => n.dataset.role)))
      .toEqual(['general', 'coder', 'general-2']);
    await page.getByTestId('swarm-role-prompt').fill('Check the facts.');
    for (const [from, to] of [
      ['general', 'coder'],
      ['coder', 'general-2'],
    ] as const) {
      await page.getByTestId('swarm-link-from').selectOption(from);
      await page.getByTestId('swarm-link-to').selectOption(to);
      await page.getByTestId('swarm-link').click();
    }
    await expect.poll(() => editor.locator('.react-flow__edge').count()).toBe(2);
    await page.getByTestId('swarm-lead').selectOption('general-2');
    await page.getByTestId('swarm-template-name').fill('Brief pipeline');
    await page.getByTestId('swarm-save-template').click();
    await page.getByTestId('swarm-template').filter({ hasText: 'Brief pipeline' }).waitFor();
    await screenshot(page, 'swarms-editor-desktop');

    await page.getByTestId('swarm-launch').click();
    const run = page.getByTestId('swarm-run');
    await run.waitFor();
    const statuses = () =>
      run.getByTestId('swarm-node').evaluateAll((nodes) => nodes.map((n) => n.dataset.status));
    await expect.poll(statuses, { timeout: RUN_TIMEOUT }).toEqual(['completed', 'completed', 'completed']);
    await expect.poll(() => run.getAttribute('data-status'), { timeout: 10_000 }).toBe('completed');
    expect(await run.getByTestId('swarm-result').textContent()).toContain('Answer from general-2.');
    expect(await run.locator('[data-testid="swarm-output"][data-role="coder"]').textContent()).toContain(
      'Answer from coder.',
    );
    const row = page.getByTestId('swarm-history-row').first();
    expect(await row.getAttribute('data-status')).toBe('completed');
    expect(await row.getByTestId('swarm-duration').textContent()).not.toBe('—');
    await screenshot(page, 'swarms-run-complete-desktop');
    // The graph as drawn reached the gateway: the coder was given the first member's answer, and the lead (the
    // member selected when the instructions were written) its instructions.
    const requestOf = (role: string) =>
      stack.anthropic.requests.find((r) => r.kind === 'main' && r.transcript.includes(`You are "${role}"`));
    expect(requestOf('coder')?.transcript).toContain('Answer from general.');
    expect(requestOf('general-2')?.transcript).toContain('## Your Role Instructions\n\nCheck the facts.');
    expect(pageErrors).toEqual([]);
    await context.close();
  });

  it('loads a saved template back, runs a collaborative pair and shows their chat and what the run cost', {
    timeout: RUN_TIMEOUT + 60_000,
  }, async () => {
    const context = await browser.newContext({ viewport: DESKTOP, colorScheme: 'dark' });
    const page = await context.newPage();
    page.on('pageerror', (err) => pageErrors.push(err.message));
    await page.goto(`${stack.praktor.webUrl}/swarms`);
    const editor = page.getByTestId('swarm-editor-graph');
    const roles = () =>
      editor.getByTestId('swarm-node').evaluateAll((nodes) => nodes.map((n) => n.dataset.role));

    // The template the first test saved comes back whole: members, links, lead and task.
    await page.getByTestId('swarm-template').filter({ hasText: 'Brief pipeline' }).click();
    await expect.poll(roles).toEqual(['general', 'coder', 'general-2']);
    await expect.poll(() => editor.locator('.react-flow__edge').count()).toBe(2);
    expect(await page.getByTestId('swarm-lead').inputValue()).toBe('general-2');
    expect(await page.getByTestId('swarm-task').inputValue()).toBe('Write a brief about otters.');

    await page.reload();
    await page.getByTestId('swarm-name').fill('Picnic');
    await page.getByTestId('swarm-task').fill('Plan a picnic together.');
    for (const agent of ['general', 'coder']) {
      await page.getByTestId('swarm-add-agent').selectOption(agent);
      await page.getByTestId('swarm-add').click();
    }
    await expect.poll(roles).toEqual(['general', 'coder']);
    await page.getByTestId('swarm-link-from').selectOption('general');
    await page.getByTestId('swarm-link-kind').selectOption('collaborate');
    await page.getByTestId('swarm-link-to').selectOption('coder');
    await page.getByTestId('swarm-link').click();
    await expect.poll(() => editor.locator('.react-flow__edge').count()).toBe(1);
    await page.getByTestId('swarm-lead').selectOption('');
    await page.getByTestId('swarm-launch').click();

    const run = page.getByTestId('swarm-run');
    await expect.poll(() => run.getAttribute('data-status'), { timeout: RUN_TIMEOUT }).toBe('completed');
    await expect
      .poll(() => run.getByTestId('swarm-chat').textContent())
      .toContain('general: Bring lemonade.');
    const read = stack.anthropic.requests
      .filter((r) => r.kind === 'main' && r.transcript.includes('You are "coder"'))
      .flatMap((r) => r.toolResults.map((t) => t.content));
    expect(read.join('\n')).toContain('Bring lemonade.');
    const row = page.getByTestId('swarm-history-row').first();
    await expect.poll(() => row.textContent()).toContain('Picnic');
    await expect.poll(() => row.getAttribute('data-status')).toBe('completed');
    // At least the two answers of about $0.0145 each.
    const cost = await row.getByTestId('swarm-cost').textContent();
    expect(cost).toMatch(/^\$\d+\.\d+$/);
    expect(Number(cost?.slice(1))).toBeGreaterThan(0.028);
    await screenshot(page, 'swarms-collaboration-desktop');
    expect(pageErrors).toEqual([]);
    await context.close();
  });
});
