/**
 * The Telegram outbox: every answer is planned as chunks in the database before the first is sent, each chunk is
 * marked sent as soon as Telegram confirms it, and a restart carries on where delivery stopped. Chats are served
 * in parallel, each in order, within Telegram's rate limits; transient failures are retried (honouring
 * `retry_after`), and an answer that cannot be delivered is marked failed and reported in the chat later.
 */

import type { MessageView } from '@praktor/protocol';
import { messageOf } from '@praktor/protocol';
import { type Api, GrammyError, HttpError, InputFile } from 'grammy';
import type { Logger } from '../../log.js';
import type { Store, StoredFile } from '../../store/index.js';
import type { PendingChunk } from '../../store/telegram-deliveries.js';
import { formatForTelegram, type TelegramChunk } from './format.js';

/** Telegram allows about one message per second in a chat. */
const PER_CHAT_INTERVAL_MS = 1_000;
/** …and about thirty per second overall; we stay below. */
const GLOBAL_PER_SECOND = 25;
/** Transient failures are retried this many times, backing off from one second up to a minute. */
const MAX_ATTEMPTS = 8;
const MAX_BACKOFF_MS = 60_000;
/** Telegram's limits for a file's caption (characters), and for an image sent as a photo (bytes). */
const CAPTION_LIMIT = 1024;
const PHOTO_LIMIT = 10 * 1024 * 1024;
/** Images Telegram shows as photos; others (SVG, TIFF, …) go as documents. */
const PHOTO_TYPES = new Set(['image/png', 'image/jpeg', 'image/webp']);

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Hands out sends at no more than `perSecond`, first come first served (so chats take turns). */
class RateLimiter {
  private readonly recent: number[] = [];
  private queue: Promise<void> = Promise.resolve();

  constructor(private readonly perSecond: number) {}

  take(): Promise<void> {
    const turn = this.queue.then(async () => {
      for (;;) {
        const now = Date.now();
        while (this.recent.length > 0 && now - (this.recent[0] as number) >= 1000) this.recent.shift();
        if (this.recent.length < this.perSecond) {
          this.recent.push(now);
          return;
        }
        await sleep(1000 - (now - (this.recent[0] as number)));
      }
    });
    this.queue = turn;
    return turn;
  }
}

/** Why a send failed, and what to do about it. */
type Failure = { retryInMs: number; reason: string } | { retryInMs: null; reason: string };

function classify(err: unknown, attempt: number): Failure {
  const backoff = Math.min(MAX_BACKOFF_MS, 1000 * 2 ** (attempt - 1));
  if (err instanceof GrammyError) {
    const reason = err.description;
    if (err.error_code === 429) return { retryInMs: (err.parameters.retry_after ?? 1) * 1000, reason };
    if (err.error_code >= 500) return { retryInMs: backoff, reason };
    // Blocked by the user, chat gone, message refused: trying again will not help.
    return { retryInMs: null, reason };
  }
  if (err instanceof HttpError) return { retryInMs: backoff, reason: `network error: ${err.message}` };
  return { retryInMs: null, reason: messageOf(err) };
}

/** Sends answers to Telegram chats, durably. */
export class TelegramOutbox {
  private readonly chats = new Map<string, number[]>();
  private readonly working = new Map<string, Promise<void>>();
  private readonly lastSentAt = new Map<string, number>();
  private readonly limiter = new RateLimiter(GLOBAL_PER_SECOND);
  private stopped = false;

  constructor(
    private readonly deps: {
      /** An API client without automatic retries: the outbox decides when to try again. */
      api: Api;
      store: Store;
      log: Logger;
      /** Whether an agent's answers are labelled with its name (every agent but the default one). */
      attribute: (agentId: string) => boolean;
      onChange: (message: MessageView) => void;
    },
  ) {}

  /** Plans an outbound message (if not planned yet) and queues it behind the chat's earlier ones. */
  enqueue(message: MessageView): void {
    const chatId = message.chatId;
    if (chatId === null || this.stopped) return;
    const attribution = message.agentId && this.deps.attribute(message.agentId) ? message.agentId : undefined;
    const chunks = formatForTelegram(message.text, attribution ? { attribution } : {});
    // A file goes first, as chunk 0, with the text as its caption when it fits one.
    const planned = !this.deps.store.messageFiles.has(message.id)
      ? chunks
      : chunks.length === 1 && (chunks[0] as TelegramChunk).plain.length <= CAPTION_LIMIT
        ? chunks
        : [{ html: '', plain: '' }, ...chunks];
    this.deps.store.telegramDeliveries.planDelivery(message.id, chatId, planned);
    const queue = this.chats.get(chatId) ?? [];
    queue.push(message.id);
    this.chats.set(chatId, queue);
    if (!this.working.has(chatId)) this.working.set(chatId, this.drain(chatId));
  }

  /** Queues every answer a previous run left undelivered. */
  resume(): number {
    const inFlight = this.deps.store.telegramDeliveries.chunksInFlight();
    if (inFlight > 0) {
      this.deps.log.warn(
        { chunks: inFlight },
        'chunks were being sent when the last run stopped; they are sent again and may show twice in their chat',
      );
    }
    const pending = this.deps.store.messages.pendingOutbound('telegram');
    for (const message of pending) this.enqueue(message);
    return pending.length;
  }

