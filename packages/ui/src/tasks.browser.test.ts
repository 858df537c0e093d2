/**
 * The Tasks page in real Chromium against a real gateway and the fake model: creating a task through the form,
 * the server's validation shown by its field, editing an interval task without losing its kind, pausing and
 * resuming, running a task now and reading the run in its history, a failed run's message, deleting completed
 * tasks and deleting one task — at desktop and phone widths, in both themes.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { TaskItem, TaskRunItem } from '@praktor/protocol';
import {
  defaultHandler,
  defaultStackConfig,
  eventually,
  type ModelRequest,
  reply,
  type Stack,
  startStack,
} from '@praktor/testkit';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DESKTOP, launchChromium, PHONE, requireChromium, SCREENSHOTS } from './browser-harness.js';

const BUILD_SCRIPT = fileURLToPath(new URL('../scripts/build.mjs', import.meta.url));
/** Starting an agent (Claude Code in a sandbox) and one run can take a while on a busy machine. */
const AGENT_TIMEOUT = 120_000;
const PROMPT = 'Summarise what was said at the stand-up.';
/** The prompt the fake model refuses, so its run fails with REFUSAL. */
const FAILING_PROMPT = 'fail me';
const REFUSAL = 'the model refuses this one';

const missing = requireChromium('the Tasks page browser tests');

/** Saves a picture of the page as the user sees it and checks that nothing is wider than the screen. */
async function screenshot(page: Page, name: string, viewport: { width: number }) {
  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.waitForLoadState('networkidle');
  await page.screenshot({ path: `${SCREENSHOTS}${name}.png`, animations: 'disabled' });
  const width = (await page.evaluate('document.documentElement.scrollWidth')) as number;
  expect(width, `${name} is no wider than the screen`).toBeLessThanOrEqual(viewport.width);
}

/** The fake model: answers each run with "done: <prompt>" and known token counts, and refuses FAILING_PROMPT. */
function model(req: ModelRequest) {
  if (req.kind !== 'main') return defaultHandler(req);
  if (req.lastUserText === FAILING_PROMPT) return reply.error(400, REFUSAL);
  return reply.text(`done: ${req.lastUserText}`, { usage: { input_tokens: 1234, output_tokens: 56 } });
}

