import { badRequest } from './api-error.js';
import type { TgChat, TgMessage } from './types.js';

interface StoredMessage {
  message: TgMessage;
  fromBot: boolean;
}

interface ChatEntry {
  chat: TgChat;
  lastMessageId: number;
  messages: Map<number, StoredMessage>;
}

/**
 * The chats the bot can see and their messages. Message ids count per chat and are shared by
 * incoming and bot messages, as in Telegram private chats and supergroups.
 */
export class ChatStore {
  private readonly chats = new Map<number, ChatEntry>();

  /** Registers a chat or refreshes its details (names change between updates). */
  upsert(chat: TgChat): TgChat {
    const entry = this.chats.get(chat.id);
    if (entry) {
      entry.chat = { ...entry.chat, ...chat };
      return entry.chat;
    }
    this.chats.set(chat.id, { chat, lastMessageId: 0, messages: new Map() });
    return chat;
  }

  /** The chat a `chat_id` parameter names (an id or an @username); 400 when the bot never saw it. */
  resolve(chatId: unknown): TgChat {
    const entry = this.entry(chatId);
    if (!entry) throw badRequest('chat not found');
    return entry.chat;
  }

  nextMessageId(chatId: number): number {
    const entry = this.requireEntry(chatId);
    entry.lastMessageId++;
    return entry.lastMessageId;
  }

  /** Stores a message; a message with an explicit id moves the chat's counter past it. */
  store(message: TgMessage, fromBot: boolean): void {
    const entry = this.requireEntry(message.chat.id);
    entry.lastMessageId = Math.max(entry.lastMessageId, message.message_id);
    entry.messages.set(message.message_id, { message, fromBot });
  }

  find(chatId: number, messageId: number): { message: TgMessage; fromBot: boolean } | undefined {
    return this.chats.get(chatId)?.messages.get(messageId);
  }

  delete(chatId: number, messageId: number): void {
    this.chats.get(chatId)?.messages.delete(messageId);
  }

  private entry(chatId: unknown): ChatEntry | undefined {
    if (typeof chatId === 'string' && chatId.startsWith('@')) {
      const username = chatId.slice(1).toLowerCase();
      return [...this.chats.values()].find((entry) => entry.chat.username?.toLowerCase() === username);
    }
    const id = typeof chatId === 'string' && /^-?\d+$/.test(chatId.trim()) ? Number(chatId) : chatId;
    return typeof id === 'number' ? this.chats.get(id) : undefined;
  }

  private requireEntry(chatId: number): ChatEntry {
    const entry = this.chats.get(chatId);
    if (!entry) throw new Error(`chat ${chatId} is not registered with the fake`);
    return entry;
  }
}
