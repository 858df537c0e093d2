/**
 * What the agent is doing, live in the conversation, in real Chromium against a real gateway, runner and Claude
 * Code: a `Bash` call appears as a compact line while the command still runs, the vault secret in its command
 * masked (in the page, the API and the WebSocket alike), expandable to the whole masked input, and still there after
 * a reload; a model API error Claude Code retries shows the attempt and the reason.
 *
 * The secret value never appears in this file's output: checks on it compare booleans, never the strings.
 */
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { ActivityItem, WsEvent } from '@praktor/protocol';
import {
  defaultHandler,
  defaultStackConfig,
  eventually,
  type ModelRequest,
  reply,
  type Stack,
  startStack,
} from '@praktor/testkit';
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DESKTOP, launchChromium, requireChromium, SCREENSHOTS } from './browser-harness.js';

const BUILD_SCRIPT = fileURLToPath(new URL('../scripts/build.mjs', import.meta.url));
const PASSPHRASE = 'vault passphrase of the activity test';
/** Starting an agent (Claude Code in a sandbox) can take a while on a busy machine. */
const AGENT_TIMEOUT = 120_000;
/** Unique to this run, so finding it anywhere means it leaked from here. */
const TOKEN = `tok-${randomUUID()}`;
/** How long the scripted command runs: long enough to see its line while it runs. */
const COMMAND_SECONDS = 6;

const missing = requireChromium('the activity browser tests');

/** How many times the fake model has been asked to answer "flaky". */
let flakyAttempts = 0;

/**
 * The fake model: "deploy" makes the agent run a command that holds the secret value (as a model that read it
 * earlier might), then answers "Deployed."; "flaky" is refused as overloaded once, then answered.
 */
function model(req: ModelRequest) {
  if (req.kind !== 'main') return defaultHandler(req);
  if (req.toolResults.length > 0) return reply.text('Deployed.');
  if (req.lastUserText === 'deploy') {
    return reply.toolUse('Bash', {
      command: `echo "Authorization: Bearer ${TOKEN}" > /dev/null; sleep ${COMMAND_SECONDS}`,
      description: 'deploy with the token',
    });
  }
  if (req.lastUserText === 'flaky') {
    flakyAttempts += 1;
    if (flakyAttempts === 1) return reply.error(529, 'Overloaded');
    return reply.text('Answered after a retry.');
  }
  return reply.text(`echo: ${req.lastUserText}`);
}

