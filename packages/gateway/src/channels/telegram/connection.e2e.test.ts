/**
 * The gateway never waits for Telegram: Mission Control comes up and shows the bot's state while the Bot API is
 * unreachable, hangs or refuses the token; the bot connects once Telegram is back and delivers what was stored
 * meanwhile; and a SIGTERM ends the gateway in time whatever Telegram does.
 */
import { StatusResponse, type TaskItem } from '@praktor/protocol';
import {
  defaultStackConfig,
  eventually,
  type FakeAnthropic,
  type FakeTelegram,
  freePort,
  type ModelRequest,
  type PraktorProcess,
  reply,
  startFakeAnthropic,
  startFakeTelegram,
  startPraktor,
  startStack,
  TEST_USER_ID,
} from '@praktor/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const TOKEN = '7000000002:AAConnectionTestToken0000000000000000';

function model(req: ModelRequest) {
  if (req.kind !== 'main') return reply.text('side call');
  return reply.text(`heard: ${req.lastUserText}`);
}

/** A gateway whose bot talks to `apiRoot`; resolves once it logs that it is ready, with how long that took. */
async function startGateway(
  anthropic: FakeAnthropic,
  apiRoot: string,
  token = TOKEN,
): Promise<{ praktor: PraktorProcess; readyInMs: number }> {
  const startedAt = Date.now();
  const praktor = await startPraktor({
    config: defaultStackConfig({ telegramApiRoot: apiRoot, telegramToken: token }),
    anthropicUrl: anthropic.url,
  });
  return { praktor, readyInMs: Date.now() - startedAt };
}

