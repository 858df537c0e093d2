/**
 * The bot's connection to Telegram, kept in the background so the gateway never waits for it: the token is checked
 * (getMe) with a short timeout and checked again after growing pauses while Telegram cannot be reached; a refused
 * token is given up on at once; then grammY long-polls. Its state is always known, for `/api/status`, and a stop
 * ends every request in flight however the network behaves.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { autoRetry } from '@grammyjs/auto-retry';
import type { TelegramStatus } from '@praktor/protocol';
import { Api, Bot, GrammyError, HttpError, type Transformer } from 'grammy';
import type { BotCommand, UserFromGetMe } from 'grammy/types';
import type { Logger } from '../../log.js';
import { Halt } from './halt.js';

/** getMe and setMyCommands answer at once when Telegram is reachable. */
const CONNECT_TIMEOUT_S = 10;
/** Longer than grammY's 30 s long poll: a Bot API that stops answering is noticed within a minute. */
const REQUEST_TIMEOUT_S = 60;
const FIRST_RETRY_MS = 1_000;
const MAX_RETRY_MS = 60_000;
/** How long a stop waits for Telegram to confirm the updates already handled. */
const STOP_CONFIRM_MS = 1_000;

/** Where the token is set, for messages that ask the user to fix it. */
const TOKEN_KEY = 'telegram.token (or PRAKTOR_TELEGRAM_TOKEN)';

/** What the connection works with. */
export interface TelegramConnectionDeps {
  token: string;
  apiRoot: string;
  /** Registered with Telegram on every connect, for its command menu. */
  commands: BotCommand[];
  log: Logger;
  /** Called once, when the token has been accepted, before polling starts. */
  onConnected: () => void;
  /** Called when Telegram refused the token: nothing can be sent until Praktor restarts with another one. */
  onTokenRefused: () => void;
  /** Called with every change of state. */
  onStatus: (status: TelegramStatus) => void;
}

/** The bot (handlers are installed on {@link bot}) and the connection that keeps it talking to Telegram. */
export class TelegramConnection {
  /** The grammY bot; every request it or its handlers make ends when the connection stops. */
  readonly bot: Bot;
  private readonly probe: Api;
  private readonly halt = new Halt();
  private current: TelegramStatus = { state: 'connecting', error: null, retry_at: null };
  private lastTrouble: string | null = null;
  private stopping = false;
  private running: Promise<void> | null = null;

  constructor(private readonly deps: TelegramConnectionDeps) {
    this.bot = new Bot(deps.token, { client: { apiRoot: deps.apiRoot, timeoutSeconds: REQUEST_TIMEOUT_S } });
    // Innermost first: the watcher sees every raw answer, the halt switch also ends auto-retry's pauses.
    this.bot.api.config.use(
      this.watchPolling,
      autoRetry({ maxRetryAttempts: 5, maxDelaySeconds: 60, rethrowHttpErrors: true }),
      this.halt.transformer,
    );
    // Its own client: no automatic retries (the loop here decides) and a short timeout.
    this.probe = new Api(deps.token, { apiRoot: deps.apiRoot, timeoutSeconds: CONNECT_TIMEOUT_S });
    this.probe.config.use(this.halt.transformer);
  }

  /** The connection's state now. */
  get status(): TelegramStatus {
    return this.current;
  }

  /** Starts connecting in the background; never rejects. */
  start(): void {
    this.running ??= this.run().catch((err: Error) => {
      this.fail(`the Telegram connection stopped: ${this.describe(err)}`);
    });
  }

  /** Stops polling, waiting briefly for Telegram to confirm the handled updates, and ends every request. */
  async stop(): Promise<void> {
    this.stopping = true;
    if (this.bot.isRunning()) {
      const confirmed = await within(STOP_CONFIRM_MS, this.bot.stop()).catch((err: Error) => {
        this.deps.log.debug({ err: this.describe(err) }, 'telegram did not confirm the handled updates');
        return true;
      });
      if (!confirmed) {
        this.deps.log.warn(
          'telegram did not confirm the handled updates in time: they come again at the next start and are ignored',
        );
      }
    }
    this.halt.throwSwitch();
    await this.running;
  }

  private async run(): Promise<void> {
    const me = await this.untilAccepted();
    // A stop that came meanwhile found nothing running to stop, and grammY would retry its setup without end.
    if (me === null || this.stopping) return;
    this.bot.botInfo = me;
    this.deps.onConnected();
    try {
      await this.bot.start({
        allowed_updates: ['message', 'callback_query'],
        onStart: () => this.connected(),
      });
    } catch (err) {
      if (this.stopping) return;
      this.pollingDied(err);
    }
  }

