/**
 * Environment variables that override keys of the file. A variable counts only when it is non-empty, and wins
 * over the file. Values of variables that must have a form (a port, a runtime, a URL) are checked, and a bad one
 * is a problem named after the variable.
 */
import type { ConfigIssue } from './issues.js';
import { ok, type Read, readHttpUrl, readPort } from './readers.js';
import { type ParsedConfig, readRuntime } from './schema.js';

type Apply = (config: ParsedConfig) => void;

interface Override {
  variable: string;
  /** The key path it replaces, such as `web.auth`. */
  key: string;
  read: (text: string) => Read<Apply>;
}

/** Ties a reader to the key it sets, so each entry reads its value once and applies it later. */
function override<T>(
  variable: string,
  key: string,
  read: (text: string) => Read<T>,
  set: (config: ParsedConfig, value: T) => void,
) {
  return {
    variable,
    key,
    read: (text: string): Read<Apply> => {
      const result = read(text);
      return result.ok ? ok((config) => set(config, result.value)) : result;
    },
  } satisfies Override;
}

const asText = (text: string) => ok(text);

const OVERRIDES: Override[] = [
  override('PRAKTOR_TELEGRAM_TOKEN', 'telegram.token', asText, (c, v) => {
    c.telegram.token = v;
  }),
  override('PRAKTOR_TELEGRAM_API_ROOT', 'telegram.api_root', readHttpUrl, (c, v) => {
    c.telegram.api_root = v;
  }),
  override('ANTHROPIC_API_KEY', 'defaults.anthropic_api_key', asText, (c, v) => {
    c.defaults.anthropic_api_key = v;
  }),
  override('CLAUDE_CODE_OAUTH_TOKEN', 'defaults.oauth_token', asText, (c, v) => {
    c.defaults.oauth_token = v;
  }),
  override('PRAKTOR_AGENT_MODEL', 'defaults.model', asText, (c, v) => {
    c.defaults.model = v;
  }),
  override('PRAKTOR_RUNTIME', 'defaults.runtime', readRuntime, (c, v) => {
    c.defaults.runtime = v;
  }),
  override('PRAKTOR_WEB_HOST', 'web.host', asText, (c, v) => {
    c.web.host = v;
  }),
  override('PRAKTOR_WEB_PORT', 'web.port', readPort, (c, v) => {
    c.web.port = v;
  }),
  override('PRAKTOR_WEB_PASSWORD', 'web.auth', asText, (c, v) => {
    c.web.auth = v;
  }),
  override('PRAKTOR_VAULT_PASSPHRASE', 'vault.passphrase', asText, (c, v) => {
    c.vault.passphrase = v;
  }),
  override('OPENAI_API_KEY', 'speech.api_key', asText, (c, v) => {
    c.speech.api_key = v;
  }),
];

/**
 * Reads the overrides set in `env`. Returns the problems (named after the variable), the key paths that are
 * overridden, and a function applying the good ones to a parsed config; they are separate so that problems are
 * reported even when the file has problems of its own.
 */
export function readOverrides(env: NodeJS.ProcessEnv): {
  issues: ConfigIssue[];
  keys: ReadonlySet<string>;
  apply: Apply;
} {
  const issues: ConfigIssue[] = [];
  const keys = new Set<string>();
  const accepted: Apply[] = [];
  for (const entry of OVERRIDES) {
    const text = env[entry.variable];
    if (text === undefined || text === '') continue;
    keys.add(entry.key);
    const result = entry.read(text);
    if (result.ok) accepted.push(result.value);
    else issues.push({ path: entry.variable, message: result.problem });
  }
  return {
    issues,
    keys,
    apply: (config) => {
      for (const set of accepted) set(config);
    },
  };
}
