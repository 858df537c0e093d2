import { badRequest } from './api-error.js';
import type { FormattedText } from './entities.js';
import { formatText, MESSAGE_TEXT } from './formatted-text.js';
import { toInteger } from './params.js';
import { isAllowedReaction } from './reactions.js';
import type { MethodContext, MethodHandler } from './state.js';
import type { InlineButton, SentFile, SentMessage, TgChat, TgMessage } from './types.js';

const CHAT_ACTIONS = new Set([
  'typing',
  'upload_photo',
  'record_video',
  'upload_video',
  'record_voice',
  'upload_voice',
  'upload_document',
  'choose_sticker',
  'find_location',
  'record_video_note',
  'upload_video_note',
]);

const NOT_MODIFIED =
  'message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message';

const now = (): number => Math.floor(Date.now() / 1000);

/** The chat named by `chat_id`. */
export function requireChat({ params, state }: MethodContext): TgChat {
  const chatId = params.string('chat_id');
  if (chatId === undefined || chatId === '') throw badRequest('chat_id is empty');
  return state.chats.resolve(chatId);
}

function requireMessageId({ params }: MethodContext): number {
  const messageId = params.integer('message_id');
  if (messageId === undefined) throw badRequest('message identifier is not specified');
  return messageId;
}

/** A replied-to message as Telegram embeds it: without its own reply_to_message. */
function asReplyTarget(message: TgMessage): TgMessage {
  const { reply_to_message: _nested, ...target } = message;
  return target;
}

/** The message a send call replies to, from reply_parameters or the legacy reply_to_message_id. */
function replyTarget(context: MethodContext, chat: TgChat): TgMessage | undefined {
  const { params, state } = context;
  const parameters = params.object('reply_parameters');
  const messageId = parameters
    ? toInteger(parameters.message_id, 'reply_parameters.message_id')
    : params.integer('reply_to_message_id');
  if (messageId === undefined) {
    if (parameters) throw badRequest('message to be replied not found');
    return undefined;
  }
  const targetChat = parameters?.chat_id === undefined ? chat : state.chats.resolve(parameters.chat_id);
  const target = state.chats.find(targetChat.id, messageId);
  if (target) return target.message;
  const allowMissing =
    parameters?.allow_sending_without_reply === true ||
    params.boolean('allow_sending_without_reply') === true;
  if (allowMissing) return undefined;
  throw badRequest('message to be replied not found');
}

// Only inline keyboards become part of the message; reply keyboards live on the client.
function inlineMarkup({ params }: MethodContext): unknown {
  const markup = params.object('reply_markup');
  return markup && 'inline_keyboard' in markup ? markup : undefined;
}

/** The rows of an inline keyboard, for the record. */
export function keyboardOf(markup: unknown): InlineButton[][] | undefined {
  if (typeof markup !== 'object' || markup === null || !('inline_keyboard' in markup)) return undefined;
  const rows = (markup as { inline_keyboard: unknown }).inline_keyboard;
  if (!Array.isArray(rows) || !rows.every(Array.isArray)) {
    throw badRequest("can't parse inline keyboard button: InlineKeyboardMarkup must be an Array of Arrays");
  }
  return rows as InlineButton[][];
}

/** Message content for a send call: text or media fields. */
export type MessageContent = Record<string, unknown>;

/**
 * Creates a bot message in the chat: allocates its id, links the reply, stores it for later
 * replies/edits and records it in `sent`.
 */
export function deliver(
  context: MethodContext,
  chat: TgChat,
  method: SentMessage['method'],
  formatted: FormattedText,
  content: MessageContent,
  file?: SentFile,
): TgMessage {
  const { state, params } = context;
  const reply = replyTarget(context, chat);
  const markup = inlineMarkup(context);
  const message: TgMessage = {
    message_id: state.chats.nextMessageId(chat.id),
    from: state.botUser,
    chat,
    date: now(),
    ...content,
  };
  if (reply) message.reply_to_message = asReplyTarget(reply);
  if (markup) message.reply_markup = markup;
  state.chats.store(message, true);
  state.recorder.recordSent({
    chatId: chat.id,
    messageId: message.message_id,
    text: formatted.text,
    parseMode: params.string('parse_mode'),
    entities: formatted.entities,
    replyToMessageId: reply?.message_id,
    method,
    ...(file ? { file } : {}),
    ...(markup ? { inlineKeyboard: keyboardOf(markup) } : {}),
  });
  return message;
}

