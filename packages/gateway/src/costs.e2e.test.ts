/**
 * What agents spend is recorded as the SDK reports it: three turns with the fake model reporting known usage are
 * stored with exactly those tokens and the SDK's cost, each answer shows its own turn's share, and `/api/costs`
 * and `/cost` give the same sums; a task run's spend is counted with them.
 */
import type { CostsResponse, MessageItem, TaskItem, TaskRunItem } from '@praktor/protocol';
import {
  callApi,
  eventually,
  type ModelRequest,
  reply,
  type Stack,
  startStack,
  TEST_USER_ID,
} from '@praktor/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/** What the fake model reports for every answer of the conversation. */
const USAGE = {
  input_tokens: 1000,
  output_tokens: 500,
  cache_read_input_tokens: 200,
  cache_creation_input_tokens: 100,
};
const NOTHING = {
  input_tokens: 0,
  output_tokens: 0,
  cache_read_input_tokens: 0,
  cache_creation_input_tokens: 0,
};

function model(req: ModelRequest) {
  if (req.kind !== 'main') return reply.text('side call', { usage: NOTHING });
  return reply.text(`answer to ${req.lastUserText}`, { usage: USAGE });
}

async function say(stack: Stack, text: string) {
  const [answer] = await stack.telegram.say(TEST_USER_ID, text, { timeoutMs: 30_000 });
  return answer;
}

async function getJson<T>(stack: Stack, path: string): Promise<T> {
  const response = await fetch(`${stack.praktor.webUrl}${path}`);
  expect(response.status).toBe(200);
  return (await response.json()) as T;
}

describe('costs', () => {
  let stack: Stack;
  /** The SDK's cost of one turn, read after the first. */
  let turnCost: number;

  beforeAll(async () => {
    stack = await startStack({ handler: model });
    await say(stack, 'first');
    turnCost = (await getJson<CostsResponse>(stack, '/api/costs')).total.cost_usd;
    await say(stack, 'second');
    await say(stack, 'third');
  });

  afterAll(async () => {
    await stack?.close();
  });

  it('costs something per turn (so the sums below can be wrong)', () => {
    expect(turnCost).toBeGreaterThan(0);
  });

  it('stores exactly the tokens the SDK reported over the three turns, and three times one turn’s cost', async () => {
    const report = await getJson<CostsResponse>(stack, '/api/costs?group=agent');
    expect(report.groups).toHaveLength(1);
    const [general] = report.groups;
    expect(general).toMatchObject({
      key: 'general',
      input_tokens: 3000,
      output_tokens: 1500,
      cache_read_tokens: 600,
      cache_write_tokens: 300,
      runs: 3,
    });
    expect(general?.cost_usd).toBeCloseTo(3 * turnCost, 10);
    const { key: _key, ...totals } = general ?? { key: '' };
    expect(report.total).toEqual(totals);
    expect(report.today.cost_usd).toBeCloseTo(3 * turnCost, 10);
    expect(report.month.cost_usd).toBeCloseTo(3 * turnCost, 10);
  });

  it('groups the same spend by model and by day', async () => {
    const byModel = await getJson<CostsResponse>(stack, '/api/costs?group=model');
    expect(byModel.groups.map((g) => [g.key, g.input_tokens])).toEqual([['claude-general-model', 3000]]);
    const byDay = await getJson<CostsResponse>(stack, '/api/costs?group=day');
    expect(byDay.groups).toHaveLength(1);
    expect(byDay.groups[0]?.key).toBe(byDay.to);
    expect(byDay.groups[0]?.cost_usd).toBeCloseTo(3 * turnCost, 10);
  });

  it('shows on each answer what its own turn spent', async () => {
    const messages = await getJson<MessageItem[]>(stack, '/api/agents/definitions/general/messages');
    const answers = messages.filter((m) => m.role === 'assistant');
    expect(answers).toHaveLength(3);
    for (const answer of answers) {
      expect(answer.spend).toMatchObject({ input_tokens: 1000, output_tokens: 500, cache_read_tokens: 200 });
      expect(answer.spend?.cost_usd).toBeCloseTo(turnCost, 10);
    }
    expect(messages.filter((m) => m.role === 'user').every((m) => m.spend === null)).toBe(true);
  });

  it('answers /cost in Telegram with today’s and this month’s totals per agent', async () => {
    const total = `$${(3 * turnCost).toFixed(2)}`;
    const answer = await say(stack, '/cost');
    expect(answer?.text).toContain(`general: today ${total} · this month ${total}`);
    expect(answer?.text).toContain('coder: today $0.00 · this month $0.00');
    expect(stack.anthropic.requests.some((r) => r.lastUserText.includes('/cost'))).toBe(false);
  });

  it('counts a task run’s spend in /api/costs, and shows it on the run', async () => {
    const created = await callApi(stack.praktor.webUrl, 'POST', '/api/tasks', {
      body: { agent_id: 'general', name: 'digest', schedule: 'every 24h', prompt: 'digest' },
    });
    expect(created.status).toBe(201);
    const task = created.json as TaskItem;
    expect((await callApi(stack.praktor.webUrl, 'POST', `/api/tasks/${task.id}/run`)).status).toBe(202);
    const [run] = await eventually(
      'the task run to finish',
      () => getJson<TaskRunItem[]>(stack, `/api/tasks/${task.id}/runs`),
      (runs) => runs.some((r) => r.status !== 'running'),
      { timeoutMs: 60_000 },
    );
    expect(run?.status).toBe('ok');
    expect(run?.cost_usd).toBeCloseTo(turnCost, 10);
    const report = await getJson<CostsResponse>(stack, '/api/costs?group=agent');
    expect(report.groups[0]).toMatchObject({ key: 'general', input_tokens: 4000, runs: 4 });
    expect(report.groups[0]?.cost_usd).toBeCloseTo(4 * turnCost, 10);
  });

  it('refuses a range that ends before it starts, naming both days', async () => {
    const response = await fetch(`${stack.praktor.webUrl}/api/costs?from=2026-02-01&to=2026-01-01`);
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({ error: 'from (2026-02-01) is after to (2026-01-01)' });
  });
});
