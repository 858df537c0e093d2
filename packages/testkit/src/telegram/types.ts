import type { MessageEntity } from './entities.js';

/** A Bot API `User` as the fake hands it out. */
export interface TgUser {
  id: number;
  is_bot: boolean;
  first_name: string;
  username?: string;
  language_code?: string;
}

/** A Bot API `Chat`. */
export interface TgChat {
  id: number;
  type: 'private' | 'group' | 'supergroup' | 'channel';
  title?: string;
  first_name?: string;
  username?: string;
}

/** A Bot API `Message`: the fields the fake produces, plus whatever raw injected messages carry. */
export interface TgMessage {
  message_id: number;
  from?: TgUser;
  chat: TgChat;
  date: number;
  edit_date?: number;
  text?: string;
  entities?: MessageEntity[];
  caption?: string;
  caption_entities?: MessageEntity[];
  reply_to_message?: TgMessage;
  reply_markup?: unknown;
  [field: string]: unknown;
}

/** A Bot API `Update`; the payload key (message, callback_query, …) names its type. */
export interface TgUpdate {
  update_id: number;
  [payload: string]: unknown;
}

/** A successful Bot API answer. */
export interface ApiSuccess {
  ok: true;
  result: unknown;
}

/** A failed Bot API answer, shaped exactly like Telegram's. */
export interface ApiFailure {
  ok: false;
  error_code: number;
  description: string;
  parameters?: { retry_after?: number };
}

/** Either answer the fake gave to one call. */
export type ApiResponse = ApiSuccess | ApiFailure;

/** A file part of a multipart request, as received. */
export interface UploadedFile {
  /** The multipart part name: the `attach://` id grammY generated, or the parameter name itself. */
  field: string;
  fileName: string;
  /** The content type the part declared (grammY always declares application/octet-stream). */
  mimeType: string;
  size: number;
  bytes: Buffer;
}

/** One HTTP call the bot made to the Bot API. */
export interface RecordedCall {
  /** 1-based arrival order. */
  seq: number;
  /** Arrival time, epoch milliseconds. */
  at: number;
  /** The method name exactly as the client spelled it in the URL. */
  method: string;
  /** GET or POST. */
  httpMethod: string;
  /** The request's media type without parameters, e.g. `application/json` or `multipart/form-data`. */
  contentType: string | undefined;
  /** Parsed JSON body, or the string fields of a multipart/urlencoded body, merged over the query string. */
  params: Record<string, unknown>;
  /** File parts of a multipart body. */
  files: UploadedFile[];
  /** What the fake answered; undefined while a long poll is pending or when the client left before the answer. */
  response: ApiResponse | undefined;
}

/** The file a photo or document message carries. */
export interface SentFile {
  kind: 'photo' | 'document' | 'voice';
  fileId: string;
  /** The name the upload carried. */
  fileName: string;
  /** The type Telegram reports: image/jpeg for photos, derived from the file name for documents. */
  mimeType: string;
  size: number;
}

/** A message the bot successfully sent or edited. */
export interface SentMessage {
  chatId: number;
  messageId: number;
  /** Visible text (caption for media): entities stripped and decoded, trimmed like Telegram does. */
  text: string;
  /** The parse_mode the bot asked for, as sent. */
  parseMode: string | undefined;
  /** Formatting entities, offsets and lengths in UTF-16 code units. */
  entities: MessageEntity[];
  /** The message this one actually replies to (absent when the target was missing and that was allowed). */
  replyToMessageId: number | undefined;
  at: number;
  method: 'sendMessage' | 'sendPhoto' | 'sendDocument' | 'sendVoice' | 'editMessageText';
  /** Present for sendPhoto, sendDocument and sendVoice. */
  file?: SentFile;
  /** The inline keyboard the message carries after this call (an edit without one removes it). */
  inlineKeyboard?: InlineButton[][];
}

/** One button of an inline keyboard, as the bot sent it. */
export interface InlineButton {
  text: string;
  callback_data?: string;
  url?: string;
}

/** A press on an inline keyboard button, to inject with `pressButton`. */
export interface PressButtonOptions {
  userId: number;
  /** The chat of the bot's message; defaults to the private chat with the user. */
  chatId?: number;
  /** The bot's message carrying the keyboard. */
  messageId: number;
  /** The pressed button's callback_data. */
  data: string;
  firstName?: string;
}

/** A failure to inject with `failNext`. */
export interface TelegramFailure {
  errorCode: number;
  description: string;
  /** Seconds, sent as `parameters.retry_after`; a 429 without it gets 1. */
  retryAfter?: number;
  /** How many consecutive calls of the method fail; default 1. */
  times?: number;
}

/** What `say` waits for: `count` messages (default 1), or one that satisfies `until`; `timeoutMs` at most. */
export interface SayOptions {
  count?: number;
  until?: (message: SentMessage) => boolean;
  timeoutMs?: number;
}

/** An incoming text message to inject with `sendText`. */
export interface SendTextOptions {
  userId: number;
  text: string;
  /** Defaults to the private chat with the user (chat id = user id). */
  chatId?: number;
  /** Defaults to private when the chat id is the user id, supergroup for -100… ids, group for other negative ids. */
  chatType?: 'private' | 'group' | 'supergroup';
  username?: string;
  firstName?: string;
  /** A message already in the chat (the bot's or an injected one). */
  replyToMessageId?: number;
}

/** Options for `startFakeTelegram`. */
export interface FakeTelegramOptions {
  /** The only token accepted; its numeric prefix becomes the bot's user id. */
  token?: string;
  /** 0 (default) picks a free port. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /**
   * Plays a local Bot API server started with `--local`: getFile has no 20 MB limit, writes the file into this
   * folder and answers with its absolute path, which the bot reads from disk.
   */
  localFilesDir?: string;
}