function textContent(formatted: FormattedText): MessageContent {
  return formatted.entities.length > 0
    ? { text: formatted.text, entities: formatted.entities }
    : { text: formatted.text };
}

function messageText(context: MethodContext): FormattedText {
  const { params } = context;
  const text = params.string('text');
  if (text === undefined) throw badRequest('message text is empty');
  return formatText(text, params.string('parse_mode'), params.array('entities'), MESSAGE_TEXT);
}

/** sendMessage: formatted text, optional reply and inline keyboard. */
export const sendMessage: MethodHandler = (context) => {
  const chat = requireChat(context);
  const formatted = messageText(context);
  return deliver(context, chat, 'sendMessage', formatted, textContent(formatted));
};

/**
 * sendMessageDraft (Bot API 9.3): part of a message being written, shown to the user in a private chat until the
 * message itself arrives. Nothing is stored; the call is recorded like every call.
 */
export const sendMessageDraft: MethodHandler = (context) => {
  const chat = requireChat(context);
  if (chat.type !== 'private') throw badRequest('TEXTDRAFT_PEER_INVALID');
  const draftId = context.params.integer('draft_id');
  if (draftId === undefined || draftId === 0) throw badRequest('draft_id must be a non-zero integer');
  messageText(context);
  return true;
};

/** editMessageText: only the bot's own text messages, and only with a real change. */
export const editMessageText: MethodHandler = (context) => {
  const { params, state } = context;
  if (!params.has('chat_id') && params.has('inline_message_id')) {
    throw badRequest('inline messages are not supported by the fake Telegram');
  }
  const chat = requireChat(context);
  const messageId = requireMessageId(context);
  const formatted = messageText(context);
  const stored = state.chats.find(chat.id, messageId);
  if (!stored) throw badRequest('message to edit not found');
  if (!stored.fromBot) throw badRequest("message can't be edited");
  if (stored.message.text === undefined) throw badRequest('there is no text in the message to edit');

  const markup = inlineMarkup(context);
  const { text: _text, entities: _entities, reply_markup: _markup, ...rest } = stored.message;
  const edited: TgMessage = { ...rest, ...textContent(formatted), edit_date: now() };
  if (markup) edited.reply_markup = markup;
  const unchanged =
    JSON.stringify([stored.message.text, stored.message.entities ?? [], stored.message.reply_markup]) ===
    JSON.stringify([edited.text, edited.entities ?? [], edited.reply_markup]);
  if (unchanged) throw badRequest(NOT_MODIFIED);

  state.chats.store(edited, true);
  state.recorder.recordSent({
    chatId: chat.id,
    messageId,
    text: formatted.text,
    parseMode: params.string('parse_mode'),
    entities: formatted.entities,
    replyToMessageId: edited.reply_to_message?.message_id,
    method: 'editMessageText',
    ...(markup ? { inlineKeyboard: keyboardOf(markup) } : {}),
  });
  return edited;
};

/** deleteMessage: forgets a message so it can no longer be replied to or edited. */
export const deleteMessage: MethodHandler = (context) => {
  const chat = requireChat(context);
  const messageId = requireMessageId(context);
  const stored = context.state.chats.find(chat.id, messageId);
  if (!stored) throw badRequest('message to delete not found');
  // Bots may delete anything in private chats but only their own messages elsewhere without admin rights.
  if (!stored.fromBot && chat.type !== 'private') throw badRequest("message can't be deleted for everyone");
  context.state.chats.delete(chat.id, messageId);
  return true;
};

/** setMessageReaction: at most one reaction from the bot-allowed emoji. */
export const setMessageReaction: MethodHandler = (context) => {
  const chat = requireChat(context);
  const messageId = requireMessageId(context);
  if (!context.state.chats.find(chat.id, messageId)) throw badRequest('message to react not found');
  const reactions = context.params.array('reaction') ?? [];
  // Bots without Premium may set at most one reaction.
  if (reactions.length > 1) throw badRequest('REACTIONS_TOO_MANY');
  if (!reactions.every(isAllowedReaction)) throw badRequest('REACTION_INVALID');
  return true;
};

/** sendChatAction: one of the documented actions. */
export const sendChatAction: MethodHandler = (context) => {
  requireChat(context);
  const action = context.params.string('action');
  if (action === undefined || !CHAT_ACTIONS.has(action)) {
    throw badRequest('wrong parameter action in request');
  }
  return true;
};
