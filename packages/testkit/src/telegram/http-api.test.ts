import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type ApiResponse, type FakeTelegram, startFakeTelegram } from './index.js';

let fake: FakeTelegram;

beforeEach(async () => {
  fake = await startFakeTelegram();
});

afterEach(async () => {
  await fake.close();
});

async function callApi(
  method: string,
  params: Record<string, unknown> = {},
  token = fake.token,
): Promise<{ status: number; body: ApiResponse }> {
  const response = await fetch(`${fake.apiRoot}/bot${token}/${method}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(params),
  });
  return { status: response.status, body: (await response.json()) as ApiResponse };
}

async function resultOf<T>(method: string, params: Record<string, unknown> = {}): Promise<T> {
  const { body } = await callApi(method, params);
  if (!body.ok) throw new Error(`${method} failed: ${body.description}`);
  return body.result as T;
}

function failure(description: string, errorCode = 400): ApiResponse {
  return { ok: false, error_code: errorCode, description };
}

const USER = 1001;

interface Message {
  message_id: number;
  text?: string;
  entities?: unknown[];
  reply_to_message?: Record<string, unknown>;
  document?: { file_id: string; file_name: string; mime_type: string; file_size: number };
}

describe('authentication and routing', () => {
  it('answers 401 Unauthorized to a wrong token', async () => {
    expect(await callApi('getMe', {}, '1:wrong')).toEqual({
      status: 401,
      body: failure('Unauthorized', 401),
    });
  });

  it('answers 404 to an unknown method', async () => {
    expect(await callApi('sendTelepathy')).toEqual({
      status: 404,
      body: failure('Not Found: method not found', 404),
    });
  });

  it('matches method names case-insensitively, like Telegram', async () => {
    expect(await resultOf('GETME')).toMatchObject(fake.botUser);
  });

  it('accepts GET with query-string parameters', async () => {
    fake.sendText({ userId: USER, text: 'hi' });
    const response = await fetch(`${fake.apiRoot}/bot${fake.token}/sendMessage?chat_id=${USER}&text=pong`);
    expect(response.status).toBe(200);
    expect(fake.sent.map((message) => message.text)).toEqual(['pong']);
  });
});

describe('getUpdates', () => {
  it('returns a pending update and keeps it until an offset confirms it', async () => {
    const { updateId } = fake.sendText({ userId: USER, text: 'hello' });
    const first = await resultOf<{ update_id: number }[]>('getUpdates');
    const again = await resultOf<{ update_id: number }[]>('getUpdates');
    const confirmed = await resultOf<unknown[]>('getUpdates', { offset: updateId + 1 });
    expect([first.map((u) => u.update_id), again.map((u) => u.update_id), confirmed]).toEqual([[1], [1], []]);
  });

  it('returns at most limit updates', async () => {
    for (const text of ['a', 'b', 'c']) fake.sendText({ userId: USER, text });
    const updates = await resultOf<{ update_id: number }[]>('getUpdates', { limit: 2 });
    expect(updates.map((update) => update.update_id)).toEqual([1, 2]);
  });

  it('holds a long poll open and answers as soon as an update arrives', async () => {
    const started = Date.now();
    const poll = resultOf<{ message: { text: string } }[]>('getUpdates', { timeout: 20 });
    await fake.waitFor(() => fake.calls.length === 1);
    fake.sendText({ userId: USER, text: 'wake up' });
    const updates = await poll;
    expect(updates.map((update) => update.message.text)).toEqual(['wake up']);
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('ends a long poll with no updates when its timeout passes', async () => {
    const started = Date.now();
    expect(await resultOf('getUpdates', { timeout: 1 })).toEqual([]);
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
  });

  it('terminates the older of two concurrent long polls with 409 Conflict', async () => {
    const older = callApi('getUpdates', { timeout: 20 });
    await fake.waitFor(() => fake.calls.length === 1);
    const newer = callApi('getUpdates', { timeout: 20 });
    expect(await older).toEqual({
      status: 409,
      body: failure(
        'Conflict: terminated by other getUpdates request; make sure that only one bot instance is running',
        409,
      ),
    });
    fake.sendText({ userId: USER, text: 'for the newer one' });
    expect((await newer).status).toBe(200);
  });

  it('drops pending updates on deleteWebhook with drop_pending_updates', async () => {
    fake.sendText({ userId: USER, text: 'stale' });
    await resultOf('deleteWebhook', { drop_pending_updates: true });
    expect(await resultOf('getUpdates')).toEqual([]);
  });

  it('withholds update types that allowed_updates leaves out', async () => {
    fake.injectUpdate({ callback_query: { id: 'cb1', from: { id: USER, is_bot: false, first_name: 'A' } } });
    fake.sendText({ userId: USER, text: 'kept' });
    const updates = await resultOf<Record<string, unknown>[]>('getUpdates', { allowed_updates: ['message'] });
    expect(updates.map((update) => Object.keys(update))).toEqual([['update_id', 'message']]);
  });

  it('answers a pending long poll with an empty batch when the fake closes', async () => {
    const poll = callApi('getUpdates', { timeout: 30 });
    await fake.waitFor(() => fake.calls.length === 1);
    await fake.close();
    expect(await poll).toEqual({ status: 200, body: { ok: true, result: [] } });
  });
});

describe('sendMessage', () => {
  beforeEach(() => {
    fake.sendText({ userId: USER, text: 'hi' });
  });

  it('records visible text and entities of an HTML message', async () => {
    await resultOf('sendMessage', { chat_id: USER, text: 'Hi <b>Ann</b> &amp; co', parse_mode: 'HTML' });
    expect(fake.messagesIn(USER)).toMatchObject([
      {
        text: 'Hi Ann & co',
        parseMode: 'HTML',
        entities: [{ type: 'bold', offset: 3, length: 3 }],
        method: 'sendMessage',
      },
    ]);
  });

  it('rejects malformed HTML with the byte offset and sends nothing', async () => {
    const reply = await callApi('sendMessage', { chat_id: USER, text: 'ok <b>bold</i>', parse_mode: 'HTML' });
    expect(reply).toEqual({
      status: 400,
      body: failure(
        'Bad Request: can\'t parse entities: Unmatched end tag at byte offset 10, expected "</b>", found "</i>"',
      ),
    });
    expect(fake.sent).toEqual([]);
  });

  it('rejects an unknown parse_mode', async () => {
    const reply = await callApi('sendMessage', { chat_id: USER, text: 'x', parse_mode: 'BBCode' });
    expect(reply.body).toEqual(failure('Bad Request: unsupported parse_mode'));
  });

  it('rejects visible text longer than 4096 UTF-16 code units', async () => {
    const reply = await callApi('sendMessage', { chat_id: USER, text: 'x'.repeat(4097) });
    expect(reply).toEqual({ status: 400, body: failure('Bad Request: message is too long') });
  });

  it('measures the length after markup is removed', async () => {
    const text = `<b>${'x'.repeat(4096)}</b>`;
    expect((await callApi('sendMessage', { chat_id: USER, text, parse_mode: 'HTML' })).status).toBe(200);
  });

  it('rejects a text that is empty after trimming', async () => {
    expect((await callApi('sendMessage', { chat_id: USER, text: ' \n ' })).body).toEqual(
      failure('Bad Request: message text is empty'),
    );
  });

  it('trims surrounding whitespace like Telegram', async () => {
    const message = await resultOf<Message>('sendMessage', { chat_id: USER, text: '\n  hi there \n' });
    expect(message.text).toBe('hi there');
  });

  it('rejects a chat the bot has never seen', async () => {
    expect((await callApi('sendMessage', { chat_id: 999, text: 'x' })).body).toEqual(
      failure('Bad Request: chat not found'),
    );
  });

  it('numbers messages per chat, shared by incoming and bot messages', async () => {
    const bot = await resultOf<Message>('sendMessage', { chat_id: USER, text: 'reply' });
    const next = fake.sendText({ userId: USER, text: 'again' });
    const other = fake.sendText({ userId: 2002, text: 'first in another chat' });
    expect([bot.message_id, next.messageId, other.messageId]).toEqual([2, 3, 1]);
  });

  it('links a reply given in reply_parameters', async () => {
    const message = await resultOf<Message>('sendMessage', {
      chat_id: USER,
      text: 'answer',
      reply_parameters: { message_id: 1 },
    });
    expect([message.reply_to_message?.text, fake.sent[0]?.replyToMessageId]).toEqual(['hi', 1]);
  });

  it('rejects a reply to a message that does not exist', async () => {
    const reply = await callApi('sendMessage', {
      chat_id: USER,
      text: 'x',
      reply_parameters: { message_id: 77 },
    });
    expect(reply.body).toEqual(failure('Bad Request: message to be replied not found'));
  });

  it('sends without the reply when allow_sending_without_reply is set', async () => {
    const message = await resultOf<Message>('sendMessage', {
      chat_id: USER,
      text: 'x',
      reply_parameters: { message_id: 77, allow_sending_without_reply: true },
    });
    expect([message.reply_to_message, fake.sent[0]?.replyToMessageId]).toEqual([undefined, undefined]);
  });
});

describe('incoming replies', () => {
  it("embeds the bot's full message as reply_to_message when a user replies to it", async () => {
    fake.sendText({ userId: USER, text: 'question' });
    const botMessage = await resultOf<Message>('sendMessage', {
      chat_id: USER,
      text: '<i>answer</i>',
      parse_mode: 'HTML',
      reply_parameters: { message_id: 1 },
    });
    fake.sendText({ userId: USER, text: 'follow-up', replyToMessageId: botMessage.message_id });

    const updates = await resultOf<{ message: Message }[]>('getUpdates', { offset: 2 });
    const { reply_to_message: _nested, ...withoutNested } = botMessage;
    expect(updates[0]?.message.reply_to_message).toEqual(withoutNested);
    expect(updates[0]?.message.reply_to_message).toMatchObject({
      from: fake.botUser,
      text: 'answer',
      entities: [{ type: 'italic', offset: 0, length: 6 }],
    });
  });

  it('marks a leading /command with a bot_command entity', async () => {
    fake.sendText({ userId: USER, text: '/start@praktor_test_bot now' });
    const [update] = await resultOf<{ message: Message }[]>('getUpdates');
    expect(update?.message.entities).toEqual([{ type: 'bot_command', offset: 0, length: 23 }]);
  });
});

describe('editing and deleting', () => {
  beforeEach(async () => {
    fake.sendText({ userId: USER, text: 'hi' });
    await resultOf('sendMessage', { chat_id: USER, text: 'thinking…' });
  });

  it('edits a bot message and records the edit', async () => {
    const edited = await resultOf<Message & { edit_date?: number }>('editMessageText', {
      chat_id: USER,
      message_id: 2,
      text: '<b>done</b>',
      parse_mode: 'HTML',
    });
    expect(edited).toMatchObject({
      message_id: 2,
      text: 'done',
      entities: [{ type: 'bold', offset: 0, length: 4 }],
    });
    expect(fake.sent.map((message) => [message.method, message.text])).toEqual([
      ['sendMessage', 'thinking…'],
      ['editMessageText', 'done'],
    ]);
  });

  it('rejects an edit that changes nothing', async () => {
    const reply = await callApi('editMessageText', { chat_id: USER, message_id: 2, text: 'thinking…' });
    expect(reply.body).toEqual(
      failure(
        'Bad Request: message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message',
      ),
    );
  });

  it("rejects editing the user's message", async () => {
    const reply = await callApi('editMessageText', { chat_id: USER, message_id: 1, text: 'mine now' });
    expect(reply.body).toEqual(failure("Bad Request: message can't be edited"));
  });

  it('deletes a message once; a second delete finds nothing', async () => {
    expect(await resultOf('deleteMessage', { chat_id: USER, message_id: 2 })).toBe(true);
    expect((await callApi('deleteMessage', { chat_id: USER, message_id: 2 })).body).toEqual(
      failure('Bad Request: message to delete not found'),
    );
  });
});

describe('files', () => {
  const boundary = '----------fakeboundary';

  // The exact framing grammY uses for InputFile uploads: fields, then the file under a random id.
  function grammyUpload(
    fields: Record<string, string>,
    attachId: string,
    fileName: string,
    bytes: Buffer,
  ): Buffer {
    const parts = Object.entries(fields).map(
      ([name, value]) => `content-disposition:form-data;name="${name}"\r\n\r\n${value}`,
    );
    return Buffer.concat([
      Buffer.from(`--${boundary}\r\n${parts.join(`\r\n--${boundary}\r\n`)}\r\n--${boundary}\r\n`),
      Buffer.from(
        `content-disposition:form-data;name="${attachId}";filename=${fileName}\r\ncontent-type:application/octet-stream\r\n\r\n`,
      ),
      bytes,
      Buffer.from(`\r\n--${boundary}--\r\n`),
    ]);
  }

  it('accepts a multipart sendDocument that references its file with attach://', async () => {
    fake.sendText({ userId: USER, text: 'send me the report' });
    const bytes = Buffer.from('%PDF-1.4 fake');
    const response = await fetch(`${fake.apiRoot}/bot${fake.token}/sendDocument`, {
      method: 'POST',
      headers: { 'content-type': `multipart/form-data; boundary=${boundary}` },
      body: grammyUpload(
        { chat_id: String(USER), document: 'attach://k3j2', caption: '<b>Report</b>', parse_mode: 'HTML' },
        'k3j2',
        'report.pdf',
        bytes,
      ),
    });
    const body = (await response.json()) as { result: Message };
    expect(body.result.document).toMatchObject({
      file_name: 'report.pdf',
      mime_type: 'application/pdf',
      file_size: 13,
    });
    expect(fake.calls.at(-1)).toMatchObject({
      contentType: 'multipart/form-data',
      params: { document: 'attach://k3j2' },
      files: [{ field: 'k3j2', fileName: 'report.pdf', mimeType: 'application/octet-stream', size: 13 }],
    });
    expect(fake.sent[0]).toMatchObject({
      method: 'sendDocument',
      text: 'Report',
      entities: [{ type: 'bold', offset: 0, length: 6 }],
      file: { kind: 'document', fileName: 'report.pdf', size: 13 },
    });
  });

  it('serves a registered file through getFile and the file download URL', async () => {
    const fileId = fake.addFile(Buffer.from('name,qty\nbolt,3\n'), 'parts.csv');
    const file = await resultOf<{ file_path: string; file_size: number }>('getFile', { file_id: fileId });
    const download = await fetch(`${fake.apiRoot}/file/bot${fake.token}/${file.file_path}`);
    expect([
      file.file_size,
      download.status,
      download.headers.get('content-type'),
      await download.text(),
    ]).toEqual([16, 200, 'text/csv', 'name,qty\nbolt,3\n']);
  });

  it('rejects getFile for an unknown file_id', async () => {
    expect((await callApi('getFile', { file_id: 'nope' })).body).toEqual(
      failure('Bad Request: invalid file_id'),
    );
  });
});

describe('failNext', () => {
  beforeEach(() => {
    fake.sendText({ userId: USER, text: 'hi' });
  });

  it('fails the next call with 429 and retry_after, then serves again', async () => {
    fake.failNext('sendMessage', {
      errorCode: 429,
      description: 'Too Many Requests: retry after 3',
      retryAfter: 3,
    });
    const limited = await callApi('sendMessage', { chat_id: USER, text: 'a' });
    const served = await callApi('sendMessage', { chat_id: USER, text: 'b' });
    expect(limited).toEqual({
      status: 429,
      body: {
        ok: false,
        error_code: 429,
        description: 'Too Many Requests: retry after 3',
        parameters: { retry_after: 3 },
      },
    });
    expect([served.status, fake.sent.map((message) => message.text)]).toEqual([200, ['b']]);
  });

  it('fails as many consecutive calls as times says', async () => {
    fake.failNext('sendChatAction', { errorCode: 502, description: 'Bad Gateway', times: 2 });
    const statuses = [];
    for (let i = 0; i < 3; i++)
      statuses.push((await callApi('sendChatAction', { chat_id: USER, action: 'typing' })).status);
    expect(statuses).toEqual([502, 502, 200]);
  });
});

describe('other methods', () => {
  it('stores commands per scope and returns them', async () => {
    const commands = [{ command: 'new', description: 'Start a new conversation' }];
    await resultOf('setMyCommands', { commands });
    await resultOf('setMyCommands', { commands: [], scope: { type: 'all_group_chats' } });
    expect(await resultOf('getMyCommands')).toEqual(commands);
    await resultOf('deleteMyCommands');
    expect(await resultOf('getMyCommands')).toEqual([]);
  });

  it('rejects a command that is not lowercase letters, digits and underscores', async () => {
    const reply = await callApi('setMyCommands', { commands: [{ command: 'New-Chat', description: 'x' }] });
    expect(reply.body).toEqual(failure('Bad Request: BOT_COMMAND_INVALID'));
  });

  it('rejects a reaction emoji bots may not use', async () => {
    fake.sendText({ userId: USER, text: 'hi' });
    const invalid = await callApi('setMessageReaction', {
      chat_id: USER,
      message_id: 1,
      reaction: [{ type: 'emoji', emoji: '✅' }],
    });
    const valid = await callApi('setMessageReaction', {
      chat_id: USER,
      message_id: 1,
      reaction: [{ type: 'emoji', emoji: '👀' }],
    });
    expect([invalid.body, valid.status]).toEqual([failure('Bad Request: REACTION_INVALID'), 200]);
  });

  it('rejects an unknown chat action', async () => {
    fake.sendText({ userId: USER, text: 'hi' });
    const reply = await callApi('sendChatAction', { chat_id: USER, action: 'thinking' });
    expect(reply.body).toEqual(failure('Bad Request: wrong parameter action in request'));
  });

  it('answers an injected callback query exactly once', async () => {
    fake.injectUpdate({
      callback_query: { id: 'q1', from: { id: USER, is_bot: false, first_name: 'A' }, data: 'x' },
    });
    const first = await callApi('answerCallbackQuery', { callback_query_id: 'q1' });
    const second = await callApi('answerCallbackQuery', { callback_query_id: 'q1' });
    expect([first.status, second.body]).toEqual([
      200,
      failure('Bad Request: query is too old and response timeout expired or query ID is invalid'),
    ]);
  });

  it('rejects waitFor with the recent calls when the condition never holds', async () => {
    await callApi('getMe');
    await expect(fake.waitFor(() => fake.sent.length > 0, 50)).rejects.toThrow(
      /condition not met within 50 ms[\s\S]*#1 getMe \{\} -> ok/,
    );
  });
});

describe('stall', () => {
  it('holds requests unanswered while stalled and answers them when resumed', async () => {
    fake.stall();
    let answered = false;
    const pending = callApi('getMe').then((reply) => {
      answered = true;
      return reply;
    });
    await fake.waitFor(() => fake.calls.some((c) => c.method === 'getMe'));
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(answered).toBe(false);
    fake.resume();
    expect((await pending).status).toBe(200);
  });

  it('lets a stalled request go when its client gives up, leaving it unanswered', async () => {
    fake.stall();
    const gaveUp = fetch(`${fake.apiRoot}/bot${fake.token}/getMe`, { signal: AbortSignal.timeout(100) });
    await expect(gaveUp).rejects.toThrow();
    await fake.waitFor(() => fake.calls.some((c) => c.method === 'getMe'));
    expect(fake.calls.find((c) => c.method === 'getMe')?.response).toBeUndefined();
  });
});
