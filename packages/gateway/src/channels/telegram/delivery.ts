/**
 * Delivery of answers to Telegram: each answer rendered into chunks, sent in order per chat (chats do not wait for
 * each other), as HTML with a plain-text retry when Telegram rejects the formatting, every chunk recorded so that a
 * reply to it finds its agent.
 */

import type { MessageView } from '@praktor/protocol';
import { type Api, GrammyError } from 'grammy';
import type { Logger } from '../../log.js';
import type { Store } from '../../store/index.js';
import { formatForTelegram } from './format.js';

/** Sends answers to Telegram chats. */
export class TelegramDelivery {
  private readonly chains = new Map<string, Promise<void>>();

  constructor(
    private readonly deps: {
      api: Api;
      store: Store;
      log: Logger;
      /** Whether an agent's answers are labelled with its name (every agent but the default one). */
      attribute: (agentId: string) => boolean;
      onDelivered: (message: MessageView) => void;
    },
  ) {}

  /** Queues an outbound message behind the chat's earlier ones. */
  enqueue(message: MessageView): void {
    const chatId = message.chatId;
    if (chatId === null) return;
    const previous = this.chains.get(chatId) ?? Promise.resolve();
    const next = previous.then(() => this.deliver(message, chatId));
    this.chains.set(chatId, next);
    void next.finally(() => {
      if (this.chains.get(chatId) === next) this.chains.delete(chatId);
    });
  }

  /** Resolves when everything queued so far has been attempted. */
  async flush(): Promise<void> {
    await Promise.all(this.chains.values());
  }

  private async deliver(message: MessageView, chatId: string): Promise<void> {
    const { store, log } = this.deps;
    const attribution = message.agentId && this.deps.attribute(message.agentId) ? message.agentId : undefined;
    const chunks = formatForTelegram(message.text, attribution ? { attribution } : {});
    try {
      for (const [seq, chunk] of chunks.entries()) {
        const sent = await this.sendChunk(chatId, chunk);
        store.messages.recordDelivery(message.id, seq, chatId, String(sent.message_id));
      }
      this.deps.onDelivered(store.messages.markSent(message.id));
    } catch (err) {
      const reason = err instanceof GrammyError ? err.description : (err as Error).message;
      log.error({ chat: chatId, message: message.id, err: reason }, 'telegram delivery failed');
      this.deps.onDelivered(store.messages.fail(message.id, `delivery failed: ${reason}`));
    }
  }

  private async sendChunk(chatId: string, chunk: { html: string; plain: string }) {
    try {
      return await this.deps.api.sendMessage(chatId, chunk.html, {
        parse_mode: 'HTML',
        link_preview_options: { is_disabled: true },
      });
    } catch (err) {
      if (!(err instanceof GrammyError && err.error_code === 400 && /parse entities/i.test(err.description)))
        throw err;
      this.deps.log.warn(
        { chat: chatId, err: err.description },
        'telegram refused the formatting; sending plain text',
      );
      return await this.deps.api.sendMessage(chatId, chunk.plain, {
        link_preview_options: { is_disabled: true },
      });
    }
  }
}
