import { autoRetry } from '@grammyjs/auto-retry';
import { Bot, GrammyError, InputFile } from 'grammy';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type FakeTelegram, startFakeTelegram } from './index.js';

const USER = 4242;

let fake: FakeTelegram;
let bots: { bot: Bot; running: Promise<void> }[];
let botErrors: unknown[];

beforeEach(async () => {
  fake = await startFakeTelegram();
  bots = [];
  botErrors = [];
});

afterEach(async () => {
  for (const { bot } of bots) if (bot.isRunning()) await bot.stop();
  // A failed start (401, 409) rejects here; the test that expects it has already awaited it.
  await Promise.allSettled(bots.map(({ running }) => running));
  await fake.close();
});

function createBot(): Bot {
  const bot = new Bot(fake.token, { client: { apiRoot: fake.apiRoot } });
  bot.catch((error) => {
    botErrors.push(error.error);
  });
  return bot;
}

function start(bot: Bot): Promise<void> {
  const running = bot.start();
  bots.push({ bot, running });
  return running;
}

const pollingStarted = () => fake.waitFor(() => fake.calls.some((call) => call.method === 'getUpdates'));

describe('a real grammY bot against the fake', () => {
  it('starts with getMe and deleteWebhook (concurrently), then long-polls from offset 1 with JSON bodies', async () => {
    start(createBot());
    await pollingStarted();
    const [first, second, third] = fake.calls;
    expect([first?.method, second?.method].sort()).toEqual(['deleteWebhook', 'getMe']);
    expect(third).toMatchObject({
      method: 'getUpdates',
      httpMethod: 'POST',
      contentType: 'application/json',
      params: { offset: 1, timeout: 30, allowed_updates: [] },
    });
  });

  it('delivers an injected message to a handler whose HTML reply is recorded with entities', async () => {
    const bot = createBot();
    bot.on('message:text', (ctx) => ctx.reply(`<b>Echo:</b> ${ctx.msg.text}`, { parse_mode: 'HTML' }));
    start(bot);
    fake.sendText({ userId: USER, text: 'hello' });
    const reply = await fake.waitFor(() => fake.messagesIn(USER)[0]);
    expect(reply).toMatchObject({
      text: 'Echo: hello',
      parseMode: 'HTML',
      entities: [{ type: 'bold', offset: 0, length: 5 }],
      messageId: 2,
    });
  });

  it('routes /start to bot.command thanks to the bot_command entity', async () => {
    const bot = createBot();
    bot.command('start', (ctx) => ctx.reply('Welcome'));
    start(bot);
    fake.sendText({ userId: USER, text: '/start' });
    expect((await fake.waitFor(() => fake.sent[0]))?.text).toBe('Welcome');
  });

  it('surfaces a malformed HTML reply as a GrammyError with Telegram’s description', async () => {
    const bot = createBot();
    bot.on('message:text', (ctx) => ctx.reply('a <br> b', { parse_mode: 'HTML' }));
    start(bot);
    fake.sendText({ userId: USER, text: 'go' });
    const error = await fake.waitFor(() => botErrors[0]);
    expect(error).toBeInstanceOf(GrammyError);
    expect((error as GrammyError).description).toBe(
      'Bad Request: can\'t parse entities: Unsupported start tag "br" at byte offset 2',
    );
  });

  it('retries a 429 after retry_after seconds with the auto-retry plugin', async () => {
    const bot = createBot();
    bot.api.config.use(autoRetry());
    bot.on('message:text', (ctx) => ctx.reply('eventually'));
    start(bot);
    fake.failNext('sendMessage', {
      errorCode: 429,
      description: 'Too Many Requests: retry after 1',
      retryAfter: 1,
    });
    fake.sendText({ userId: USER, text: 'hi' });

    await fake.waitFor(() => fake.sent[0], 5000);
    const attempts = fake.calls.filter((call) => call.method === 'sendMessage');
    expect(attempts.map((call) => call.response?.ok)).toEqual([false, true]);
    expect(attempts[0]?.response).toMatchObject({ error_code: 429, parameters: { retry_after: 1 } });
    expect((attempts[1]?.at ?? 0) - (attempts[0]?.at ?? 0)).toBeGreaterThanOrEqual(1000);
  });

  it('uploads an InputFile as multipart with an attach:// reference', async () => {
    const bot = createBot();
    fake.sendText({ userId: USER, text: 'hi' });
    await bot.api.sendDocument(USER, new InputFile(Buffer.from('a,b\n1,2\n'), 'data.csv'), {
      caption: 'Data',
    });
    const call = fake.calls.find((candidate) => candidate.method === 'sendDocument');
    expect(call?.contentType).toBe('multipart/form-data');
    expect(call?.params.document).toBe(`attach://${call?.files[0]?.field}`);
    expect(call?.files.map(({ fileName, size, mimeType }) => ({ fileName, size, mimeType }))).toEqual([
      { fileName: 'data.csv', size: 8, mimeType: 'application/octet-stream' },
    ]);
    expect(fake.sent[0]?.file).toMatchObject({
      kind: 'document',
      fileName: 'data.csv',
      mimeType: 'text/csv',
      size: 8,
    });
  });

  it('takes a voice message as OGG and tells it as a voice', async () => {
    const bot = createBot();
    fake.sendText({ userId: USER, text: 'hi' });
    const sent = await bot.api.sendVoice(USER, new InputFile(Buffer.from('OggS voice'), 'answer.ogg'));
    expect(sent.voice).toMatchObject({ mime_type: 'audio/ogg', file_size: 10 });
    expect(fake.sent[0]).toMatchObject({
      method: 'sendVoice',
      file: { kind: 'voice', fileName: 'answer.ogg', mimeType: 'audio/ogg', size: 10 },
    });
  });

  it('lets a handler see the bot message a user replied to', async () => {
    const bot = createBot();
    const seen: unknown[] = [];
    bot.on('message:text', async (ctx) => {
      if (ctx.msg.reply_to_message) seen.push(ctx.msg.reply_to_message);
      else await ctx.reply('<i>Which one?</i>', { parse_mode: 'HTML' });
    });
    start(bot);
    fake.sendText({ userId: USER, text: 'pick' });
    const question = await fake.waitFor(() => fake.sent[0]);
    fake.sendText({ userId: USER, text: 'the second', replyToMessageId: question.messageId });
    expect(await fake.waitFor(() => seen[0])).toMatchObject({
      message_id: question.messageId,
      from: { id: fake.botUser.id, is_bot: true },
      text: 'Which one?',
      entities: [{ type: 'italic', offset: 0, length: 10 }],
    });
  });

  it('downloads an incoming document through getFile and the file URL', async () => {
    const fileId = fake.addFile(Buffer.from('remember the milk'), 'todo.txt');
    const bot = createBot();
    bot.on('message:document', async (ctx) => {
      const file = await ctx.getFile();
      const response = await fetch(`${fake.apiRoot}/file/bot${fake.token}/${file.file_path}`);
      await ctx.reply(`Read: ${await response.text()}`);
    });
    start(bot);
    fake.injectUpdate({
      message: {
        message_id: 1,
        date: 0,
        chat: { id: USER, type: 'private', first_name: 'Ann' },
        from: { id: USER, is_bot: false, first_name: 'Ann' },
        document: { file_id: fileId, file_unique_id: 'u1', file_name: 'todo.txt' },
      },
    });
    expect((await fake.waitFor(() => fake.sent[0]))?.text).toBe('Read: remember the milk');
  });

  it('confirms the last update with a limit 1 getUpdates when stopped', async () => {
    const bot = createBot();
    bot.on('message', () => {});
    start(bot);
    const { updateId } = fake.sendText({ userId: USER, text: 'one' });
    await fake.waitFor(() =>
      fake.calls.some((call) => call.method === 'getUpdates' && call.params.offset === updateId + 1),
    );
    await bot.stop();
    expect(fake.calls.at(-1)).toMatchObject({
      method: 'getUpdates',
      params: { offset: updateId + 1, limit: 1 },
      response: { ok: true, result: [] },
    });
  });

  it('ends the older of two polling bots with 409 Conflict', async () => {
    const first = start(createBot());
    await pollingStarted();
    start(createBot());
    await expect(first).rejects.toMatchObject({ error_code: 409 });
  });

  it('rejects a bot with the wrong token at startup with 401', async () => {
    const bot = new Bot('1:not-the-token', { client: { apiRoot: fake.apiRoot } });
    const running = bot.start();
    bots.push({ bot, running });
    await expect(running).rejects.toMatchObject({ error_code: 401, description: 'Unauthorized' });
  });
});

