/**
 * The next day re-opens a capped agent, end to end: a real gateway (in this process, so the test holds its clock)
 * with the real runner and Claude Code against the fake model and fake Telegram. The scheduler, the tasks, the
 * budgets and the spend records all tell the time by the one clock handed to `startGateway`; the test moves it a
 * day on instead of sleeping, and both a task scheduled for tomorrow and the user's next message go through.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TaskItem } from '@praktor/protocol';
import {
  defaultStackConfig,
  FAKE_API_KEY,
  type FakeAnthropic,
  type FakeTelegram,
  freePort,
  type ModelRequest,
  reply,
  startFakeAnthropic,
  startFakeTelegram,
  TEST_USER_ID,
} from '@praktor/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from './config/index.js';
import { type Gateway, startGateway } from './gateway.js';
import { createLogger } from './log.js';

const DAY_MS = 24 * 3_600_000;

/** Every turn costs about $0.0145 (Claude Code's default rates): the daily budget below holds one and a bit. */
function model(req: ModelRequest) {
  if (req.kind !== 'main') return reply.text('side call', { usage: { input_tokens: 0, output_tokens: 0 } });
  return reply.text(`answer to ${req.lastUserText}`, { usage: { input_tokens: 1000, output_tokens: 500 } });
}

describe('a daily budget on the next day', () => {
  let anthropic: FakeAnthropic;
  let telegram: FakeTelegram;
  let gateway: Gateway;
  let home: string;
  let webUrl: string;
  /** How far the gateway's clock is ahead of the real one. */
  let ahead = 0;
  const now = () => Date.now() + ahead;

  beforeAll(async () => {
    anthropic = await startFakeAnthropic({ handler: model });
    telegram = await startFakeTelegram();
    home = mkdtempSync(join(tmpdir(), 'praktor-budget-day-'));
    const base = defaultStackConfig({ telegramApiRoot: telegram.apiRoot, telegramToken: telegram.token }) as {
      telegram: Record<string, unknown>;
    };
    const config = {
      ...base,
      telegram: { ...base.telegram, main_chat_id: TEST_USER_ID },
      scheduler: { timezone: 'UTC', poll_interval: '1s' },
      budgets: { daily_usd: 0.02 },
    };
    writeFileSync(join(home, 'praktor.yaml'), JSON.stringify(config, null, 2));
    const port = await freePort();
    webUrl = `http://127.0.0.1:${port}`;
    const env: NodeJS.ProcessEnv = {
      PATH: process.env.PATH,
      HOME: home,
      LANG: 'C.UTF-8',
      PRAKTOR_CONFIG: join(home, 'praktor.yaml'),
      PRAKTOR_DATA_DIR: join(home, 'data'),
      PRAKTOR_WEB_PORT: String(port),
      PRAKTOR_LOG_LEVEL: 'error',
      ANTHROPIC_API_KEY: FAKE_API_KEY,
      ANTHROPIC_BASE_URL: anthropic.url,
      CLAUDE_CODE_MAX_RETRIES: '0',
    };
    const loaded = loadConfig({ env, cwd: home });
    gateway = await startGateway(
      loaded.config,
      createLogger(env),
      loaded.warnings,
      env,
      () => loadConfig({ env, cwd: home }),
      now,
    );
  }, 60_000);

  afterAll(async () => {
    await gateway?.stop();
    await telegram?.close();
    await anthropic?.close();
    if (home) rmSync(home, { recursive: true, force: true });
  });

  /** Sends `text` as the test user; resolves with the next `count` messages the bot writes to them. */
  async function say(text: string, count = 1) {
    return (await telegram.say(TEST_USER_ID, text, { count })).map((m) => m.text);
  }

  it('caps the agent once the day’s turns spent its budget', async () => {
    expect(await say('one')).toEqual(['answer to one']);
    const [answer, warning] = await say('two', 2);
    expect(answer).toBe('answer to two');
    expect(warning).toMatch(/^⚠️ \d+ % of the daily budget of all agents used/);
    const [refusal] = await say('three');
    expect(refusal).toMatch(/^🛑 The daily budget of all agents \(\$0\.02\) is used up/);
    expect(anthropic.requests.some((r) => r.lastUserText.includes('three'))).toBe(false);
  }, 120_000);

  it('runs a task scheduled for tomorrow, and answers the user again, once the clock reaches tomorrow', async () => {
    const response = await fetch(`${webUrl}/api/tasks`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ agent_id: 'general', name: 'brief', schedule: '+1d', prompt: 'morning brief' }),
    });
    expect(response.ok).toBe(true);
    const task = (await response.json()) as TaskItem;
    const before = telegram.messagesIn(TEST_USER_ID).length;

    ahead = DAY_MS + 60_000;
    await telegram.waitFor(
      () =>
        telegram
          .messagesIn(TEST_USER_ID)
          .slice(before)
          .some((m) => m.text?.includes('answer to morning brief')),
      60_000,
    );
    const runs = (await (await fetch(`${webUrl}/api/tasks/${task.id}/runs`)).json()) as { status: string }[];
    expect(runs.map((run) => run.status)).toEqual(['ok']);
    const [answer] = await say('four');
    expect(answer).toBe('answer to four');
  }, 120_000);
});
