/**
 * The Telegram channel: long polling with grammY, who may talk to the bot, its commands, and the way answers and
 * the typing indicator go back.
 */

import type { TelegramStatus } from '@praktor/protocol';
import { messageOf } from '@praktor/protocol';
import { Api, type Bot, type Context } from 'grammy';
import { type ChatCommands, COMMANDS } from '../../commands/commands.js';
import { parseCommand } from '../../commands/parse.js';
import type { Config } from '../../config/index.js';
import type { EventBus } from '../../events/bus.js';
import type { Inbox, IncomingFile } from '../../inbox.js';
import type { Logger } from '../../log.js';
import type { ApprovalDesk } from '../../orchestrator/orchestrator.js';
import type { Pairing } from '../../router/pairing.js';
import type { SpeakingSettings } from '../../speech/settings.js';
import type { Store } from '../../store/index.js';
import type { SwarmRuns } from '../../swarms/runs.js';
import { TelegramApprovals } from './approvals.js';
import { attachmentOf, download } from './attachments.js';
import { TelegramConnection } from './connection.js';
import { formatForTelegram } from './format.js';
import { TelegramOutbox } from './outbox.js';
import { SpokenAnswers } from './spoken-answers.js';
import { AnswerPreviews } from './streaming.js';
import { TelegramSwarms } from './swarms.js';
import { TypingIndicator } from './typing.js';

/** What the channel works with. */
export interface TelegramDeps {
  config: () => Config;
  store: Store;
  bus: EventBus;
  inbox: Inbox;
  /** Praktor's chat commands, shared with the web chat. */
  commands: ChatCommands;
  /** Where tool calls wait for a person's answer. */
  approvals: ApprovalDesk;
  /** Who besides `allow_from` may talk to the bot, and codes for those who may not yet. */
  pairing: Pairing;
  /** How answers to voice notes are spoken, as configured now; null: they are not. */
  speaking: () => SpeakingSettings | null;
  /** Swarms launched with `@swarm`. */
  swarms: SwarmRuns;
  log: Logger;
}

/** Unknown users are told how to get in at most this often, so the bot cannot be used to spam. */
const NOTICE_INTERVAL_MS = 10 * 60_000;

/** The bot, from start to stop. */
export class TelegramChannel {
  private readonly connection: TelegramConnection;
  private readonly bot: Bot;
  private readonly outbox: TelegramOutbox;
  private readonly typing: TypingIndicator;
  private readonly previews: AnswerPreviews;
  private readonly approvals: TelegramApprovals;
  private readonly spoken: SpokenAnswers;
  private readonly swarms: TelegramSwarms;
  private readonly noticeSentAt = new Map<number, number>();
  private unsubscribe: (() => void) | null = null;

  constructor(private readonly deps: TelegramDeps) {
    const { telegram } = deps.config();
    this.connection = new TelegramConnection({
      token: telegram.token,
      apiRoot: telegram.api_root,
      commands: COMMANDS.map(({ command, description }) => ({ command, description })),
      log: deps.log,
      onConnected: () => this.startDeliveries(),
      onTokenRefused: () => this.stopDeliveries(),
      onStatus: (status) => deps.bus.emit({ type: 'telegram', status }),
    });
    this.bot = this.connection.bot;
    this.outbox = new TelegramOutbox({
      api: new Api(telegram.token, { apiRoot: telegram.api_root }),
      store: deps.store,
      log: deps.log,
      attribute: (agentId) => agentId !== deps.config().router.default_agent,
      onChange: (message) => deps.bus.emit({ type: 'message', message }),
    });
    this.typing = new TypingIndicator(
      (chatId) => this.bot.api.sendChatAction(chatId, 'typing'),
      (err, chatId) =>
        deps.log.warn(
          { chat: chatId, err: messageOf(err) },
          'telegram typing indicator failed; the answer is not affected',
        ),
    );
    const previewApi = new Api(telegram.token, { apiRoot: telegram.api_root });
    this.previews = new AnswerPreviews({
      api: {
        sendMessageDraft: (chatId, draftId, text) => previewApi.sendMessageDraft(chatId, draftId, text),
        sendMessage: (chatId, text) =>
          previewApi.sendMessage(chatId, text, { link_preview_options: { is_disabled: true } }),
        editMessageText: (chatId, messageId, text) =>
          previewApi.editMessageText(chatId, messageId, text, {
            link_preview_options: { is_disabled: true },
          }),
        deleteMessage: (chatId, messageId) => previewApi.deleteMessage(chatId, messageId),
      },
      mode: () => deps.config().telegram.stream,
      log: deps.log,
    });
    this.spoken = new SpokenAnswers({
      store: deps.store,
      bus: deps.bus,
      speaking: deps.speaking,
      log: deps.log,
    });
    this.approvals = new TelegramApprovals({
      api: this.bot.api,
      decide: (id, answer, by) => deps.approvals.decide(id, answer, by),
      log: deps.log,
    });
    this.swarms = new TelegramSwarms({
      api: this.bot.api,
      config: deps.config,
      bus: deps.bus,
      swarms: deps.swarms,
      log: deps.log,
    });
    this.install();
  }