describe.skipIf(missing !== null)('what the agent is doing, in the conversation', () => {
  let stack: Stack;
  let browser: Browser;
  let page: Page;
  const pageErrors: string[] = [];
  /** Every WebSocket frame and API response body the page received. */
  const received: Promise<string>[] = [];
  const frames: string[] = [];

  const lines = () => page.getByTestId('activity-line');

  async function say(text: string): Promise<void> {
    await page.getByTestId('composer-input').fill(text);
    await page.getByTestId('composer-send').click();
  }

  beforeAll(async () => {
    execFileSync(process.execPath, [BUILD_SCRIPT], { stdio: 'inherit' });
    stack = await startStack({
      handler: model,
      // The test kit turns Claude Code's retries off so failures show at once; this suite is about one.
      env: { CLAUDE_CODE_MAX_RETRIES: '2' },
      config: (urls) => ({
        ...defaultStackConfig(urls),
        vault: { passphrase: PASSPHRASE },
        agents: {
          general: { description: 'General-purpose assistant', env: { DEPLOY_TOKEN: 'secret:deploy_token' } },
        },
      }),
    });
    const created = await fetch(`${stack.praktor.webUrl}/api/secrets`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'deploy_token', value: TOKEN, agent_ids: ['general'] }),
    });
    expect(created.status).toBe(201);
    browser = await launchChromium();
    page = await (await browser.newContext({ viewport: DESKTOP, colorScheme: 'dark' })).newPage();
    page.on('pageerror', (err) => pageErrors.push(err.message));
    page.on('response', (response) => {
      received.push(response.text().catch(() => ''));
    });
    page.on('websocket', (socket) => {
      socket.on('framereceived', (frame) => {
        const text = typeof frame.payload === 'string' ? frame.payload : frame.payload.toString();
        frames.push(text);
        received.push(Promise.resolve(text));
      });
    });
    await page.goto(`${stack.praktor.webUrl}/conversations/general`);
    await page.getByTestId('composer-input').waitFor();
    mkdirSync(SCREENSHOTS, { recursive: true });
  });

  afterEach(() => {
    expect(pageErrors.splice(0), 'uncaught errors in the page').toEqual([]);
  });

  afterAll(async () => {
    await browser?.close();
    await stack?.close();
  });

  it('shows a Bash call while the command runs, the secret in it masked', async () => {
    await say('deploy');
    const line = lines().filter({ hasText: 'Bash' });
    await line.waitFor({ timeout: AGENT_TIMEOUT });
    // The command sleeps for seconds after the line appears: the question is still being answered.
    const asked = page.locator('[data-testid="message"][data-role="user"]').filter({ hasText: 'deploy' });
    expect(await asked.getAttribute('data-state')).toBe('processing');
    expect(await page.locator('[data-testid="message"][data-role="assistant"]').count()).toBe(0);
    const summary = (await line.locator('summary').textContent()) ?? '';
    expect(summary).toContain('echo "Authorization: Bearer [REDACTED]"');
    expect(summary.includes(TOKEN)).toBe(false);
    await page.screenshot({ path: `${SCREENSHOTS}activity-running.png`, animations: 'disabled' });

    await line.locator('summary').click();
    const detail = (await line.getByTestId('activity-detail').textContent()) ?? '';
    expect(detail).toContain('"description": "deploy with the token"');
    expect(detail).toContain('[REDACTED]');
    expect(detail.includes(TOKEN)).toBe(false);

    await page
      .locator('[data-testid="message"][data-role="assistant"]')
      .filter({ hasText: 'Deployed.' })
      .waitFor({ timeout: AGENT_TIMEOUT });
    await page.screenshot({ path: `${SCREENSHOTS}activity-expanded.png`, animations: 'disabled' });
  });

  it('sends the masked line, and never the secret, over the WebSocket and the API', async () => {
    const events = frames
      .map((frame) => JSON.parse(frame) as WsEvent)
      .filter((event) => event.type === 'activity');
    expect(events.map((event) => [event.activity.tool, event.activity.summary])).toEqual([
      ['Bash', `echo "Authorization: Bearer [REDACTED]" > /dev/null; sleep ${COMMAND_SECONDS}`],
    ]);
    const response = await fetch(`${stack.praktor.webUrl}/api/agents/definitions/general/activity`);
    const stored = (await response.json()) as ActivityItem[];
    expect(stored.map((a) => a.summary)).toEqual([events[0]?.activity.summary]);
    const everything = (await Promise.all(received)).join('\n');
    expect(everything.includes(TOKEN), 'the secret value reached the page').toBe(false);
  });

  it('still shows what the agent did after a reload', async () => {
    await page.reload();
    const line = lines().filter({ hasText: 'Bash' });
    await line.waitFor();
    expect(await line.locator('summary').textContent()).toContain('[REDACTED]');
  });

  it('shows a retried model API error with the attempt and the reason', async () => {
    await say('flaky');
    const retry = page.locator('[data-testid="activity-line"][data-kind="retry"]');
    await retry.waitFor({ timeout: AGENT_TIMEOUT });
    expect(await retry.textContent()).toMatch(
      /^The model API failed \(overloaded, HTTP 529\); retrying in \d+ s, attempt 1 of 2$/,
    );
    await page
      .locator('[data-testid="message"][data-role="assistant"]')
      .filter({ hasText: 'Answered after a retry.' })
      .waitFor({ timeout: AGENT_TIMEOUT });
    await eventually(
      'the fake model asked twice for "flaky"',
      async () => flakyAttempts,
      (n) => n === 2,
    );
    await page.screenshot({ path: `${SCREENSHOTS}activity-retry.png`, animations: 'disabled' });
  });
});
