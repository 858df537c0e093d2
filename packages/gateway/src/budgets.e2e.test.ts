/**
 * A daily budget of a few cents with the fake model reporting a known cost per turn: the turn that lands between 80 %
 * and 100 % brings the main chat's warning with it (once), the turn that crosses the budget still finishes, the next
 * message is refused with the reason (once per chat: Mission Control's chat is told too), and the model is never
 * asked again; raising the budget in praktor.yaml lets work through at once, without a restart. (The next day:
 * budget-day.e2e.test.ts, with the gateway's one clock moved by the test.)
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { MessageItem } from '@praktor/protocol';
import {
  callApi,
  defaultStackConfig,
  eventually,
  type ModelRequest,
  reply,
  type Stack,
  startStack,
  TEST_USER_ID,
} from '@praktor/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const USAGE = {
  input_tokens: 1000,
  output_tokens: 500,
  cache_read_input_tokens: 200,
  cache_creation_input_tokens: 100,
};
/** What Claude Code charges for USAGE on a model it has no price for (its default rates). */
const TURN_COST = 0.01454;

function model(req: ModelRequest) {
  if (req.kind !== 'main') return reply.text('side call', { usage: { input_tokens: 0, output_tokens: 0 } });
  return reply.text(`answer to ${req.lastUserText}`, { usage: USAGE });
}

/** The configuration the gateway started with, kept to write a changed praktor.yaml. */
let started: Record<string, unknown> = {};

function config(urls: { telegramApiRoot: string; telegramToken: string }) {
  const base = defaultStackConfig(urls) as { telegram: Record<string, unknown> };
  started = {
    ...base,
    telegram: { ...base.telegram, main_chat_id: TEST_USER_ID },
    scheduler: { timezone: 'UTC' },
    // Two turns land at 83 %, three at 125 %.
    budgets: { daily_usd: 0.035 },
  };
  return started;
}

function say(stack: Stack, text: string, answers = 1) {
  return stack.telegram.say(TEST_USER_ID, text, { count: answers, timeoutMs: 30_000 });
}

async function conversation(stack: Stack): Promise<MessageItem[]> {
  const response = await fetch(`${stack.praktor.webUrl}/api/agents/definitions/general/messages?limit=200`);
  return (await response.json()) as MessageItem[];
}

describe('a daily budget', () => {
  let stack: Stack;

  beforeAll(async () => {
    stack = await startStack({ handler: model, config });
  });

  afterAll(async () => {
    await stack?.close();
  });

  it('lets a turn run below 80 % without a warning', async () => {
    expect((await say(stack, 'one')).map((m) => m.text)).toEqual(['answer to one']);
    const spent = (await conversation(stack)).flatMap((m) => (m.spend ? [m.spend.cost_usd] : []));
    expect(spent).toHaveLength(1);
    expect(spent[0]).toBeCloseTo(TURN_COST, 10);
  });

  it('warns the main chat with the turn that lands between 80 % and 100 %', async () => {
    const messages = await say(stack, 'two', 2);
    expect(messages.map((m) => m.text)).toEqual([
      'answer to two',
      `⚠️ 83 % of the daily budget of all agents used: $0.03 of $0.04. It resets at ${tomorrow()}, 00:00 (UTC).`,
    ]);
  });

  it('finishes the turn that crosses it, without warning again', async () => {
    const before = stack.telegram.messagesIn(TEST_USER_ID).length;
    expect((await say(stack, 'three')).map((m) => m.text)).toEqual(['answer to three']);
    const three = await eventually(
      'the answer to three priced',
      async () => (await conversation(stack)).find((m) => m.text === 'answer to three'),
      (m) => m?.spend !== null,
    );
    expect(three?.spend?.cost_usd).toBeCloseTo(TURN_COST, 10);
    expect(
      stack.telegram
        .messagesIn(TEST_USER_ID)
        .slice(before)
        .map((m) => m.text),
    ).toEqual(['answer to three']);
  });

  it('refuses the next message with the budget, the spend and the reset time, and never asks the model', async () => {
    const [refusal] = await say(stack, 'four');
    expect(refusal?.text).toBe(
      `🛑 The daily budget of all agents ($0.04) is used up: $0.04 spent today. Nothing more runs until it resets at ${tomorrow()}, 00:00 (UTC).`,
    );
    expect(stack.anthropic.requests.some((r) => r.lastUserText.includes('four'))).toBe(false);
  });

  it('tells another chat it refuses too: Mission Control’s', async () => {
    const sent = await callApi(stack.praktor.webUrl, 'POST', '/api/agents/definitions/general/messages', {
      body: { text: 'from the web' },
    });
    expect(sent.status).toBe(202);
    const told = await eventually(
      'the web chat told',
      async () => (await conversation(stack)).find((m) => m.channel === 'web' && m.text.startsWith('🛑')),
      (m) => m !== undefined,
    );
    expect(told?.text).toContain('The daily budget of all agents ($0.04) is used up');
    expect(stack.anthropic.requests.some((r) => r.lastUserText.includes('from the web'))).toBe(false);
  });

  it('refuses later messages quietly: the chat was told already this period', async () => {
    const before = stack.telegram.messagesIn(TEST_USER_ID).length;
    stack.telegram.sendText({ userId: TEST_USER_ID, text: 'five' });
    const five = await eventually(
      'message five closed',
      async () => (await conversation(stack)).find((m) => m.text === 'five'),
      (m) => m?.state === 'failed',
    );
    expect(five?.error).toContain('is used up');
    expect(stack.telegram.messagesIn(TEST_USER_ID)).toHaveLength(before);
    expect(stack.anthropic.requests.some((r) => r.lastUserText.includes('five'))).toBe(false);
  });

  it('lets work through at once when praktor.yaml raises the budget, without a restart', async () => {
    const pid = stack.praktor.process.child.pid;
    const reloads = stack.praktor.logs().filter((line) => line.msg === 'config reloaded').length;
    writeFileSync(
      join(stack.praktor.home, 'praktor.yaml'),
      JSON.stringify({ ...started, budgets: { daily_usd: 1 } }, null, 2),
    );
    await eventually(
      'the raised budget reloaded',
      async () => stack.praktor.logs().filter((line) => line.msg === 'config reloaded').length,
      (n) => n > reloads,
    );
    expect((await say(stack, 'six')).map((m) => m.text)).toEqual(['answer to six']);
    expect(stack.anthropic.requests.some((r) => r.lastUserText.includes('six'))).toBe(true);
    expect(stack.praktor.process.child.pid).toBe(pid);
  });
});

/** Tomorrow in UTC as the messages write it (`8 Dec 2026`). */
function tomorrow(): string {
  return new Intl.DateTimeFormat('en-GB', { timeZone: 'UTC', dateStyle: 'medium' }).format(
    new Date(Date.now() + 24 * 3_600_000),
  );
}
