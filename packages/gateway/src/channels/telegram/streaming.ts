/**
 * Answers shown in Telegram while the agent writes them: as a draft Telegram displays in a private chat
 * (`sendMessageDraft`), or as a preview message edited in place (groups, `telegram.stream: edit`, or where Telegram
 * refuses drafts), removed once the answer has arrived. A preview is a courtesy: it is never the answer. The answer
 * is stored and delivered by the outbox exactly as without streaming, and a preview that Telegram throttles or
 * refuses changes nothing of that.
 */
import { messageOf } from '@praktor/protocol';
import { GrammyError } from 'grammy';
import type { Logger } from '../../log.js';

/** How answers show while they are written: `telegram.stream`. */
export type StreamMode = 'draft' | 'edit' | 'off';

/** The Bot API calls a preview needs. */
export interface PreviewApi {
  sendMessageDraft(chatId: number, draftId: number, text: string): Promise<unknown>;
  sendMessage(chatId: string, text: string): Promise<{ message_id: number }>;
  editMessageText(chatId: string, messageId: number, text: string): Promise<unknown>;
  deleteMessage(chatId: string, messageId: number): Promise<unknown>;
}

/** The longest preview text; Telegram takes 4096 characters, the rest is cut with an ellipsis. */
const PREVIEW_LIMIT = 4000;
/** At most one draft a second, and one edit every three seconds, per answer. */
export const DRAFT_INTERVAL_MS = 1_000;
export const EDIT_INTERVAL_MS = 3_000;

/** One answer being previewed. */
interface Preview {
  chatId: string;
  kind: 'draft' | 'edit';
  text: string;
  shown: string;
  lastAt: number;
  /** Telegram asked to slow down (429) until then. */
  quietUntil: number;
  timer: NodeJS.Timeout | null;
  /** The preview message, in edit mode, once sent. */
  messageId: number | null;
  sending: Promise<void>;
  ended: boolean;
}

/** Previews answers in their chats, at a pace Telegram accepts. */
export class AnswerPreviews {
  private readonly previews = new Map<number, Preview>();
  /** The Bot API server does not know `sendMessageDraft` (older than 9.3): no drafts in any chat. */
  private draftsUnknown = false;
  /** Chats where Telegram refused a draft: they get preview messages from then on. */
  private readonly draftsRefusedIn = new Set<string>();

  constructor(
    private readonly deps: {
      api: PreviewApi;
      mode: () => StreamMode;
      log: Logger;
      intervals?: { draftMs: number; editMs: number };
    },
  ) {}

  /** Starts previewing the answer to inbound message `messageId` from `chatId`, unless streaming is off. */
  start(messageId: number, chatId: string): void {
    const mode = this.deps.mode();
    if (mode === 'off' || this.previews.has(messageId)) return;
    // Drafts exist in private chats only, whose ids are positive; groups get a preview message.
    const drafts =
      mode === 'draft' && Number(chatId) > 0 && !this.draftsUnknown && !this.draftsRefusedIn.has(chatId);
    const kind = drafts ? 'draft' : 'edit';
    this.previews.set(messageId, {
      chatId,
      kind,
      text: '',
      shown: '',
      lastAt: 0,
      quietUntil: 0,
      timer: null,
      messageId: null,
      sending: Promise.resolve(),
      ended: false,
    });
  }

  /** Adds text the agent has just written to the answer to `messageId`. */
  push(messageId: number, text: string): void {
    const preview = this.previews.get(messageId);
    if (!preview || preview.ended) return;
    preview.text += text;
    this.schedule(messageId, preview);
  }

  /**
   * The answer to `messageId` is recorded (or the turn ended without one): no more previews. A preview message is
   * removed once {@link answered} says the answer arrived, or now when there is none to wait for.
   */
  finish(messageId: number, answerFollows: boolean): void {
    const preview = this.previews.get(messageId);
    if (!preview) return;
    preview.ended = true;
    if (preview.timer) clearTimeout(preview.timer);
    preview.timer = null;
    if (!answerFollows) this.remove(messageId, preview);
  }

