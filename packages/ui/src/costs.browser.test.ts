/**
 * The Costs page in real Chromium against a real gateway: after three turns with the fake model reporting known
 * usage, the page shows what `/api/costs` says (tokens and USD per agent, today and this month), as a chart, and
 * each answer in the conversation shows what its turn spent; each configured budget shows as a bar with what
 * `/api/budgets` says of it.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BudgetItem, CostsResponse, MessageItem } from '@praktor/protocol';
import {
  defaultStackConfig,
  eventually,
  type ModelRequest,
  reply,
  type Stack,
  startStack,
} from '@praktor/testkit';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DESKTOP, launchChromium, requireChromium, SCREENSHOTS } from './browser-harness.js';
import { formatCost } from './format.js';

const BUILD_SCRIPT = fileURLToPath(new URL('../scripts/build.mjs', import.meta.url));
const USAGE = {
  input_tokens: 1000,
  output_tokens: 500,
  cache_read_input_tokens: 200,
  cache_creation_input_tokens: 100,
};

/** What Claude Code charges for USAGE on a model it has no price for (its default rates). */
const TURN_COST = 0.01454;

/** A monthly budget for all agents and a daily one for general. */
function config(urls: { telegramApiRoot: string; telegramToken: string }) {
  const base = defaultStackConfig(urls) as { agents: Record<string, Record<string, unknown>> };
  return {
    ...base,
    scheduler: { timezone: 'UTC' },
    budgets: { monthly_usd: 1 },
    agents: { ...base.agents, general: { ...base.agents.general, budgets: { daily_usd: 0.1 } } },
  };
}

function model(req: ModelRequest) {
  if (req.kind !== 'main') return reply.text('side call', { usage: { input_tokens: 0, output_tokens: 0 } });
  return reply.text(`answer to ${req.lastUserText}`, { usage: USAGE });
}

const missing = requireChromium('the costs browser tests');

describe.skipIf(missing !== null)('the Costs page', () => {
  let stack: Stack;
  let browser: Browser;
  const pageErrors: string[] = [];

  async function open(path: string): Promise<Page> {
    const page = await (await browser.newContext({ viewport: DESKTOP, colorScheme: 'dark' })).newPage();
    page.on('pageerror', (err) => pageErrors.push(err.message));
    await page.goto(`${stack.praktor.webUrl}${path}`);
    return page;
  }

  async function conversation(): Promise<MessageItem[]> {
    const response = await fetch(`${stack.praktor.webUrl}/api/agents/definitions/general/messages`);
    return (await response.json()) as MessageItem[];
  }

  beforeAll(async () => {
    execFileSync(process.execPath, [BUILD_SCRIPT], { stdio: 'inherit' });
    stack = await startStack({ handler: model, config });
    for (const text of ['one', 'two', 'three']) {
      const response = await fetch(`${stack.praktor.webUrl}/api/agents/definitions/general/messages`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ text }),
      });
      expect(response.status).toBe(202);
      await eventually(
        `the answer to ${text}`,
        conversation,
        (list) => list.some((m) => m.text === `answer to ${text}`),
        { timeoutMs: 30_000 },
      );
    }
    browser = await launchChromium();
    mkdirSync(SCREENSHOTS, { recursive: true });
  });

  afterAll(async () => {
    await browser?.close();
    await stack?.close();
  });

  it('shows per agent what /api/costs reports, with a chart', async () => {
    const report = (await (
      await fetch(`${stack.praktor.webUrl}/api/costs?group=agent`)
    ).json()) as CostsResponse;
    const [general] = report.groups;
    expect(general).toMatchObject({ key: 'general', input_tokens: 3000, output_tokens: 1500, runs: 3 });
    const page = await open('/costs');
    const row = page.locator('[data-testid="cost-row"][data-key="general"]');
    await row.waitFor();
    expect(await row.getByTestId('cost-usd').textContent()).toBe(formatCost(general?.cost_usd ?? -1));
    expect(await row.getByTestId('cost-input').textContent()).toBe('3,000');
    expect(await page.getByTestId('cost-today').textContent()).toContain(formatCost(report.today.cost_usd));
    expect(await page.getByTestId('cost-month').textContent()).toContain(formatCost(report.month.cost_usd));
    const bars = page.locator('[data-testid="cost-chart"] .recharts-bar-rectangle');
    await bars.first().waitFor();
    expect(await bars.count()).toBe(1);
    await page.screenshot({ path: join(SCREENSHOTS, 'costs-per-agent.png'), fullPage: true });
    expect(pageErrors).toEqual([]);
  });

  it('groups by model on request', async () => {
    const page = await open('/costs');
    await page.getByRole('button', { name: 'Per model' }).click();
    await page.locator('[data-testid="cost-row"][data-key="claude-general-model"]').waitFor();
  });

  it('shows on each answer what its turn spent', async () => {
    const answers = (await conversation()).filter((m) => m.role === 'assistant');
    const page = await open('/conversations/general');
    const costs = page.locator('[data-testid="message"][data-role="assistant"] [data-testid="message-cost"]');
    await costs.nth(2).waitFor();
    const texts = await costs.allTextContents();
    expect(texts).toHaveLength(3);
    for (const [i, text] of texts.entries()) {
      expect(text).toBe(
        `${formatCost(answers[i]?.spend?.cost_usd ?? -1)} · 1,000 in · 500 out · 200 cache read · 100 cache write`,
      );
    }
  });

  it('shows each budget as a bar with what /api/budgets says it used', async () => {
    const budgets = (await (await fetch(`${stack.praktor.webUrl}/api/budgets`)).json()) as BudgetItem[];
    expect(budgets.map((b) => [b.id, b.agent_id, b.period, b.limit_usd])).toEqual([
      ['all:monthly', null, 'monthly', 1],
      ['agent:general:daily', 'general', 'daily', 0.1],
    ]);
    for (const budget of budgets) expect(budget.spent_usd).toBeCloseTo(3 * TURN_COST, 10);
    const page = await open('/costs');
    for (const budget of budgets) {
      const item = page.locator(`[data-testid="budget"][data-budget-id="${budget.id}"]`);
      await item.waitFor();
      expect(await item.textContent()).toContain(
        `${formatCost(budget.spent_usd)} of ${formatCost(budget.limit_usd)}`,
      );
      const bar = item.locator('meter');
      expect(Number(await bar.getAttribute('value'))).toBeCloseTo(budget.spent_usd, 10);
      expect(Number(await bar.getAttribute('max'))).toBe(budget.limit_usd);
    }
    await page
      .getByRole('region', { name: 'Budgets' })
      .screenshot({ path: join(SCREENSHOTS, 'budgets.png') });
    expect(pageErrors).toEqual([]);
  });
});
