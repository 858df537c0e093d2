/**
 * The environment an agent's runner starts with: credentials for the model API and the agent's own variables.
 * Nothing else of the gateway's environment reaches an agent.
 */
import type { Config, ResolvedAgent } from '../config/index.js';
import type { SandboxFile } from '../runtimes/runtime.js';

/** A reason an agent cannot start that its user must fix; the message says what and where. */
export class AgentStartError extends Error {
  override name = 'AgentStartError';
}

/** Where `secret:` references and `files` entries are looked up; both throw {@link AgentStartError}. */
export interface SecretResolver {
  /** The text of secret `name` for `agent`; `where` is the key path that refers to it. */
  text(agent: ResolvedAgent, name: string, where: string): string;
  /** The agent's `files` entries with their contents. */
  files(agent: ResolvedAgent): SandboxFile[];
}

/** Variables passed through from the gateway when set: they shape how Claude Code reaches the model API. */
const PASSTHROUGH = [
  'ANTHROPIC_BASE_URL',
  'ANTHROPIC_AUTH_TOKEN',
  'API_TIMEOUT_MS',
  'CLAUDE_CODE_MAX_RETRIES',
  'HTTP_PROXY',
  'HTTPS_PROXY',
  'NO_PROXY',
  'http_proxy',
  'https_proxy',
  'no_proxy',
  'TZ',
];

/** Builds the runner's environment for `agent`; throws {@link AgentStartError} for what the user must fix. */
export function agentEnvironment(
  config: Config,
  agent: ResolvedAgent,
  gatewayEnv: NodeJS.ProcessEnv,
  secrets: SecretResolver,
): Record<string, string> {
  const env: Record<string, string> = {};
  for (const name of PASSTHROUGH) {
    const value = gatewayEnv[name];
    if (value !== undefined && value !== '') env[name] = value;
  }
  if (config.defaults.anthropic_api_key) env.ANTHROPIC_API_KEY = config.defaults.anthropic_api_key;
  if (config.defaults.oauth_token) env.CLAUDE_CODE_OAUTH_TOKEN = config.defaults.oauth_token;
  env.AGENT_ID = agent.id;
  env.CLAUDE_MODEL = agent.model;
  for (const [name, value] of Object.entries(agent.env)) {
    env[name] = value.startsWith('secret:')
      ? secrets.text(agent, value.slice('secret:'.length), `agents.${agent.id}.env.${name}`)
      : value;
  }
  return env;
}