  /** The connection's state now. */
  get status(): TelegramStatus {
    return this.connection.status;
  }

  /**
   * Starts connecting to Telegram in the background: the gateway does not wait for it. Answers stored meanwhile are
   * delivered once connected.
   */
  start(): void {
    if (this.deps.config().telegram.allow_from.length === 0) {
      this.deps.log.warn(
        this.deps.pairing.enabled
          ? 'telegram.allow_from is empty: new users get a pairing code to ask you for access (praktor pair list)'
          : 'telegram.allow_from is empty: nobody can talk to the bot until their user id is added',
      );
    }
    this.connection.start();
  }

  /** Stops taking updates and ends every request to Telegram but deliveries, within about a second. */
  async stopPolling(): Promise<void> {
    this.typing.stopAll();
    this.previews.stopAll();
    await this.connection.stop();
  }

  /** Sends what is still queued for up to `graceMs`, then stops; what is left is sent at the next start. */
  async stop(graceMs: number): Promise<void> {
    await this.stopPolling();
    await this.outbox.flush(graceMs);
    this.unsubscribe?.();
    this.swarms.stop();
  }

  private startDeliveries(): void {
    const stopMessages = this.deps.bus.onType('message', ({ message }) => this.onMessageEvent(message));
    const stopDeltas = this.deps.bus.onType('delta', ({ messageId, text }) =>
      this.previews.push(messageId, text),
    );
    const stopApprovals = this.deps.bus.onType('approval', ({ approval }) => {
      void this.approvals.onApproval(approval);
    });
    this.unsubscribe = () => {
      stopMessages();
      stopDeltas();
      stopApprovals();
    };
    const resumed = this.outbox.resume();
    if (resumed > 0)
      this.deps.log.info({ answers: resumed }, 'resuming telegram deliveries left from the last run');
  }

  /** Leaves what is not sent yet stored, for the next start with a token Telegram accepts. */
  private stopDeliveries(): void {
    this.unsubscribe?.();
    this.unsubscribe = null;
    void this.outbox.flush(0);
  }

  private onMessageEvent(message: Parameters<TelegramOutbox['enqueue']>[0]): void {
    if (message.channel !== 'telegram' || message.chatId === null) return;
    if (message.direction === 'out') {
      if (message.state === 'pending') {
        this.outbox.enqueue(message);
        void this.spoken.onOutbound(message);
      } else if (message.inReplyTo !== null) this.previews.answered(message.inReplyTo);
      return;
    }
    if (message.state === 'processing') {
      this.typing.start(message.id, message.chatId);
      this.previews.start(message.id, message.chatId);
    } else if (['answered', 'failed', 'stopped'].includes(message.state)) {
      this.typing.stop(message.id);
      // An answer, or a failure notice, follows every turn but a stopped one.
      this.previews.finish(message.id, message.state !== 'stopped');
    }
  }

  private install(): void {
    const { log } = this.deps;
    this.bot.catch((err) =>
      log.error({ err: err.message, update: err.ctx.update.update_id }, 'telegram handler failed'),
    );
    this.bot.use((ctx, next) => this.guard(ctx, next));
    this.bot.on('message', (ctx) => this.onMessage(ctx));
    this.bot.on('callback_query:data', async (ctx) => {
      if (!(await this.approvals.onPress(ctx))) await ctx.answerCallbackQuery();
    });
  }

  /**
   * Lets through only users on `allow_from` and paired users. Anyone else is stopped here, before anything is
   * stored: with pairing on, in a private chat, they get a code to ask the owner with; without, an empty
   * `allow_from` tells them how to get in.
   */
  private async guard(ctx: Context, next: () => Promise<void>): Promise<void> {
    const user = ctx.from;
    if (!user) return;
    const { pairing } = this.deps;
    if (pairing.allows(user.id)) {
      await next();
      return;
    }
    this.deps.log.warn(
      { user: user.id, chat: ctx.chat?.id },
      ctx.callbackQuery
        ? 'button press from a telegram user not on allow_from refused'
        : 'message from a telegram user not on allow_from ignored',
    );
    if (ctx.callbackQuery) {
      await ctx.answerCallbackQuery({ text: 'Only the people this bot belongs to can answer.' });
      return;
    }
    if (!ctx.chat) return;
    if (pairing.enabled) {
      if (ctx.chat.type === 'private') await this.offerPairing(ctx, user, String(ctx.chat.id));
      return;
    }
    if (this.deps.config().telegram.allow_from.length > 0) return;
    const last = this.noticeSentAt.get(user.id) ?? 0;
    if (Date.now() - last < NOTICE_INTERVAL_MS) return;
    this.noticeSentAt.set(user.id, Date.now());
    await ctx.reply(
      `This bot is private. Your Telegram user id is <code>${user.id}</code>: to let yourself in, add it to ` +
        '<code>telegram.allow_from</code> in praktor.yaml (no restart needed).',
      { parse_mode: 'HTML' },
    );
  }

