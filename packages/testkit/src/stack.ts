/**
 * A whole Praktor under test: the fake model API, the fake Telegram API and a real gateway process wired to both.
 */
import { type FakeAnthropic, type ModelHandler, startFakeAnthropic } from './anthropic/index.js';
import { type PraktorProcess, startPraktor } from './praktor.js';
import { type FakeTelegram, type FakeTelegramOptions, startFakeTelegram } from './telegram/index.js';

/** The Telegram user the stack's config lets in. */
export const TEST_USER_ID = 1001;

/** How to build the stack. */
export interface StackOptions {
  handler?: ModelHandler;
  /** Builds praktor.yaml from the fakes' addresses; default: {@link defaultStackConfig}. */
  config?: (urls: { telegramApiRoot: string; telegramToken: string }) => Record<string, unknown>;
  env?: NodeJS.ProcessEnv;
  echo?: boolean;
  /** How the fake Telegram plays its part (a local Bot API server, say). */
  telegram?: FakeTelegramOptions;
}

/** A running stack. */
export interface Stack {
  readonly anthropic: FakeAnthropic;
  readonly telegram: FakeTelegram;
  praktor: PraktorProcess;
  /** Stops the gateway and starts a new one on the same data and config. */
  restart(): Promise<void>;
  /** Stops everything and removes the temporary folder. */
  close(): Promise<void>;
}

/**
 * Two agents, `general` (the default) and `coder`, each with its own model; the test user allowed. Every agent
 * starts with its first message and plain text goes to the default agent: suites built on this measure the
 * conversation, and warm agents and AI routing have suites of their own that turn them on.
 */
export function defaultStackConfig(urls: {
  telegramApiRoot: string;
  telegramToken: string;
}): Record<string, unknown> {
  return {
    telegram: { token: urls.telegramToken, api_root: urls.telegramApiRoot, allow_from: [TEST_USER_ID] },
    defaults: { model: 'claude-general-model', idle_timeout: '10m', max_running: 5 },
    agents: {
      general: { description: 'General-purpose assistant', prewarm: false },
      coder: { description: 'Software engineer', model: 'claude-coder-model' },
    },
    router: { default_agent: 'general', ai: false },
  };
}

/** Starts the fakes and a gateway configured to use them. */
export async function startStack(opts: StackOptions = {}): Promise<Stack> {
  const anthropic = await startFakeAnthropic(opts.handler ? { handler: opts.handler } : {});
  const telegram = await startFakeTelegram(opts.telegram);
  const config = (opts.config ?? defaultStackConfig)({
    telegramApiRoot: telegram.apiRoot,
    telegramToken: telegram.token,
  });
  // The gateway is ready before Telegram is connected; the stack waits for both, as its tests talk through Telegram.
  const withBot = typeof (config.telegram as { token?: unknown } | undefined)?.token === 'string';
  const launch = async (home?: string) => {
    const praktor = await startPraktor({
      config,
      anthropicUrl: anthropic.url,
      ...(opts.env ? { env: opts.env } : {}),
      ...(opts.echo ? { echo: true } : {}),
      ...(home ? { home } : {}),
    });
    try {
      if (withBot) await praktor.waitForLog('telegram connected', undefined, 30_000);
    } catch (err) {
      await praktor.stop();
      if (home === undefined) praktor.cleanup();
      throw err;
    }
    return praktor;
  };
  let praktor: PraktorProcess;
  try {
    praktor = await launch();
  } catch (err) {
    await Promise.all([anthropic.close(), telegram.close()]);
    throw err;
  }
  const stack: Stack = {
    anthropic,
    telegram,
    praktor,
    async restart() {
      await stack.praktor.stop();
      stack.praktor = await launch(stack.praktor.home);
    },
    async close() {
      await stack.praktor.stop();
      await Promise.all([anthropic.close(), telegram.close()]);
      stack.praktor.cleanup();
    },
  };
  return stack;
}