async function call(praktor: PraktorProcess, method: string, path: string, body?: unknown) {
  const response = await fetch(`${praktor.webUrl}${path}`, {
    method,
    ...(body === undefined
      ? {}
      : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
  });
  return { status: response.status, json: (await response.json()) as unknown };
}

async function status(praktor: PraktorProcess): Promise<StatusResponse> {
  return StatusResponse.parse((await call(praktor, 'GET', '/api/status')).json);
}

/** Sends `text` as the test user and waits for the bot's next message in that chat. */
async function exchange(telegram: FakeTelegram, text: string) {
  const [answer] = await telegram.say(TEST_USER_ID, text, { timeoutMs: 20_000 });
  return answer;
}

/** SIGTERM, and how long the gateway took to exit. */
async function stopTimed(praktor: PraktorProcess) {
  const startedAt = Date.now();
  const exit = await praktor.stop();
  return { ...exit, tookMs: Date.now() - startedAt };
}

let anthropic: FakeAnthropic;

beforeAll(async () => {
  anthropic = await startFakeAnthropic({ handler: model });
});

afterAll(async () => {
  await anthropic?.close();
});

describe('a gateway whose Telegram API has nothing listening', () => {
  let port: number;
  let praktor: PraktorProcess;
  let readyInMs: number;
  let telegram: FakeTelegram | undefined;

  beforeAll(async () => {
    port = await freePort();
    ({ praktor, readyInMs } = await startGateway(anthropic, `http://127.0.0.1:${port}`));
  });

  afterAll(async () => {
    await praktor?.stop();
    await telegram?.close();
    praktor?.cleanup();
  });

  it('starts Mission Control without waiting for Telegram', async () => {
    expect(readyInMs).toBeLessThan(10_000);
    expect((await call(praktor, 'GET', '/api/status')).status).toBe(200);
  });

  it('shows Telegram connecting, with the error and the next attempt', async () => {
    const seen = await eventually(
      'Telegram connecting with an error',
      () => status(praktor),
      (s) => s.telegram.state === 'connecting' && s.telegram.error !== null,
      { timeoutMs: 5_000 },
    );
    expect(seen.telegram).toEqual({
      state: 'connecting',
      error: expect.stringMatching(
        new RegExp(`^cannot reach http://127\\.0\\.0\\.1:${port}: .*ECONNREFUSED`),
      ),
      retry_at: expect.any(Number),
    });
    expect(JSON.stringify(seen)).not.toContain(TOKEN.split(':')[1]);
  });

  it('logs the failure once, not at every attempt', async () => {
    await eventually(
      'a second attempt',
      async () => praktor.logs().filter((l) => l.msg === 'telegram still cannot be reached').length,
      (repeats) => repeats > 0,
    );
    const warnings = praktor
      .logs()
      .filter((l) => l.msg === 'telegram cannot be reached: trying again in the background');
    expect(warnings).toHaveLength(1);
  });

  it('keeps an answer for Telegram stored while it cannot connect', async () => {
    const created = await call(praktor, 'POST', '/api/tasks', {
      agent_id: 'general',
      name: 'report',
      prompt: 'the daily report',
      schedule: 'every 2h',
      chat: { channel: 'telegram', chat_id: String(TEST_USER_ID) },
    });
    expect(created.status).toBe(201);
    expect((await call(praktor, 'POST', `/api/tasks/${(created.json as TaskItem).id}/run`)).status).toBe(202);
    await eventually(
      'the task’s answer waiting for Telegram',
      () => status(praktor),
      (s) => s.backlog.outbox === 1,
      { timeoutMs: 30_000 },
    );
  });

  it('connects once Telegram is up, delivers what was stored, and a message round-trips', async () => {
    const fake = await startFakeTelegram({ port, token: TOKEN });
    telegram = fake;
    fake.sendText({ userId: TEST_USER_ID, text: 'are you there?' });
    const texts = () => fake.messagesIn(TEST_USER_ID).map((m) => m.text);
    await fake.waitFor(() => texts().length >= 2, 20_000);
    expect(texts()).toEqual(
      expect.arrayContaining(['heard: are you there?', expect.stringContaining('heard: the daily report')]),
    );
    const now = await status(praktor);
    expect(now.telegram).toEqual({ state: 'connected', bot: 'praktor_test_bot' });
    expect(now.backlog.outbox).toBe(0);
  });
});

describe('a gateway whose Telegram API accepts connections and never answers', () => {
  let telegram: FakeTelegram;
  let praktor: PraktorProcess;
  let readyInMs: number;

  beforeAll(async () => {
    telegram = await startFakeTelegram({ token: TOKEN });
    telegram.stall();
    ({ praktor, readyInMs } = await startGateway(anthropic, telegram.apiRoot));
  });

  afterAll(async () => {
    await praktor?.stop();
    await telegram?.close();
    praktor?.cleanup();
  });

  it('starts Mission Control without waiting for Telegram', async () => {
    expect(readyInMs).toBeLessThan(10_000);
    expect((await status(praktor)).telegram.state).toBe('connecting');
  });

  it('shows the attempt that got no answer as the error', async () => {
    const seen = await eventually(
      'Telegram connecting with a timeout',
      () => status(praktor),
      (s) => s.telegram.state === 'connecting' && s.telegram.error !== null,
    );
    expect(seen.telegram).toMatchObject({
      state: 'connecting',
      error: expect.stringMatching(/^cannot reach http:\/\/127\.0\.0\.1:\d+: Request to 'getMe' timed out/),
    });
  });

  it('connects once Telegram answers again, and a message round-trips', async () => {
    telegram.resume();
    const answer = await exchange(telegram, 'back again?');
    expect(answer?.text).toBe('heard: back again?');
    expect((await status(praktor)).telegram).toEqual({ state: 'connected', bot: 'praktor_test_bot' });
  });

  it('exits within its 8 s grace period on SIGTERM while Telegram hangs', async () => {
    telegram.stall();
    const exit = await stopTimed(praktor);
    expect(exit).toMatchObject({ code: 0, signal: null });
    expect(exit.tookMs).toBeLessThan(10_000);
  });
});

describe('a gateway stopped while its first getMe hangs', () => {
  it('exits within its 8 s grace period on SIGTERM', async () => {
    const telegram = await startFakeTelegram({ token: TOKEN });
    telegram.stall();
    const { praktor } = await startGateway(anthropic, telegram.apiRoot);
    try {
      await telegram.waitFor(() => telegram.calls.some((c) => c.method === 'getMe'), 10_000);
      const exit = await stopTimed(praktor);
      expect(exit).toMatchObject({ code: 0, signal: null });
      expect(exit.tookMs).toBeLessThan(10_000);
    } finally {
      await praktor.stop();
      await telegram.close();
      praktor.cleanup();
    }
  });
});

describe('a gateway whose bot token Telegram refuses', () => {
  let telegram: FakeTelegram;
  let praktor: PraktorProcess;

  beforeAll(async () => {
    telegram = await startFakeTelegram({ token: TOKEN });
    ({ praktor } = await startGateway(
      anthropic,
      telegram.apiRoot,
      '7000000003:AAWrongToken00000000000000000000000',
    ));
  });

  afterAll(async () => {
    await praktor?.stop();
    await telegram?.close();
    praktor?.cleanup();
  });

  it('shows Telegram failed, naming the setting to fix', async () => {
    const seen = await eventually(
      'Telegram failed',
      () => status(praktor),
      (s) => s.telegram.state === 'failed',
      { timeoutMs: 5_000 },
    );
    expect(seen.telegram).toEqual({
      state: 'failed',
      error:
        'Telegram refused the bot token (401 Unauthorized): set a valid telegram.token (or PRAKTOR_TELEGRAM_TOKEN) ' +
        'and restart Praktor',
    });
  });

  it('logs it as an error once and does not try again', async () => {
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    expect(telegram.calls.filter((c) => c.method === 'getMe')).toHaveLength(1);
    const errors = praktor.logs().filter((l) => l.msg === 'telegram is off until Praktor restarts');
    expect(errors).toHaveLength(1);
    expect(errors[0]?.err).toContain('telegram.token');
  });
});

describe('a bot whose long polling Telegram ends', () => {
  const conflict =
    'Conflict: terminated by other getUpdates request; make sure that only one bot instance is running';

  /** A connected stack whose next long poll Telegram answers with `errorCode`; resolves with the status after. */
  async function pollingEndedWith(errorCode: number, description: string) {
    const stack = await startStack({ handler: model });
    try {
      expect((await status(stack.praktor)).telegram).toEqual({ state: 'connected', bot: 'praktor_test_bot' });
      stack.telegram.failNext('getUpdates', { errorCode, description });
      // Ends the long poll in progress, so the next one meets the failure.
      stack.telegram.sendText({ userId: TEST_USER_ID, text: 'hello' });
      return await eventually(
        'Telegram failed',
        () => status(stack.praktor),
        (s) => s.telegram.state === 'failed',
      );
    } finally {
      await stack.close();
    }
  }

  it('shows Telegram failed when another program takes the updates (409)', async () => {
    expect((await pollingEndedWith(409, conflict)).telegram).toEqual({
      state: 'failed',
      error: `another program is taking this bot's updates (409 ${conflict}): stop it, or remove its webhook, and restart Praktor`,
    });
  });

  it('shows Telegram failed when the token is revoked (401)', async () => {
    expect((await pollingEndedWith(401, 'Unauthorized')).telegram).toEqual({
      state: 'failed',
      error:
        'Telegram refused the bot token (401 Unauthorized): set a valid telegram.token (or PRAKTOR_TELEGRAM_TOKEN) ' +
        'and restart Praktor',
    });
  });
});
