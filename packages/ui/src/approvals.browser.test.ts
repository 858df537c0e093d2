/**
 * Approvals from Mission Control, in real Chromium against a real gateway and agent: a web chat's tool call that
 * matches an approval rule shows in the conversation with its full input and Approve / Deny / Always buttons; Deny
 * tells the model and runs nothing, Approve runs it, and the decision is written into the conversation. A swarm
 * member's request, for a run started here, shows above the run, naming its role and swarm.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { MessageItem } from '@praktor/protocol';
import { callApi, eventually, type ModelRequest, reply, type Stack, startStack } from '@praktor/testkit';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DESKTOP, launchChromium, requireChromium, SCREENSHOTS } from './browser-harness.js';

const BUILD_SCRIPT = fileURLToPath(new URL('../scripts/build.mjs', import.meta.url));

function model(req: ModelRequest) {
  if (req.kind !== 'main') return reply.text('side call');
  const [result] = req.toolResults;
  if (result) return reply.text(`tool said: ${result.content}`);
  if (req.lastUserText.includes('make build')) {
    return reply.toolUse('Bash', { command: 'mkdir -p build && touch build/out.txt', description: 'make' });
  }
  if (req.lastUserText.includes('clean up')) {
    return reply.toolUse('Bash', { command: 'rm -rf build', description: 'clean' });
  }
  return reply.text('ok');
}

const missing = requireChromium('the approvals browser tests');

describe.skipIf(missing !== null)('approvals in Mission Control', () => {
  let stack: Stack;
  let browser: Browser;
  let page: Page;
  let build: string;
  const pageErrors: string[] = [];

  async function conversation(): Promise<MessageItem[]> {
    const response = await fetch(`${stack.praktor.webUrl}/api/agents/definitions/general/messages?limit=200`);
    return (await response.json()) as MessageItem[];
  }

  /** Sends a web chat message and waits for the agent's final answer to it. */
  async function send(text: string): Promise<void> {
    await page.getByTestId('composer-input').fill(text);
    await page.getByTestId('composer-input').press('Enter');
  }

  function answered(count: number) {
    return eventually(
      'the agent’s answer',
      conversation,
      (list) => list.filter((m) => m.text.startsWith('tool said:')).length >= count,
      { timeoutMs: 60_000 },
    );
  }

  beforeAll(async () => {
    execFileSync(process.execPath, [BUILD_SCRIPT], { stdio: 'inherit' });
    stack = await startStack({
      handler: model,
      config: ({ telegramApiRoot, telegramToken }) => ({
        telegram: { token: telegramToken, api_root: telegramApiRoot, allow_from: [1001] },
        defaults: { approvals: { rules: ['Bash(rm:*)'] } },
        agents: { general: {} },
      }),
    });
    build = join(stack.praktor.dataDir, 'agents', 'general', 'workspace', 'build');
    browser = await launchChromium();
    mkdirSync(SCREENSHOTS, { recursive: true });
    page = await (await browser.newContext({ viewport: DESKTOP, colorScheme: 'dark' })).newPage();
    page.on('pageerror', (err) => pageErrors.push(err.message));
    await page.goto(`${stack.praktor.webUrl}/conversations/general`);
    await page.getByTestId('composer-input').waitFor();
    await send('make build');
    await answered(1);
  });

  afterAll(async () => {
    await browser?.close();
    await stack?.close();
  });

  it('shows the request with its full input and the three answers', async () => {
    expect(existsSync(join(build, 'out.txt'))).toBe(true);
    await send('clean up');
    const request = page.getByTestId('approval');
    await request.waitFor({ timeout: 60_000 });
    expect(await request.getByTestId('approval-input').textContent()).toContain('"command": "rm -rf build"');
    const buttons = await request.getByRole('button').allTextContents();
    expect(buttons).toEqual(['Approve', 'Deny', 'Always for this session']);
    await page.screenshot({ path: join(SCREENSHOTS, 'approval-request.png') });
  });

  it('on Deny tells the model, runs nothing, and records who decided in the conversation', async () => {
    const seq = stack.anthropic.requests.length;
    await page.getByTestId('approval').getByRole('button', { name: 'Deny' }).click();
    const result = await stack.anthropic.waitForRequest(
      (r) => r.seq > seq && r.toolResults.length > 0,
      60_000,
    );
    expect(result.toolResults[0]?.content).toContain('The user denied this tool call');
    await answered(2);
    expect(existsSync(join(build, 'out.txt'))).toBe(true);
    await page.getByTestId('approval').waitFor({ state: 'detached' });
    const note = page.getByTestId('conversation-note').filter({ hasText: 'Bash denied by mission-control' });
    await note.waitFor();
  });

  it('on Approve runs the call', async () => {
    await send('clean up');
    await page.getByTestId('approval').getByRole('button', { name: 'Approve' }).click();
    await answered(3);
    expect(existsSync(build)).toBe(false);
    await page
      .getByTestId('conversation-note')
      .filter({ hasText: 'Bash approved by mission-control' })
      .waitFor();
    expect(pageErrors).toEqual([]);
  });

  it('shows a swarm member’s request above its run, naming its role and swarm, and Approve runs the call', async () => {
    await send('make build');
    await answered(4);
    expect(existsSync(build)).toBe(true);
    const launched = await callApi(stack.praktor.webUrl, 'POST', '/api/swarms', {
      body: {
        name: 'cleaners',
        task: 'clean up',
        lead_agent: '',
        agents: [{ agent_id: 'general', role: 'janitor' }],
        synapses: [],
      },
    });
    expect(launched.status).toBe(201);
    await page.goto(`${stack.praktor.webUrl}/swarms`);
    await page.getByTestId('swarm-history-row').getByRole('button', { name: 'cleaners' }).click();
    const run = page.getByTestId('swarm-run');
    const request = run.getByTestId('approval');
    await request.waitFor({ timeout: 60_000 });
    expect(await request.locator('.approval-title').textContent()).toContain(
      'general, as janitor in the swarm cleaners, asks to run Bash',
    );
    await page.screenshot({ path: join(SCREENSHOTS, 'approval-swarm-member.png') });
    await request.getByRole('button', { name: 'Approve' }).click();
    await expect.poll(() => run.getAttribute('data-status'), { timeout: 60_000 }).toBe('completed');
    expect(existsSync(build)).toBe(false);
    expect(pageErrors).toEqual([]);
  });
});