describe.skipIf(missing !== null)('the Tasks page in Chromium', () => {
  let stack: Stack;
  let browser: Browser;
  const contexts: BrowserContext[] = [];
  const pageErrors: string[] = [];

  beforeAll(async () => {
    execFileSync(process.execPath, [BUILD_SCRIPT], { stdio: 'inherit' });
    stack = await startStack({
      handler: model,
      config: (urls) => ({ ...defaultStackConfig(urls), scheduler: { timezone: 'UTC' } }),
    });
    browser = await launchChromium();
  });

  afterEach(async () => {
    await Promise.all(contexts.splice(0).map((c) => c.close()));
    const errors = pageErrors.splice(0);
    expect(errors, 'uncaught errors in the page').toEqual([]);
  });

  afterAll(async () => {
    await browser?.close();
    await stack?.close();
  });

  /** Calls the gateway's API; the status and the parsed body. */
  async function call<T = unknown>(
    method: string,
    path: string,
    body?: unknown,
  ): Promise<{ status: number; json: T }> {
    const response = await fetch(`${stack.praktor.webUrl}/api${path}`, {
      method,
      headers: body !== undefined ? { 'content-type': 'application/json' } : {},
      body: body !== undefined ? JSON.stringify(body) : null,
    });
    const text = await response.text();
    return { status: response.status, json: (text ? JSON.parse(text) : null) as T };
  }

  const tasks = async () => (await call<TaskItem[]>('GET', '/tasks')).json;
  const taskNamed = async (name: string) => {
    const found = (await tasks()).find((t) => t.name === name);
    if (!found) throw new Error(`no task named ${name}`);
    return found;
  };

  /** A fresh browser showing `path`, its clock in the scheduler's zone. */
  async function open(
    path: string,
    opts: { viewport?: { width: number; height: number }; colorScheme?: 'dark' | 'light' } = {},
  ): Promise<Page> {
    const context = await browser.newContext({
      viewport: opts.viewport ?? DESKTOP,
      colorScheme: opts.colorScheme ?? 'dark',
      timezoneId: 'UTC',
    });
    contexts.push(context);
    const page = await context.newPage();
    page.on('pageerror', (err) => pageErrors.push(err.message));
    await page.goto(`${stack.praktor.webUrl}${path}`);
    return page;
  }

  const row = (page: Page, name: string) =>
    page.locator(`[data-testid="task-row"][data-task-name="${name}"]`);
  const dialog = (page: Page) => page.getByTestId('task-dialog');
  const focused = (page: Page) => page.evaluate('document.activeElement?.dataset.testid');

  it('explains tasks when there are none, and is reached from the menu', async () => {
    const page = await open('/');
    await page.getByTestId('nav-tasks').click();
    await page.waitForURL('**/tasks');
    await page.getByRole('heading', { name: 'Tasks', level: 1 }).waitFor();
    const empty = page.getByTestId('tasks-empty');
    await empty.waitFor();
    const text = (await empty.textContent()) ?? '';
    expect(text).toContain('No tasks yet');
    expect(text).toContain('every 30m');
    expect(await page.title()).toBe('Tasks · Praktor');
    await screenshot(page, 'tasks-empty-desktop', DESKTOP);
  });

  it('creates a task through the form, listed with its schedule in words and its next run', async () => {
    const page = await open('/tasks');
    await page.getByTestId('tasks-new').click();
    const form = dialog(page);
    await form.getByRole('heading', { name: 'New task' }).waitFor();
    await expect.poll(() => focused(page), { timeout: 5_000 }).toBe('task-name');
    // The default agent is chosen; the catch-up policy starts at its default, each choice saying what it does.
    expect(await form.getByLabel('Agent').inputValue()).toBe('general');
    expect(await form.getByTestId('task-catch-up-once').isChecked()).toBe(true);
    expect(await form.getByTestId('task-catch-up-all').locator('xpath=..').textContent()).toContain(
      'Every missed run is made up',
    );
    await form.getByLabel('Agent').selectOption('coder');
    await form.getByLabel('Name').fill('Stand-up notes');
    // An example fills the schedule box.
    await form.getByRole('button', { name: /^Use every 30m/ }).click();
    expect(await form.getByTestId('task-schedule-input').inputValue()).toBe('every 30m');
    await expect.poll(() => focused(page), { timeout: 5_000 }).toBe('task-schedule-input');
    await form.getByLabel('Prompt').fill(PROMPT);
    await screenshot(page, 'tasks-form-desktop', DESKTOP);

    const posted = page.waitForRequest((r) => r.url().endsWith('/api/tasks') && r.method() === 'POST');
    await form.getByTestId('task-save').click();
    expect((await posted).postDataJSON()).toEqual({
      agent_id: 'coder',
      name: 'Stand-up notes',
      schedule: 'every 30m',
      prompt: PROMPT,
      enabled: true,
      catch_up: 'once',
    });
    await form.waitFor({ state: 'detached' });
    expect(await page.getByTestId('tasks-status').textContent()).toBe('Created “Stand-up notes”.');

    const listed = row(page, 'Stand-up notes');
    await listed.waitFor();
    expect(await listed.getByTestId('task-schedule').textContent()).toBe('Every 30 minutes');
    expect(await listed.getByTestId('task-agent-name').textContent()).toBe('coder');
    expect(await listed.getByTestId('task-next-run').textContent()).toMatch(/^\d\d:\d\d · in 30 min$/);
    expect(await listed.getByTestId('task-last-run').textContent()).toBe('Never');
    expect(await listed.getByTestId('task-enabled').isChecked()).toBe(true);

    const stored = await taskNamed('Stand-up notes');
    expect(stored).toMatchObject({ agent_id: 'coder', status: 'active', schedule_edit: 'every 30m' });
    expect(JSON.parse(stored.schedule)).toMatchObject({ kind: 'interval', interval_ms: 30 * 60_000 });
  });

  it('says what is missing before sending, and shows the server’s message by the field it names', async () => {
    const page = await open('/tasks');
    await page.getByTestId('tasks-new').click();
    const form = dialog(page);
    await form.getByLabel('Name').fill('Broken');
    await form.getByTestId('task-save').click();
    expect(await form.getByTestId('task-error-schedule').textContent()).toContain('Enter when it runs');
    expect(await form.getByTestId('task-error-prompt').textContent()).toContain('Enter what the agent');
    await expect.poll(() => focused(page), { timeout: 5_000 }).toBe('task-schedule-input');

    await form.getByTestId('task-schedule-input').fill('every banana');
    expect(await form.getByTestId('task-error-schedule').count()).toBe(0);
    await form.getByLabel('Prompt').fill('Never sent to anyone.');
    const answered = page.waitForResponse(
      (r) => r.url().endsWith('/api/tasks') && r.request().method() === 'POST',
    );
    await form.getByTestId('task-save').click();
    expect((await answered).status()).toBe(400);
    const error = form.getByTestId('task-error-schedule');
    await error.waitFor();
    expect(await error.textContent()).toMatch(/^Invalid interval "every banana"/);
    const schedule = form.getByTestId('task-schedule-input');
    expect(await schedule.getAttribute('aria-invalid')).toBe('true');
    expect(await schedule.getAttribute('aria-describedby')).toContain(await error.getAttribute('id'));
    await expect.poll(() => focused(page), { timeout: 5_000 }).toBe('task-schedule-input');
    expect(await form.getByLabel('Name').inputValue()).toBe('Broken');
    expect(await form.getByTestId('task-form-error').count()).toBe(0);
    await screenshot(page, 'tasks-form-error-desktop', DESKTOP);

    await form.getByTestId('task-cancel').click();
    await form.waitFor({ state: 'detached' });
    expect((await tasks()).map((t) => t.name)).toEqual(['Stand-up notes']);
  });

  it('edits an interval task, which stays an interval on its old timing, and changes it to another', async () => {
    const before = await taskNamed('Stand-up notes');
    const page = await open('/tasks');
    await row(page, 'Stand-up notes').getByTestId('task-edit').click();
    const form = dialog(page);
    await form.getByRole('heading', { name: 'Edit Stand-up notes' }).waitFor();
    // The box holds the schedule as typed, not the stored JSON or the description.
    expect(await form.getByTestId('task-schedule-input').inputValue()).toBe('every 30m');
    expect(await form.textContent()).toContain('Now: Every 30 minutes.');
    expect(await form.getByLabel('Agent').inputValue()).toBe('coder');
    await form.getByLabel('Name').fill('Stand-up summary');
    await form.getByTestId('task-catch-up-skip').check();
    const put = page.waitForRequest(
      (r) => r.url().endsWith(`/api/tasks/${before.id}`) && r.method() === 'PUT',
    );
    await form.getByTestId('task-save').click();
    expect((await put).postDataJSON()).toEqual({ name: 'Stand-up summary', catch_up: 'skip' });
    await form.waitFor({ state: 'detached' });
    const renamed = row(page, 'Stand-up summary');
    await renamed.waitFor();
    expect(await renamed.getByTestId('task-schedule').textContent()).toBe('Every 30 minutes');
    const kept = await taskNamed('Stand-up summary');
    expect(JSON.parse(kept.schedule)).toMatchObject({ kind: 'interval', interval_ms: 30 * 60_000 });
    expect(kept).toMatchObject({
      schedule_edit: 'every 30m',
      catch_up: 'skip',
      next_run_at: before.next_run_at,
    });

    await renamed.getByTestId('task-edit').click();
    await form.getByTestId('task-schedule-input').fill('every 2h');
    const second = page.waitForRequest(
      (r) => r.url().endsWith(`/api/tasks/${before.id}`) && r.method() === 'PUT',
    );
    await form.getByTestId('task-save').click();
    expect((await second).postDataJSON()).toEqual({ schedule: 'every 2h' });
    await form.waitFor({ state: 'detached' });
    await eventually(
      'the new schedule in the list',
      () => renamed.getByTestId('task-schedule').textContent(),
      (text) => text === 'Every 2 hours',
    );
    expect(await renamed.getByTestId('task-next-run').textContent()).toMatch(/in 2 h$/);
    const changed = await taskNamed('Stand-up summary');
    expect(JSON.parse(changed.schedule)).toMatchObject({ kind: 'interval', interval_ms: 2 * 3_600_000 });
    expect(changed.schedule_edit).toBe('every 2h');
  });

  it('pauses and resumes a task with its switch', async () => {
    const page = await open('/tasks');
    const listed = row(page, 'Stand-up summary');
    const toggle = listed.getByTestId('task-enabled');
    await listed.waitFor();
    expect(await listed.getByTestId('task-state').count()).toBe(0);

    const paused = page.waitForResponse((r) => r.url().endsWith('/pause') && r.request().method() === 'POST');
    await toggle.click();
    expect((await paused).status()).toBe(200);
    await listed.getByTestId('task-state').waitFor();
    expect(await listed.getByTestId('task-state').textContent()).toBe('Paused');
    expect(await listed.getByTestId('task-next-run').textContent()).toBe('Paused');
    expect(await toggle.isChecked()).toBe(false);
    expect(await taskNamed('Stand-up summary')).toMatchObject({ status: 'paused', next_run_at: null });

    const resumed = page.waitForResponse(
      (r) => r.url().endsWith('/resume') && r.request().method() === 'POST',
    );
    await toggle.click();
    expect((await resumed).status()).toBe(200);
    await listed.getByTestId('task-state').waitFor({ state: 'detached' });
    expect(await toggle.isChecked()).toBe(true);
    expect(await listed.getByTestId('task-next-run').textContent()).toMatch(/in 2 h$/);
    const active = await taskNamed('Stand-up summary');
    expect(active.status).toBe('active');
    expect(active.next_run_at).toBeGreaterThan(Date.now());
  });

  it('runs a task now: the run appears live in its history, with its answer, duration, cost and tokens', async () => {
    const page = await open('/tasks');
    await row(page, 'Stand-up summary').getByTestId('task-history').click();
    await page.waitForURL('**/tasks/*');
    const detail = page.getByTestId('task-detail');
    await detail.waitFor();
    // No run yet: the history says so once it has loaded.
    await page.getByTestId('task-runs-empty').waitFor();
    expect(await detail.getByTestId('task-schedule-edit').textContent()).toBe('every 2h');
    expect(await page.title()).toBe('Stand-up summary · Tasks · Praktor');

    const asked = page.waitForResponse((r) => r.url().endsWith('/run') && r.request().method() === 'POST');
    await detail.getByTestId('task-run-now').click();
    expect((await asked).status()).toBe(202);
    const run = page.locator('[data-testid="task-run"][data-status="ok"]');
    await run.waitFor({ timeout: AGENT_TIMEOUT });
    expect(await page.getByTestId('task-run').count()).toBe(1);
    expect(await run.getByTestId('run-trigger').textContent()).toBe('Manual run');
    expect(await run.getByTestId('run-status').textContent()).toBe('OK');
    expect(await run.getByTestId('run-duration').textContent()).toMatch(/^\d[\d.]* (ms|s|min)/);
    expect(await run.getByTestId('run-tokens').textContent()).toMatch(/^1,234 in · 56 out/);
    expect(await run.getByTestId('run-cost').textContent()).toMatch(/^\$/);
    // The answer is folded away until asked for.
    const answer = run.getByTestId('run-answer');
    expect(await answer.isVisible()).toBe(false);
    await run.getByTestId('run-answer-toggle').click();
    await answer.waitFor();
    expect(await answer.textContent()).toBe(`done: ${PROMPT}`);
    await eventually(
      'the last run in the details',
      () => detail.getByTestId('task-last-status').getAttribute('data-status'),
      (status) => status === 'ok',
    );
    expect(await detail.getByTestId('task-run-now').textContent()).toContain('Run now');
    await screenshot(page, 'tasks-history-desktop', DESKTOP);

    const [stored] = (
      await call<TaskRunItem[]>('GET', `/tasks/${(await taskNamed('Stand-up summary')).id}/runs`)
    ).json;
    expect(stored).toMatchObject({ status: 'ok', triggered_by: 'manual', answer: `done: ${PROMPT}` });
    expect(stored?.usage).toMatchObject({ input_tokens: 1234, output_tokens: 56 });
  });

  it('shows a failed run with its message, and deletes completed tasks after asking', async () => {
    const created = await call<TaskItem>('POST', '/tasks', {
      agent_id: 'coder',
      name: 'Doomed reminder',
      schedule: '+1s',
      prompt: FAILING_PROMPT,
    });
    expect(created.status).toBe(201);
    const page = await open('/tasks');
    const doomed = row(page, 'Doomed reminder');
    await doomed.getByTestId('task-last-error').waitFor({ timeout: AGENT_TIMEOUT });
    expect(await doomed.getByTestId('task-last-error').textContent()).toContain(REFUSAL);
    await eventually(
      'the one-shot to be completed',
      () => doomed.getByTestId('task-state').textContent(),
      (text) => text === 'Completed',
    );
    expect(await doomed.getByTestId('task-last-status').textContent()).toBe('Failed');
    expect(await doomed.getByTestId('task-last-run').textContent()).toMatch(/^\d\d:\d\d · just now/);
    expect(await doomed.getByTestId('task-next-run').textContent()).toBe('None: completed');
    // A finished one-shot says it is completed, rather than showing a switch that no longer does anything.
    expect(await doomed.getByTestId('task-completed').textContent()).toBe('Completed: Doomed reminder');
    expect(await doomed.getByTestId('task-enabled').count()).toBe(0);
    await screenshot(page, 'tasks-failed-desktop', DESKTOP);

    await page.getByTestId('tasks-delete-completed').click();
    const confirm = page.getByTestId('confirm-dialog');
    expect(await confirm.getByRole('heading').textContent()).toBe('Delete 1 completed task?');
    expect(await confirm.textContent()).toContain('Doomed reminder');
    await page.getByTestId('confirm-ok').click();
    await confirm.waitFor({ state: 'detached' });
    await doomed.waitFor({ state: 'detached' });
    expect(await page.getByTestId('tasks-status').textContent()).toBe('Deleted 1 completed task.');
    expect(await page.getByTestId('tasks-delete-completed').count()).toBe(0);
    expect((await tasks()).map((t) => t.name)).toEqual(['Stand-up summary']);
  });

  it('takes screenshots at desktop and phone widths, in both themes, none wider than the screen', async () => {
    await call('POST', '/tasks', {
      agent_id: 'general',
      name: 'Morning brief',
      schedule: '0 9 * * 1-5',
      prompt: 'Summarise my calendar and unread mail for today.',
      timezone: 'Europe/Berlin',
    });
    await call('POST', '/tasks', {
      agent_id: 'general',
      name: 'Weekly report',
      schedule: '@weekly',
      prompt: 'Write the weekly report.',
      enabled: false,
    });
    const desktop = await open('/tasks');
    await row(desktop, 'Weekly report').waitFor();
    // The zone is named where it is not the browser's.
    expect(await row(desktop, 'Morning brief').getByTestId('task-zone-note').textContent()).toBe(
      'Europe/Berlin',
    );
    expect(await row(desktop, 'Weekly report').getByTestId('task-zone-note').count()).toBe(0);
    await screenshot(desktop, 'tasks-desktop', DESKTOP);

    const light = await open('/tasks', { colorScheme: 'light' });
    await row(light, 'Weekly report').waitFor();
    await screenshot(light, 'tasks-desktop-light', DESKTOP);
    await row(light, 'Morning brief').getByTestId('task-edit').click();
    await dialog(light).waitFor();
    expect(await dialog(light).getByTestId('task-timezone').inputValue()).toBe('Europe/Berlin');
    await screenshot(light, 'tasks-form-light', DESKTOP);

    const phone = await open('/tasks', { viewport: PHONE });
    await row(phone, 'Weekly report').waitFor();
    await screenshot(phone, 'tasks-phone', PHONE);
    await phone.getByTestId('tasks-new').click();
    await screenshot(phone, 'tasks-form-phone', PHONE);
    // Every control of the form is reachable on a phone: the dialog scrolls, its buttons stay on screen.
    const save = dialog(phone).getByTestId('task-save');
    const box = await save.boundingBox();
    expect(box && box.y + box.height <= PHONE.height, 'Create task is on screen').toBe(true);
    await dialog(phone).getByTestId('task-enabled-input').scrollIntoViewIfNeeded();
    expect(await dialog(phone).getByTestId('task-enabled-input').isVisible()).toBe(true);

    const phoneHistory = await open('/tasks', { viewport: PHONE, colorScheme: 'light' });
    await row(phoneHistory, 'Stand-up summary').getByTestId('task-history').click();
    await phoneHistory.locator('[data-testid="task-run"]').first().waitFor();
    await phoneHistory.getByTestId('run-answer-toggle').click();
    await screenshot(phoneHistory, 'tasks-history-phone-light', PHONE);
  });

  it('deletes a task after asking, and not when the question is cancelled', async () => {
    const page = await open('/tasks');
    const listed = row(page, 'Weekly report');
    await listed.getByTestId('task-delete').click();
    const confirm = page.getByTestId('confirm-dialog');
    await confirm.waitFor();
    expect(await confirm.getByRole('heading').textContent()).toBe('Delete Weekly report?');
    await expect.poll(() => focused(page), { timeout: 5_000 }).toBe('confirm-cancel');
    await page.keyboard.press('Escape');
    await confirm.waitFor({ state: 'detached' });
    await expect
      .poll(() => focused(page), { message: 'the focus is back', timeout: 5_000 })
      .toBe('task-delete');
    expect((await tasks()).some((t) => t.name === 'Weekly report')).toBe(true);

    await listed.getByTestId('task-delete').click();
    await page.getByTestId('confirm-ok').click();
    await confirm.waitFor({ state: 'detached' });
    await listed.waitFor({ state: 'detached' });
    expect(await page.getByTestId('tasks-status').textContent()).toBe('Deleted “Weekly report”.');
    expect((await tasks()).map((t) => t.name)).toEqual(['Stand-up summary', 'Morning brief']);

    // From its own page, deleting goes back to the list.
    await row(page, 'Morning brief').getByTestId('task-link').click();
    await page.getByTestId('task-detail').waitFor();
    await page.getByTestId('task-delete').click();
    await page.getByTestId('confirm-ok').click();
    await page.waitForURL(/\/tasks$/);
    await row(page, 'Morning brief').waitFor({ state: 'detached' });
    expect((await tasks()).map((t) => t.name)).toEqual(['Stand-up summary']);
  });
});
