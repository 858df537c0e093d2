/**
 * What a first run needs to know: whether Praktor has what it needs to work (model credentials; Telegram, which is
 * optional) with the one step that fixes each missing piece, and the short banner printed at start.
 */
import type { SetupCheck, TelegramStatus } from '@praktor/protocol';
import type { Config } from './config/index.js';

/** Whether the gateway holds credentials for the model API (it adds them to every agent's requests). */
export function hasModelCredentials(config: Config, env: NodeJS.ProcessEnv): boolean {
  return !!(config.defaults.anthropic_api_key || config.defaults.oauth_token || env.ANTHROPIC_AUTH_TOKEN);
}

/** The step that gives Praktor model credentials. */
export const CREDENTIALS_FIX =
  'set ANTHROPIC_API_KEY (or CLAUDE_CODE_OAUTH_TOKEN) in the environment Praktor starts in, or ' +
  'defaults.anthropic_api_key in praktor.yaml, then restart Praktor';

/**
 * Each thing Praktor needs, checked now. `credentialsRefused`: the model API refused the credentials in the latest
 * turn that reached it.
 */
export function setupChecks(
  config: Config,
  env: NodeJS.ProcessEnv,
  telegram: TelegramStatus,
  credentialsRefused: boolean,
): SetupCheck[] {
  return [credentialsCheck(hasModelCredentials(config, env), credentialsRefused), telegramCheck(telegram)];
}

function credentialsCheck(present: boolean, refused: boolean): SetupCheck {
  const base = { id: 'model_credentials', label: 'Model credentials', required: true } as const;
  if (!present) {
    return { ...base, ok: false, detail: 'no API key or token: agents cannot answer', fix: CREDENTIALS_FIX };
  }
  if (refused) {
    return {
      ...base,
      ok: false,
      detail: 'refused by the model API (401): the key or token is wrong, revoked or expired',
      fix: CREDENTIALS_FIX,
    };
  }
  return { ...base, ok: true, detail: 'set', fix: null };
}

function telegramCheck(telegram: TelegramStatus): SetupCheck {
  const base = { id: 'telegram', label: 'Telegram', required: false } as const;
  switch (telegram.state) {
    case 'off':
      return {
        ...base,
        ok: false,
        detail: 'no bot token: the bot is off (Mission Control works without it)',
        fix: 'set PRAKTOR_TELEGRAM_TOKEN (or telegram.token in praktor.yaml) to the token from @BotFather, then restart Praktor',
      };
    case 'failed':
      return { ...base, ok: false, detail: telegram.error, fix: 'fix telegram.token, then restart Praktor' };
    case 'connecting':
      return { ...base, ok: true, detail: 'connecting', fix: null };
    case 'connected':
      return { ...base, ok: true, detail: `connected as @${telegram.bot}`, fix: null };
  }
}

/** The banner's part about what the configuration had that Praktor ignored (unknown keys, with "did you mean"). */
export function configurationNotes(warnings: readonly string[]): string {
  if (warnings.length === 0) return '';
  return `\nIn the configuration:\n${warnings.map((w) => `  ${w}`).join('\n')}\n`;
}

/** What the banner says about the running gateway. */
export interface BannerFacts {
  version: string;
  missionControl: string | null;
  agents: string[];
  defaultAgent: string;
  runtime: string;
  confinement: string;
}

/** The plain text printed at start: where Mission Control is, the agents, the runtime, and what is missing. */
export function startBanner(facts: BannerFacts, checks: SetupCheck[]): string {
  const agents = facts.agents.map((id) => (id === facts.defaultAgent ? `${id} (default)` : id)).join(', ');
  const lines = [
    `Praktor ${facts.version} is running.`,
    `  Mission Control  ${facts.missionControl ?? 'off (web.enabled is false)'}`,
    `  Agents           ${agents}`,
    `  Runtime          ${facts.runtime} (${facts.confinement})`,
  ];
  const missing = checks.filter((c) => !c.ok && c.fix !== null);
  if (missing.length > 0) {
    lines.push('', 'To do:');
    for (const check of missing) {
      lines.push(`  ${check.label}${check.required ? '' : ' (optional)'}: ${check.detail}`);
      lines.push(`    → ${check.fix}`);
    }
  }
  return `${lines.join('\n')}\n`;
}
