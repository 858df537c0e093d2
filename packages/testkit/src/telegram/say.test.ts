import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type FakeTelegram, type SayOptions, startFakeTelegram } from './index.js';

let fake: FakeTelegram;

beforeEach(async () => {
  fake = await startFakeTelegram();
});

afterEach(async () => {
  await fake.close();
});

const USER = 1001;

/** The bot's side, over the fake's real Bot API: what a bot gets from getUpdates, and writing to a chat. */
async function api<T>(method: string, params: Record<string, unknown>): Promise<T> {
  const response = await fetch(`${fake.apiRoot}/bot${fake.token}/${method}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(params),
  });
  const body = (await response.json()) as { ok: boolean; result: T; description?: string };
  if (!body.ok) throw new Error(`${method} failed: ${body.description}`);
  return body.result;
}

const write = (chatId: number, text: string) => api('sendMessage', { chat_id: chatId, text });

describe("the fake Telegram's say", () => {
  it('delivers the text to the bot as the user’s message in their private chat', async () => {
    const said = userSays('hello');
    const updates = await api<{ message: { from: { id: number }; chat: { id: number; type: string } } }[]>(
      'getUpdates',
      {},
    );
    expect(updates.map((u) => [u.message.from.id, u.message.chat])).toEqual([
      [USER, expect.objectContaining({ id: USER, type: 'private' })],
    ]);
    await write(USER, 'hi');
    await said;
  });

  it('resolves with the bot’s answer', async () => {
    const said = userSays('hello');
    await write(USER, 'hi back');
    expect((await said).map((m) => m.text)).toEqual(['hi back']);
  });

  it('leaves out what the bot wrote in the chat before the user spoke', async () => {
    fake.sendText({ userId: USER, text: 'earlier' });
    await write(USER, 'an earlier answer');
    const said = userSays('now');
    await write(USER, 'the answer to now');
    expect((await said).map((m) => m.text)).toEqual(['the answer to now']);
  });

  it('leaves out what the bot wrote in other chats', async () => {
    fake.sendText({ userId: 2002, text: 'someone else' });
    const said = userSays('hello');
    await write(2002, 'for someone else');
    await write(USER, 'for the user');
    expect((await said).map((m) => m.text)).toEqual(['for the user']);
  });

  it('waits for count answers', async () => {
    const said = userSays('two please', { count: 2 });
    await write(USER, 'one');
    await expect(settlesWithin(said, 50)).resolves.toBe(false);
    await write(USER, 'two');
    expect((await said).map((m) => m.text)).toEqual(['one', 'two']);
  });

  it('waits, given until, for an answer that satisfies it, and resolves with every answer since', async () => {
    const said = userSays('the report', { until: (m) => m.text === 'Here it is.' });
    await write(USER, 'Working on it…');
    await expect(settlesWithin(said, 50)).resolves.toBe(false);
    await write(USER, 'Here it is.');
    expect((await said).map((m) => m.text)).toEqual(['Working on it…', 'Here it is.']);
  });

  it('rejects after timeoutMs when the bot does not answer', async () => {
    await expect(userSays('anyone?', { timeoutMs: 50 })).rejects.toThrow(
      /^waitFor: condition not met within 50 ms/,
    );
  });
});

function userSays(text: string, opts?: SayOptions) {
  return fake.say(USER, text, opts);
}

/** Whether `promise` settles within `ms`. */
async function settlesWithin(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let settled = false;
  promise.then(
    () => {
      settled = true;
    },
    () => {
      settled = true;
    },
  );
  await new Promise((resolve) => setTimeout(resolve, ms));
  return settled;
}
