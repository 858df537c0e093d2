/**
 * Task runs as the conversation and the task list show them, in real Chromium against a real gateway: a run's
 * prompt is labelled as its task (linking to the task's page), never as "You", and a finished one-shot task is
 * shown as completed rather than with a switch that does nothing.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { TaskItem } from '@praktor/protocol';
import { defaultHandler, reply, type Stack, startStack } from '@praktor/testkit';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DESKTOP, launchChromium, requireChromium, SCREENSHOTS } from './browser-harness.js';

const BUILD_SCRIPT = fileURLToPath(new URL('../scripts/build.mjs', import.meta.url));
const PROMPT = 'Summarise the open pull requests.';

const missing = requireChromium('the task runs browser tests');

describe.skipIf(missing !== null)('task runs in Mission Control', () => {
  let stack: Stack;
  let browser: Browser;
  const pageErrors: string[] = [];

  async function createTask(body: Record<string, unknown>): Promise<TaskItem> {
    const response = await fetch(`${stack.praktor.webUrl}/api/tasks`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    expect(response.status).toBe(201);
    return (await response.json()) as TaskItem;
  }

  async function open(path: string): Promise<Page> {
    const page = await (await browser.newContext({ viewport: DESKTOP, colorScheme: 'dark' })).newPage();
    page.on('pageerror', (err) => pageErrors.push(err.message));
    await page.goto(`${stack.praktor.webUrl}${path}`);
    return page;
  }

  beforeAll(async () => {
    execFileSync(process.execPath, [BUILD_SCRIPT], { stdio: 'inherit' });
    stack = await startStack({
      handler: (req) => (req.kind === 'main' ? reply.text(`done: ${req.lastUserText}`) : defaultHandler(req)),
      config: ({ telegramApiRoot, telegramToken }) => ({
        telegram: { token: telegramToken, api_root: telegramApiRoot, allow_from: [1001] },
        agents: { general: {} },
        scheduler: { timezone: 'UTC', poll_interval: '1s' },
      }),
    });
    browser = await launchChromium();
    mkdirSync(SCREENSHOTS, { recursive: true });
  });

  afterAll(async () => {
    await browser?.close();
    await stack?.close();
  });

  it('labels a run’s prompt in the conversation with its task, live, linking to the task', async () => {
    const task = await createTask({
      agent_id: 'general',
      name: 'Pull request digest',
      schedule: 'every 2h',
      prompt: PROMPT,
      chat: { channel: 'web', chat_id: 'web' },
    });
    const page = await open('/conversations/general');
    await page.getByTestId('composer-input').waitFor();
    const run = await fetch(`${stack.praktor.webUrl}/api/tasks/${task.id}/run`, { method: 'POST' });
    expect(run.status).toBe(202);
    const prompt = page.locator('[data-testid="message"][data-role="user"]').filter({ hasText: PROMPT });
    const label = prompt.getByTestId('message-task');
    await label.waitFor({ timeout: 30_000 });
    expect(await label.textContent()).toBe('Task: Pull request digest');
    expect(await label.getAttribute('href')).toBe(`/tasks/${task.id}`);
    await page
      .locator('[data-testid="message"][data-role="assistant"]')
      .filter({ hasText: `done: ${PROMPT}` })
      .waitFor({ timeout: 30_000 });
    // Loaded afresh, the conversation labels it the same.
    await page.reload();
    await label.waitFor();
    expect(await prompt.locator('.bubble-speaker').textContent()).toBe('Task: Pull request digest');
    await page.screenshot({ path: `${SCREENSHOTS}chat-task-run.png`, animations: 'disabled' });
    expect(pageErrors).toEqual([]);
  });

  it('shows a finished one-shot task as completed, without an enabled switch', async () => {
    const task = await createTask({
      agent_id: 'general',
      name: 'One reminder',
      schedule: '+1s',
      prompt: 'Remind me to stretch.',
      chat: { channel: 'web', chat_id: 'web' },
    });
    const page = await open('/tasks');
    const row = page.locator(`[data-testid="task-row"][data-task-id="${task.id}"]`);
    const completed = row.getByTestId('task-completed');
    await completed.waitFor({ timeout: 30_000 });
    expect(await completed.textContent()).toBe('Completed: One reminder');
    expect(await row.getByTestId('task-enabled').count()).toBe(0);
    expect(pageErrors).toEqual([]);
  });
});
