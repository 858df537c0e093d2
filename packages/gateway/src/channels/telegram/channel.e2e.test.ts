/**
 * What a Telegram user sees: formatting, the plain-text fallback, commands, and the door of a private bot.
 */
import { type ModelRequest, reply, type Stack, startStack, TEST_USER_ID } from '@praktor/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

function model(req: ModelRequest) {
  if (req.kind !== 'main') return reply.text('side call');
  if (req.lastUserText === 'format please') return reply.text('Here is **bold** and `code`.');
  return reply.text(`heard: ${req.lastUserText}`);
}

/** Sends `text` as `userId` and resolves with the bot's first answer. */
async function exchange(stack: Stack, userId: number, text: string) {
  const [answer] = await stack.telegram.say(userId, text, { timeoutMs: 20_000 });
  return answer;
}

describe('the Telegram channel', () => {
  let stack: Stack;

  beforeAll(async () => {
    stack = await startStack({ handler: model });
  });

  afterAll(async () => {
    await stack?.close();
  });

  it('renders the agent’s Markdown as Telegram formatting', async () => {
    const answer = await exchange(stack, TEST_USER_ID, 'format please');
    expect(answer?.text).toBe('Here is bold and code.');
    expect(answer?.entities?.map((e) => e.type)).toEqual(['bold', 'code']);
  });

  it('sends the answer as plain text when Telegram rejects the formatting', async () => {
    stack.telegram.failNext('sendMessage', {
      errorCode: 400,
      description: "Bad Request: can't parse entities: unsupported start tag",
    });
    const answer = await exchange(stack, TEST_USER_ID, 'format please');
    expect(answer?.text).toBe('Here is bold and code.');
    expect(answer?.parseMode).toBeUndefined();
  });

  it('registers its commands with Telegram at start', () => {
    const call = stack.telegram.calls.find((c) => c.method === 'setMyCommands');
    const commands = ((call?.params.commands ?? []) as { command: string }[]).map((c) => c.command);
    expect(commands).toEqual(['agents', 'commands', 'start', 'stop', 'reset', 'cost', 'pair', 'nix']);
  });

  it('lists the agents with their status and model on /agents', async () => {
    const answer = await exchange(stack, TEST_USER_ID, '/agents');
    expect(answer?.text).toContain('general (default) — General-purpose assistant');
    expect(answer?.text).toContain('Model: claude-coder-model');
  });

  it('says hello to the named agent on /start', async () => {
    const answer = await exchange(stack, TEST_USER_ID, '/start coder');
    expect(answer?.text).toBe('coder: heard: Hello!');
  });

  it('tells the sender a file it could not download, and passes the caption on', async () => {
    stack.telegram.failNext('getFile', { errorCode: 400, description: 'Bad Request: file is too big' });
    const before = stack.telegram.messagesIn(TEST_USER_ID).length;
    stack.telegram.injectUpdate({
      message: {
        message_id: 9001,
        date: Math.floor(Date.now() / 1000),
        chat: { id: TEST_USER_ID, type: 'private', first_name: 'Ann' },
        from: { id: TEST_USER_ID, is_bot: false, first_name: 'Ann' },
        caption: 'the holiday video',
        video: { file_id: 'huge', file_unique_id: 'h', width: 1920, height: 1080, duration: 600 },
      },
    });
    const [notice, answer] = await Promise.all([
      stack.telegram.waitFor(() => stack.telegram.messagesIn(TEST_USER_ID)[before], 20_000),
      stack.telegram.waitFor(() => stack.telegram.messagesIn(TEST_USER_ID)[before + 1], 20_000),
    ]);
    expect(notice.text).toBe(
      'I could not receive your video: it is larger than the 20 MB Telegram lets a bot download (a local Bot API ' +
        'server, set as telegram.api_root, lifts the limit). Your message goes on without it.',
    );
    expect(answer.text).toBe('heard: the holiday video');
  });

  it('asks for text or a file when a message has neither', async () => {
    const before = stack.telegram.messagesIn(TEST_USER_ID).length;
    stack.telegram.injectUpdate({
      message: {
        message_id: 9002,
        date: Math.floor(Date.now() / 1000),
        chat: { id: TEST_USER_ID, type: 'private', first_name: 'Ann' },
        from: { id: TEST_USER_ID, is_bot: false, first_name: 'Ann' },
        location: { latitude: 52.5, longitude: 13.4 },
      },
    });
    const answer = await stack.telegram.waitFor(
      () => stack.telegram.messagesIn(TEST_USER_ID)[before],
      20_000,
    );
    expect(answer.text).toBe(
      'I cannot read this kind of message: please write text, or send a file, photo or voice note.',
    );
  });
});

describe('a bot with an empty allow_from and pairing on, as it is by default then', () => {
  let stack: Stack;

  beforeAll(async () => {
    stack = await startStack({
      handler: model,
      config: ({ telegramApiRoot, telegramToken }) => ({
        telegram: { token: telegramToken, api_root: telegramApiRoot, allow_from: [] },
        agents: { general: {} },
      }),
    });
  });

  afterAll(async () => {
    await stack?.close();
  });

  it('gives a newcomer a pairing code to ask the owner with, and reaches no agent', async () => {
    const answer = await exchange(stack, 4242, 'hello?');
    expect(answer?.text).toMatch(/send them this code: [A-Z0-9]{8} \(valid for one hour\)/);
    expect(answer?.text).toContain('praktor pair approve');
    expect(stack.anthropic.requests.filter((r) => r.kind === 'main')).toEqual([]);
  });
});

describe('a bot with an empty allow_from and pairing off', () => {
  let stack: Stack;

  beforeAll(async () => {
    stack = await startStack({
      handler: model,
      config: ({ telegramApiRoot, telegramToken }) => ({
        telegram: { token: telegramToken, api_root: telegramApiRoot, allow_from: [], pairing: false },
        agents: { general: {} },
      }),
    });
  });

  afterAll(async () => {
    await stack?.close();
  });

  it('lets nobody in, and tells a newcomer their user id and how to get in', async () => {
    const answer = await exchange(stack, 4242, 'hello?');
    expect(answer?.text).toContain('Your Telegram user id is 4242');
    expect(answer?.text).toContain('telegram.allow_from');
    expect(stack.anthropic.requests.filter((r) => r.kind === 'main')).toEqual([]);
  });

  it('tells the same newcomer only once in a while', async () => {
    stack.telegram.sendText({ userId: 4343, text: 'one' });
    stack.telegram.sendText({ userId: 4343, text: 'two' });
    await stack.telegram.waitFor(() => stack.telegram.messagesIn(4343).length > 0);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(stack.telegram.messagesIn(4343)).toHaveLength(1);
  });
});