  /** Waits until everything queued is delivered or given up, or `timeoutMs` passes; then stops sending. */
  async flush(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.working.size > 0 && Date.now() < deadline) {
      await Promise.race([Promise.all(this.working.values()), sleep(Math.max(0, deadline - Date.now()))]);
    }
    this.stopped = true;
  }

  private async drain(chatId: string): Promise<void> {
    const queue = this.chats.get(chatId) as number[];
    try {
      for (let id = queue.shift(); id !== undefined && !this.stopped; id = queue.shift()) {
        await this.deliver(id, chatId);
      }
    } finally {
      // In the same step as the last look at the queue, so nothing queued in between is left without a worker.
      this.chats.delete(chatId);
      this.working.delete(chatId);
    }
  }

  private async deliver(messageId: number, chatId: string): Promise<void> {
    const { store } = this.deps;
    for (const chunk of store.telegramDeliveries.pendingChunks(messageId)) {
      const outcome = await this.sendWithRetries(messageId, chunk);
      if (this.stopped && outcome === null) return;
      if (typeof outcome === 'string') {
        this.deps.log.error({ chat: chatId, message: messageId, err: outcome }, 'telegram delivery failed');
        this.deps.onChange(store.telegramDeliveries.deliveryFailed(messageId, outcome));
        return;
      }
      const sent = store.telegramDeliveries.chunkSent(messageId, chunk.seq, String(outcome));
      if (sent) this.deps.onChange(sent);
    }
    await this.reportEarlierFailures(chatId);
  }

  /** Sends one chunk; resolves with Telegram's message id, a final failure reason, or null when stopped. */
  private async sendWithRetries(messageId: number, chunk: PendingChunk): Promise<number | string | null> {
    for (let attempt = chunk.attempts + 1; ; attempt++) {
      if (this.stopped) return null;
      try {
        const onSending = () => this.deps.store.telegramDeliveries.chunkSending(messageId, chunk.seq);
        const file = chunk.seq === 0 ? this.deps.store.messageFiles.get(messageId) : null;
        if (file !== null) return await this.sendFile(chunk.chatId, file, chunk, onSending);
        return await this.send(chunk.chatId, chunk, onSending);
      } catch (err) {
        const failure = classify(err, attempt);
        this.deps.store.telegramDeliveries.chunkAttemptFailed(messageId, chunk.seq, failure.reason);
        if (failure.retryInMs === null || attempt >= MAX_ATTEMPTS) return failure.reason;
        this.deps.log.warn(
          {
            chat: chunk.chatId,
            message: messageId,
            attempt,
            retryInMs: failure.retryInMs,
            err: failure.reason,
          },
          'telegram delivery will be retried',
        );
        await sleep(failure.retryInMs);
      }
    }
  }

  /** One send, paced per chat and overall, as HTML with a plain-text retry when Telegram rejects the formatting. */
  private async send(
    chatId: string,
    chunk: { html: string; plain: string },
    onSending = () => {},
  ): Promise<number> {
    await this.pace(chatId);
    onSending();
    const options = { link_preview_options: { is_disabled: true } };
    try {
      return (await this.deps.api.sendMessage(chatId, chunk.html, { ...options, parse_mode: 'HTML' }))
        .message_id;
    } catch (err) {
      if (!(err instanceof GrammyError && err.error_code === 400 && /parse entities/i.test(err.description)))
        throw err;
      this.deps.log.warn(
        { chat: chatId, err: err.description },
        'telegram refused the formatting; sending plain text',
      );
      return (await this.deps.api.sendMessage(chatId, chunk.plain, options)).message_id;
    }
  }

  /**
   * Sends a file with its caption, paced like a message: a spoken answer as a voice message, an image Telegram can
   * show as a photo as one, anything else (or a photo Telegram refuses, for its size or proportions) as a document,
   * byte for byte.
   */
  private async sendFile(
    chatId: string,
    file: StoredFile,
    caption: { html: string; plain: string },
    onSending: () => void,
  ): Promise<number> {
    await this.pace(chatId);
    onSending();
    const options = caption.html === '' ? {} : { caption: caption.html, parse_mode: 'HTML' as const };
    const upload = () => new InputFile(file.content, file.name);
    if (file.voice) return (await this.deps.api.sendVoice(chatId, upload(), options)).message_id;
    if (PHOTO_TYPES.has(file.mimeType) && file.content.length <= PHOTO_LIMIT) {
      try {
        return (await this.deps.api.sendPhoto(chatId, upload(), options)).message_id;
      } catch (err) {
        if (!(err instanceof GrammyError && err.error_code === 400 && /PHOTO/i.test(err.description)))
          throw err;
        this.deps.log.warn(
          { chat: chatId, err: err.description },
          'telegram refused a photo; sending it as a file',
        );
      }
    }
    return (await this.deps.api.sendDocument(chatId, upload(), options)).message_id;
  }

  /** Waits for the chat's turn and the overall rate. */
  private async pace(chatId: string): Promise<void> {
    const wait = (this.lastSentAt.get(chatId) ?? 0) + PER_CHAT_INTERVAL_MS - Date.now();
    if (wait > 0) await sleep(wait);
    await this.limiter.take();
    this.lastSentAt.set(chatId, Date.now());
  }

  /** Now that the chat is reachable, tells it about answers that never arrived. */
  private async reportEarlierFailures(chatId: string): Promise<void> {
    const failed = this.deps.store.messages.unreportedFailures('telegram', chatId);
    if (failed.length === 0) return;
    const count = failed.length === 1 ? 'An earlier answer' : `${failed.length} earlier answers`;
    const text = `⚠️ ${count} could not be delivered here. You can read ${failed.length === 1 ? 'it' : 'them'} in Mission Control.`;
    try {
      await this.send(chatId, { html: text, plain: text });
      this.deps.store.messages.markFailuresReported(failed.map((m) => m.id));
    } catch (err) {
      this.deps.log.warn({ chat: chatId, err: messageOf(err) }, 'could not report failed deliveries yet');
    }
  }
}
