import {
  answerCallbackQuery,
  close,
  deleteMyCommands,
  deleteWebhook,
  getMe,
  getMyCommands,
  getUpdates,
  logOut,
  setMyCommands,
} from './bot-methods.js';
import { getFile, sendDocument, sendPhoto, sendVoice } from './file-methods.js';
import {
  deleteMessage,
  editMessageText,
  sendChatAction,
  sendMessage,
  sendMessageDraft,
  setMessageReaction,
} from './message-methods.js';
import type { MethodHandler } from './state.js';

const HANDLERS: Record<string, MethodHandler> = {
  getMe,
  deleteWebhook,
  getUpdates,
  sendMessage,
  sendMessageDraft,
  sendChatAction,
  setMyCommands,
  getMyCommands,
  deleteMyCommands,
  editMessageText,
  deleteMessage,
  sendPhoto,
  sendDocument,
  sendVoice,
  getFile,
  answerCallbackQuery,
  setMessageReaction,
  close,
  logOut,
};

// Bot API method names are case-insensitive.
const BY_LOWER_NAME = new Map(
  Object.entries(HANDLERS).map(([name, handler]) => [name.toLowerCase(), handler]),
);

/** The handler for a method name, however it is capitalised. */
export function findMethod(name: string): MethodHandler | undefined {
  return BY_LOWER_NAME.get(name.toLowerCase());
}