  /** Checks the token until Telegram accepts it; null when it refused it or the connection was stopped. */
  private async untilAccepted(): Promise<UserFromGetMe | null> {
    for (let attempt = 1; ; attempt++) {
      try {
        const me = await this.probe.getMe();
        await this.registerCommands();
        return me;
      } catch (err) {
        if (this.halt.thrown) return null;
        if (
          err instanceof GrammyError &&
          err.error_code >= 400 &&
          err.error_code < 500 &&
          err.error_code !== 429
        ) {
          this.refused(err);
          return null;
        }
        const delay = Math.min(MAX_RETRY_MS, FIRST_RETRY_MS * 2 ** (attempt - 1));
        this.trouble(this.describe(err), Date.now() + delay);
        if (!(await this.pause(delay))) return null;
      }
    }
  }

  /** Waits `ms`; false when the connection was stopped meanwhile. */
  private async pause(ms: number): Promise<boolean> {
    try {
      await sleep(ms, undefined, { signal: this.halt.signal });
      return true;
    } catch (err) {
      if (this.halt.thrown) return false;
      throw err;
    }
  }

  private async registerCommands(): Promise<void> {
    try {
      await this.probe.setMyCommands(this.deps.commands);
    } catch (err) {
      // A refused command list only costs the menu; anything else is a failed attempt to connect.
      if (
        !(err instanceof GrammyError) ||
        err.error_code === 401 ||
        err.error_code === 429 ||
        err.error_code >= 500
      )
        throw err;
      this.deps.log.warn({ err: this.describe(err) }, 'telegram refused the command menu');
    }
  }

  private refused(err: GrammyError): void {
    this.fail(
      err.error_code === 401
        ? `Telegram refused the bot token (401 ${err.description}): set a valid ${TOKEN_KEY} and restart Praktor`
        : `Telegram answered ${err.method} with ${err.error_code} ${err.description}: check ${TOKEN_KEY} and ` +
            'telegram.api_root, then restart Praktor',
    );
    this.deps.onTokenRefused();
  }

  private pollingDied(err: unknown): void {
    if (err instanceof GrammyError && err.error_code === 401) {
      this.refused(err);
      return;
    }
    if (err instanceof GrammyError && err.error_code === 409) {
      this.fail(
        `another program is taking this bot's updates (409 ${err.description}): stop it, or remove its webhook, ` +
          'and restart Praktor',
      );
      return;
    }
    this.fail(`Telegram polling stopped: ${this.describe(err)}`);
  }

  /** Sees each long poll's raw outcome, so the state follows what Telegram actually answers. */
  private readonly watchPolling: Transformer = async (prev, method, payload, signal) => {
    if (method !== 'getUpdates' && method !== 'deleteWebhook') return prev(method, payload, signal);
    try {
      const answer = await prev(method, payload, signal);
      if (answer.ok && method === 'getUpdates') this.connected();
      else if (!answer.ok && (answer.error_code >= 500 || answer.error_code === 429)) {
        this.trouble(`Telegram answered ${method} with ${answer.error_code} ${answer.description}`, null);
      }
      return answer;
    } catch (err) {
      if (!signal?.aborted) this.trouble(this.describe(err), null);
      throw err;
    }
  };

  private connected(): void {
    if (this.stopping || this.current.state === 'connected' || this.current.state === 'failed') return;
    const bot = this.bot.botInfo.username;
    this.lastTrouble = null;
    this.deps.log.info({ bot }, 'telegram connected');
    this.set({ state: 'connected', bot });
  }

  /** A failure worth retrying; each distinct reason is logged once, repeats only at debug level. */
  private trouble(reason: string, retryAt: number | null): void {
    if (this.stopping || this.current.state === 'failed') return;
    const fields = { err: reason, ...(retryAt === null ? {} : { retryInMs: retryAt - Date.now() }) };
    if (reason === this.lastTrouble) this.deps.log.debug(fields, 'telegram still cannot be reached');
    else this.deps.log.warn(fields, 'telegram cannot be reached: trying again in the background');
    this.lastTrouble = reason;
    this.set({ state: 'connecting', error: reason, retry_at: retryAt });
  }

  private fail(reason: string): void {
    this.deps.log.error({ err: reason }, 'telegram is off until Praktor restarts');
    this.set({ state: 'failed', error: reason });
  }

  private set(status: TelegramStatus): void {
    this.current = status;
    this.deps.onStatus(status);
  }

  /** Why a request failed, in words, never with the token (network errors quote the URL, which holds it). */
  private describe(err: unknown): string {
    let text: string;
    if (err instanceof GrammyError) {
      text = `Telegram answered ${err.method} with ${err.error_code} ${err.description}`;
    } else if (err instanceof HttpError) {
      const cause = err.error instanceof Error ? err.error.message : String(err.error);
      text = `cannot reach ${this.deps.apiRoot}: ${/reason: (.*)$/.exec(cause)?.[1] ?? cause}`;
    } else {
      text = err instanceof Error ? err.message : String(err);
    }
    return text.replaceAll(this.deps.token, '<token>');
  }
}

/** Resolves true when `promise` settles within `ms`, false when the time runs out first. */
async function within(ms: number, promise: Promise<unknown>): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  try {
    return await Promise.race([promise.then(() => true as const), late]);
  } finally {
    clearTimeout(timer);
  }
}
