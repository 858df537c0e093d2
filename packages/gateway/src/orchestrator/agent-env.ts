/**
 * The environment an agent's runner starts with: placeholders for the model API's credentials (the gateway adds the
 * real ones as the requests leave, see egress/model-proxy.ts) and the agent's own variables. Nothing else of the
 * gateway's environment reaches an agent.
 */
import type { Config, ResolvedAgent } from '../config/index.js';
import { CREDENTIAL_PLACEHOLDER } from '../egress/model-proxy.js';
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

/** Variables passed through from the gateway when set: they shape how Claude Code and its tools reach the network. */
const PASSTHROUGH = [
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
  // Claude Code needs to believe it holds a credential of the right kind; the value is worthless.
  if (config.defaults.anthropic_api_key) env.ANTHROPIC_API_KEY = CREDENTIAL_PLACEHOLDER;
  if (config.defaults.oauth_token) env.CLAUDE_CODE_OAUTH_TOKEN = CREDENTIAL_PLACEHOLDER;
  if (gatewayEnv.ANTHROPIC_AUTH_TOKEN) env.ANTHROPIC_AUTH_TOKEN = CREDENTIAL_PLACEHOLDER;
  env.AGENT_ID = agent.id;
  env.CLAUDE_MODEL = agent.model;
  for (const [name, value] of Object.entries(agent.env)) {
    env[name] = value.startsWith('secret:')
      ? secrets.text(agent, value.slice('secret:'.length), `agents.${agent.id}.env.${name}`)
      : value;
  }
  return env;
}