  /** The answer to `messageId` has been delivered (or given up): its preview message goes. */
  answered(messageId: number): void {
    const preview = this.previews.get(messageId);
    if (preview?.ended) this.remove(messageId, preview);
  }

  /** Stops every preview; preview messages left are harmless and stay. */
  stopAll(): void {
    for (const preview of this.previews.values()) if (preview.timer) clearTimeout(preview.timer);
    this.previews.clear();
  }

  private schedule(messageId: number, preview: Preview): void {
    if (preview.timer) return;
    const interval =
      preview.kind === 'draft'
        ? (this.deps.intervals?.draftMs ?? DRAFT_INTERVAL_MS)
        : (this.deps.intervals?.editMs ?? EDIT_INTERVAL_MS);
    const wait = Math.max(preview.lastAt + interval, preview.quietUntil) - Date.now();
    preview.timer = setTimeout(
      () => {
        preview.timer = null;
        preview.sending = preview.sending.then(() => this.show(messageId, preview));
      },
      Math.max(0, wait),
    );
    preview.timer.unref();
  }

  private async show(messageId: number, preview: Preview): Promise<void> {
    if (preview.ended) return;
    const text = previewText(preview.text);
    if (text === preview.shown || text === '') return;
    preview.lastAt = Date.now();
    const { api } = this.deps;
    try {
      if (preview.kind === 'draft') await api.sendMessageDraft(Number(preview.chatId), messageId, text);
      else if (preview.messageId === null)
        preview.messageId = (await api.sendMessage(preview.chatId, text)).message_id;
      else await api.editMessageText(preview.chatId, preview.messageId, text);
      preview.shown = text;
    } catch (err) {
      if (err instanceof GrammyError && err.error_code === 429) {
        preview.quietUntil = Date.now() + (err.parameters.retry_after ?? 1) * 1000;
      } else if (preview.kind === 'draft' && err instanceof GrammyError && err.error_code < 500) {
        // Telegram refused the draft itself. A server error or a network failure says nothing about drafts: it ends
        // the preview below, as for a preview message.
        this.refuseDrafts(preview.chatId, err);
        // Nothing was shown: the preview message goes out now, then is edited at its own pace.
        preview.kind = 'edit';
        preview.lastAt = 0;
      } else {
        // A preview message Telegram refuses, or a call that got no answer, ends the preview; the answer is
        // delivered as always.
        this.deps.log.warn({ chat: preview.chatId, err: messageOf(err) }, 'telegram answer preview stopped');
        preview.ended = true;
        return;
      }
    }
    // Text that arrived while this one was on its way.
    if (previewText(preview.text) !== preview.shown) this.schedule(messageId, preview);
  }

  /** Remembers that drafts failed: everywhere when the server lacks the method, else in this chat. */
  private refuseDrafts(chatId: string, err: GrammyError): void {
    const unknownMethod = err.error_code === 404;
    if (unknownMethod) this.draftsUnknown = true;
    else this.draftsRefusedIn.add(chatId);
    this.deps.log.warn(
      { chat: chatId, err: messageOf(err) },
      unknownMethod
        ? 'telegram has no answer drafts here (Bot API older than 9.3); answers are previewed by editing a message'
        : 'telegram refused an answer draft in this chat; its answers are previewed by editing a message',
    );
  }

  private remove(messageId: number, preview: Preview): void {
    this.previews.delete(messageId);
    void preview.sending.then(async () => {
      if (preview.messageId === null) return;
      try {
        await this.deps.api.deleteMessage(preview.chatId, preview.messageId);
      } catch (err) {
        this.deps.log.warn(
          { chat: preview.chatId, err: messageOf(err) },
          'could not remove an answer preview',
        );
      }
    });
  }
}

/** The preview of `text`: trimmed, and cut to Telegram's length with an ellipsis. */
function previewText(text: string): string {
  const trimmed = text.trim();
  const chars = [...trimmed];
  return chars.length <= PREVIEW_LIMIT ? trimmed : `${chars.slice(0, PREVIEW_LIMIT).join('')}…`;
}