describe('inline keyboards with a real grammY bot', () => {
  const KEYBOARD = {
    inline_keyboard: [
      [
        { text: 'Yes', callback_data: 'yes' },
        { text: 'No', callback_data: 'no' },
      ],
    ],
  };

  it('records the keyboard a message carries, and the press comes back as a callback query the bot answers once', async () => {
    const bot = createBot();
    const answers: string[] = [];
    bot.on('message:text', (ctx) => ctx.reply('Sure?', { reply_markup: KEYBOARD }));
    bot.on('callback_query:data', async (ctx) => {
      const answer = () =>
        ctx.answerCallbackQuery({ text: `got ${ctx.callbackQuery.data}` }).then(
          () => 'answered',
          (err: GrammyError) => err.description,
        );
      answers.push(await answer());
      await ctx.editMessageText(`Answered: ${ctx.callbackQuery.data} by ${ctx.from.id}`);
      answers.push(await answer());
    });
    start(bot);
    fake.sendText({ userId: USER, text: 'delete it' });
    const question = await fake.waitFor(() => fake.messagesIn(USER)[0]);
    expect(question.inlineKeyboard).toEqual(KEYBOARD.inline_keyboard);
    fake.pressButton({ userId: USER, messageId: question.messageId, data: 'no' });
    const edit = await fake.waitFor(() => fake.sent.find((m) => m.method === 'editMessageText'));
    expect(edit).toMatchObject({ text: `Answered: no by ${USER}`, messageId: question.messageId });
    expect(edit.inlineKeyboard).toBeUndefined();
    await fake.waitFor(() => answers.length === 2);
    expect(answers).toEqual([
      'answered',
      'Bad Request: query is too old and response timeout expired or query ID is invalid',
    ]);
  });

  it('refuses to press a button the message does not carry (any more)', async () => {
    const bot = createBot();
    bot.on('message:text', (ctx) => ctx.reply('Sure?', { reply_markup: KEYBOARD }));
    start(bot);
    fake.sendText({ userId: USER, text: 'delete it' });
    const question = await fake.waitFor(() => fake.messagesIn(USER)[0]);
    expect(() => fake.pressButton({ userId: USER, messageId: question.messageId, data: 'maybe' })).toThrow(
      'has no button "maybe" (buttons: yes, no)',
    );
    expect(() => fake.pressButton({ userId: USER, messageId: 999, data: 'yes' })).toThrow(
      'has no message 999',
    );
  });
});
