import { setTimeout as delay } from 'node:timers/promises';
import { ChatStore } from './chats.js';
import { findBotCommands } from './entities.js';
import { FileStore, mimeTypeFor } from './files.js';
import { startHttpServer } from './http-server.js';
import { keyboardOf } from './message-methods.js';
import { Recorder } from './recorder.js';
import { createRouter } from './routes.js';
import { Stall } from './stall.js';
import type { BotUser, FakeState } from './state.js';
import type {
  FakeTelegramOptions,
  PressButtonOptions,
  RecordedCall,
  SayOptions,
  SendTextOptions,
  SentMessage,
  TelegramFailure,
  TgChat,
  TgMessage,
} from './types.js';
import { UpdateQueue } from './update-queue.js';

/** A running fake Telegram Bot API server. */
export interface FakeTelegram {
  /** Pass as grammY's `client.apiRoot`: `http://127.0.0.1:PORT`. */
  apiRoot: string;
  /** The only token accepted; any other gets 401 Unauthorized. */
  token: string;
  /** The bot's identity, as getMe returns it. */
  botUser: { id: number; username: string; first_name: string; is_bot: true };
  /** Injects an incoming text message (private chat with the user unless told otherwise). */
  sendText(opts: SendTextOptions): { updateId: number; messageId: number };
  /**
   * Injects a raw update and returns its assigned update_id. A `message` with chat and message_id
   * is remembered (so the bot can reply to it); a `callback_query` id becomes answerable.
   */
  injectUpdate(update: Record<string, unknown>): number;
  /**
   * A user presses a button of an inline keyboard on one of the bot's messages: a `callback_query` update, as
   * Telegram sends it, that the bot may answer once with answerCallbackQuery. Throws when the message does not
   * carry a button with that data now (a real client could not press it).
   */
  pressButton(opts: PressButtonOptions): { updateId: number; callbackQueryId: string };
  /** Registers an incoming file for getFile and download; returns its file_id. */
  addFile(bytes: Uint8Array | string, name: string, mimeType?: string): string;
  /**
   * Every API call, in arrival order. bot.stop() usually leaves its aborted long poll recorded
   * with a 409: grammY sends the final getUpdates before the server sees the abort, exactly the
   * race real Telegram resolves the same way (grammY never reads that answer).
   */
  calls: RecordedCall[];
  /** Messages the bot sent or edited successfully, in order. */
  sent: SentMessage[];
  /** `sent` entries for one chat. */
  messagesIn(chatId: number): SentMessage[];
  /** Polls `pred` until it returns something truthy; rejects after `timeoutMs` (default 5000) listing recent calls. */
  waitFor<T>(pred: () => T | undefined | false, timeoutMs?: number): Promise<T>;
  /**
   * User `userId` writes `text` in their private chat; resolves with what the bot sent there since, once that is
   * `count` messages (default 1) or more, or, given `until`, once one of them satisfies it (for a turn whose
   * answer of interest follows notices or progress messages); rejects after `timeoutMs` (default 60 s) as
   * {@link waitFor} does.
   */
  say(userId: number, text: string, opts?: SayOptions): Promise<SentMessage[]>;
  /** Makes the next call(s) of `method` fail with this error instead of being served. */
  failNext(method: string, failure: TelegramFailure): void;
  /**
   * Stops answering, like a Bot API that hangs: every request from now on is accepted, recorded and held until
   * {@link resume} (or until its client gives up).
   */
  stall(): void;
  /** Answers the held requests and every later one again. */
  resume(): void;
  /** Answers pending long polls with no updates and stops the server; stop bots first. */
  close(): Promise<void>;
}

const DEFAULT_TOKEN = '7000000001:AAFakeTelegramTokenForPraktorTests0000';
const WAIT_POLL_MS = 5;

function botUserFor(token: string): BotUser {
  const id = /^(\d+):\S+$/.exec(token)?.[1];
  if (id === undefined) {
    throw new Error(`startFakeTelegram: token must look like "<bot id>:<secret>", got "${token}"`);
  }
  return { id: Number(id), is_bot: true, first_name: 'Praktor Test Bot', username: 'praktor_test_bot' };
}