  /** Gives an unknown sender their pairing code, or says why there is none for now. */
  private async offerPairing(
    ctx: Context,
    user: NonNullable<Context['from']>,
    chatId: string,
  ): Promise<void> {
    const name = [user.first_name, user.last_name].filter(Boolean).join(' ');
    const answer = this.deps.pairing.request(
      { userId: user.id, name, username: user.username ?? null },
      chatId,
    );
    if (answer.kind === 'quiet') return;
    if (answer.kind === 'full') {
      await ctx.reply(
        'This bot is private, and too many people are waiting for its owner’s approval right now. Please try ' +
          'again later.',
      );
      return;
    }
    this.deps.log.info({ user: user.id }, 'pairing code sent to a new telegram user');
    await ctx.reply(
      `This bot is private. To ask its owner to let you in, send them this code: <code>${answer.code}</code> ` +
        '(valid for one hour). They approve it in Mission Control (Pairing), with ' +
        `<code>praktor pair approve ${answer.code}</code>, or by sending <code>/pair ${answer.code}</code> to the bot.`,
      { parse_mode: 'HTML' },
    );
  }

  private async onMessage(ctx: Context): Promise<void> {
    const message = ctx.message;
    if (!message || !ctx.chat || !ctx.from) return;
    const text = message.text ?? message.caption ?? '';
    const attachment = attachmentOf(message);
    if (text.trim() === '' && attachment === null) {
      await ctx.reply(
        'I cannot read this kind of message: please write text, or send a file, photo or voice note.',
      );
      return;
    }
    const chatId = String(ctx.chat.id);
    if (attachment === null && TelegramSwarms.matches(text)) {
      await this.swarms.launch(chatId, text);
      return;
    }
    if (attachment === null && (await this.command(ctx, text, chatId, `user:${ctx.from.id}`))) return;
    const repliedTo = message.reply_to_message;
    const repliedToAgent = repliedTo
      ? this.deps.store.telegramDeliveries.agentOfDelivery(chatId, String(repliedTo.message_id))
      : null;
    const incoming = {
      channel: 'telegram' as const,
      chatId,
      sender: `user:${ctx.from.id}`,
      text,
      externalId: `${ctx.me.id}:${ctx.update.update_id}`,
    };
    if (attachment === null) {
      this.deps.inbox.receive(incoming, { repliedToAgent });
      return;
    }
    const files: IncomingFile[] = [];
    try {
      const { telegram } = this.deps.config();
      files.push(await download(ctx.api, telegram.api_root, telegram.token, attachment));
    } catch (err) {
      this.deps.log.warn(
        { chat: chatId, kind: attachment.kind, err: messageOf(err) },
        'telegram file not received',
      );
      const rest = text.trim() === '' ? '' : ' Your message goes on without it.';
      await ctx.reply(`I could not receive your ${attachment.kind}: ${messageOf(err)}.${rest}`);
      if (text.trim() === '') return;
    }
    await this.deps.inbox.receiveWithFiles(incoming, files, { repliedToAgent });
  }

  /**
   * Carries out a Praktor command (the shared rules of commands/); returns false for text that is not one. A command
   * for another bot in a group (`/stop@other_bot`) is left alone.
   */
  private async command(ctx: Context, text: string, chatId: string, sender: string): Promise<boolean> {
    const parsed = parseCommand(text);
    if (parsed?.bot && parsed.bot.toLowerCase() !== ctx.me.username.toLowerCase()) return true;
    const last = this.deps.store.chats.lastAgent('telegram', chatId);
    const config = this.deps.config();
    const outcome = await this.deps.commands.run(text, {
      channel: 'telegram',
      chatId,
      sender,
      agentId: last && config.agents[last] ? last : config.router.default_agent,
      externalId: `${ctx.me.id}:${ctx.update.update_id}`,
      ownName: ctx.me.username,
    });
    if (!outcome.command) return false;
    if (outcome.reply !== null) {
      for (const chunk of formatForTelegram(outcome.reply)) {
        await ctx.reply(chunk.html, { parse_mode: 'HTML' });
      }
    }
    return true;
  }
}