/** Starts the fake on 127.0.0.1 and a free port unless told otherwise. Logs nothing. */
export async function startFakeTelegram(opts: FakeTelegramOptions = {}): Promise<FakeTelegram> {
  const token = opts.token ?? DEFAULT_TOKEN;
  const state: FakeState = {
    token,
    botUser: botUserFor(token),
    updates: new UpdateQueue(),
    chats: new ChatStore(),
    files: new FileStore(),
    recorder: new Recorder(),
    commands: new Map(),
    openCallbackQueries: new Set(),
    stall: new Stall(),
    localFilesDir: opts.localFilesDir ?? null,
  };
  const server = await startHttpServer(opts.host ?? '127.0.0.1', opts.port ?? 0, createRouter(state));
  const { recorder } = state;

  const fake: FakeTelegram = {
    apiRoot: server.origin,
    token,
    botUser: state.botUser,
    calls: recorder.calls,
    sent: recorder.sent,
    sendText: (options) => sendText(state, options),
    injectUpdate: (update) => injectUpdate(state, update),
    pressButton: (options) => pressButton(state, options),
    addFile(bytes, name, mimeType) {
      const data = typeof bytes === 'string' ? Buffer.from(bytes) : bytes;
      return state.files.add(data, name, mimeType ?? mimeTypeFor(name), 'documents').fileId;
    },
    messagesIn: (chatId) => recorder.sent.filter((message) => message.chatId === chatId),
    say(userId, text, { count = 1, until, timeoutMs = 60_000 } = {}) {
      const before = fake.messagesIn(userId).length;
      sendText(state, { userId, text });
      return fake.waitFor(() => {
        const since = fake.messagesIn(userId).slice(before);
        const done = until ? since.some(until) : since.length >= count;
        return done ? since : undefined;
      }, timeoutMs);
    },
    async waitFor<T>(pred: () => T | undefined | false, timeoutMs = 5000): Promise<T> {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const value = pred();
        if (value) return value;
        if (Date.now() >= deadline) {
          throw new Error(
            `waitFor: condition not met within ${timeoutMs} ms.\n${recorder.describeRecent(8)}`,
          );
        }
        await delay(WAIT_POLL_MS);
      }
    },
    failNext: (method, failure) => recorder.failNext(method, failure),
    stall: () => state.stall.begin(),
    resume: () => state.stall.end(),
    async close() {
      state.stall.end();
      // Closing first makes the released polls' answers end their keep-alive connections.
      const closed = server.close();
      state.updates.releaseAll();
      await closed;
    },
  };
  return fake;
}

function chatOf(options: SendTextOptions, firstName: string): TgChat {
  const { userId } = options;
  const chatId = options.chatId ?? userId;
  const inferred = chatId === userId ? 'private' : String(chatId).startsWith('-100') ? 'supergroup' : 'group';
  const type = options.chatType ?? inferred;
  if (type === 'private') {
    if (chatId !== userId) {
      throw new Error(`sendText: a private chat's id is the user's id (${userId}), got chatId ${chatId}`);
    }
    return {
      id: chatId,
      type,
      first_name: firstName,
      ...(options.username ? { username: options.username } : {}),
    };
  }
  if (chatId >= 0) throw new Error(`sendText: ${type} chat ids are negative in Telegram, got ${chatId}`);
  return { id: chatId, type, title: `Test ${type} ${-chatId}` };
}

function sendText(state: FakeState, options: SendTextOptions): { updateId: number; messageId: number } {
  const firstName = options.firstName ?? 'Test User';
  const chat = state.chats.upsert(chatOf(options, firstName));
  let replyTo: TgMessage | undefined;
  if (options.replyToMessageId !== undefined) {
    const target = state.chats.find(chat.id, options.replyToMessageId);
    if (!target) {
      throw new Error(`sendText: message ${options.replyToMessageId} does not exist in chat ${chat.id}`);
    }
    // Telegram embeds the replied-to message one level deep only.
    const { reply_to_message: _nested, ...embedded } = target.message;
    replyTo = embedded;
  }
  const commands = findBotCommands(options.text);
  const message: TgMessage = {
    message_id: state.chats.nextMessageId(chat.id),
    from: {
      id: options.userId,
      is_bot: false,
      first_name: firstName,
      ...(options.username ? { username: options.username } : {}),
      language_code: 'en',
    },
    chat,
    date: Math.floor(Date.now() / 1000),
    text: options.text,
    ...(commands.length > 0 ? { entities: commands } : {}),
    ...(replyTo ? { reply_to_message: replyTo } : {}),
  };
  state.chats.store(message, false);
  return { updateId: state.updates.push({ message }), messageId: message.message_id };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

function injectUpdate(state: FakeState, update: Record<string, unknown>): number {
  if ('update_id' in update) throw new Error('injectUpdate: update_id is assigned by the fake; leave it out');
  const { message, callback_query: callbackQuery } = update;
  if (isRecord(message) && isRecord(message.chat) && typeof message.chat.id === 'number') {
    const chat = state.chats.upsert(message.chat as unknown as TgChat);
    if (typeof message.message_id === 'number') state.chats.store({ ...message, chat } as TgMessage, false);
  }
  if (isRecord(callbackQuery) && typeof callbackQuery.id === 'string') {
    state.openCallbackQueries.add(callbackQuery.id);
  }
  return state.updates.push(update);
}

let nextCallbackQuery = 1;

function pressButton(
  state: FakeState,
  options: PressButtonOptions,
): { updateId: number; callbackQueryId: string } {
  const chatId = options.chatId ?? options.userId;
  const stored = state.chats.find(chatId, options.messageId);
  if (!stored?.fromBot) {
    throw new Error(`pressButton: the bot has no message ${options.messageId} in chat ${chatId}`);
  }
  const buttons = keyboardOf(stored.message.reply_markup)?.flat() ?? [];
  if (!buttons.some((button) => button.callback_data === options.data)) {
    const offered = buttons.map((button) => button.callback_data).join(', ') || 'none';
    throw new Error(
      `pressButton: message ${options.messageId} has no button "${options.data}" (buttons: ${offered})`,
    );
  }
  const callbackQueryId = `${state.botUser.id}${String(nextCallbackQuery++).padStart(8, '0')}`;
  state.openCallbackQueries.add(callbackQueryId);
  const updateId = state.updates.push({
    callback_query: {
      id: callbackQueryId,
      from: {
        id: options.userId,
        is_bot: false,
        first_name: options.firstName ?? 'Test User',
        language_code: 'en',
      },
      message: stored.message,
      chat_instance: String(chatId),
      data: options.data,
    },
  });
  return { updateId, callbackQueryId };
}
