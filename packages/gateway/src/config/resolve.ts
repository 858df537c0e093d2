/**
 * One agent's effective settings: its own keys where set, the `defaults` block otherwise.
 */
import { expandPraktorToolRule, type HostPattern, parseHostPattern } from '@praktor/protocol';
import type { Config, RuntimeKind, SecuritySettings } from './schema.js';

/** Everything needed to start one agent, with defaults applied; names in the camelCase of the code. */
export interface ResolvedAgent {
  id: string;
  description: string;
  model: string;
  image: string;
  /** Names the agent's volumes and folders; defaults to the agent's id. */
  workspace: string;
  runtime: RuntimeKind;
  /** The Docker host the agent is pinned to (`agents.<id>.host`); null: the Docker runtime places it. */
  host: string | null;
  /**
   * How the agent reaches the network. Null (the default): only through the gateway — the sandbox has no network of
   * its own, and the gateway's proxy takes it to the internet but never to this machine. `none`: not at all. Any
   * other value names a Docker network the container joins directly (`host`, or a network's name).
   */
  network: string | null;
  /**
   * Where the gateway's internet proxy lets the agent go: `defaults.egress.deny` and the agent's own deny list both
   * apply; the agent's allow list, when it has one, replaces `defaults.egress.allow`. An empty allow list allows
   * every host that is not denied (this machine is refused unless allowed exactly).
   */
  egress: { allow: HostPattern[]; deny: HostPattern[] };
  env: Record<string, string>;
  files: { secret: string; target: string; mode: string }[];
  allowedTools: string[];
  nixEnabled: boolean;
  /** Where its nix gets packages (`nix`): binary cache URLs and the keys trusted to sign them. */
  nixCaches: { substituters: string[]; trustedPublicKeys: string[] };
  /** The agent's own security block replaces `defaults.security` as a whole (fields are not merged). */
  security: SecuritySettings;
  /** Tool-call patterns that wait for a person's yes: `defaults.approvals.rules` and the agent's own. */
  approvalRules: string[];
  /** How long a request waits for an answer before it counts as denied, in milliseconds. */
  approvalTimeoutMs: number;
}

/** Resolves agent `id` of `config`; throws an `Error` when no such agent is configured. */
export function resolveAgent(config: Config, id: string): ResolvedAgent {
  const agent = Object.hasOwn(config.agents, id) ? config.agents[id] : undefined;
  if (agent === undefined) {
    throw new Error(`unknown agent "${id}" (agents: ${Object.keys(config.agents).join(', ')})`);
  }
  const { defaults } = config;
  return {
    id,
    description: agent.description,
    model: agent.model || defaults.model,
    image: agent.image || defaults.image,
    workspace: agent.workspace,
    runtime: agent.runtime ?? defaults.runtime,
    host: agent.host ?? null,
    network: agent.network ?? (defaults.network || null),
    egress: {
      allow: patterns(agent.egress.allow.length > 0 ? agent.egress.allow : defaults.egress.allow),
      deny: patterns([...defaults.egress.deny, ...agent.egress.deny]),
    },
    env: agent.env,
    files: agent.files,
    allowedTools: agent.allowed_tools,
    nixEnabled: agent.nix_enabled,
    nixCaches: { substituters: config.nix.substituters, trustedPublicKeys: config.nix.trusted_public_keys },
    security: agent.security ?? defaults.security,
    // Praktor's own tools are MCP tools: `file_send` in a rule means `mcp__praktor-files__file_send`.
    approvalRules: [
      ...new Set([...defaults.approvals.rules, ...(agent.approvals?.rules ?? [])].map(expandPraktorToolRule)),
    ],
    approvalTimeoutMs: agent.approvals?.timeout ?? defaults.approvals.timeout,
  };
}

/** Parses host patterns the schema has already validated. */
function patterns(texts: readonly string[]): HostPattern[] {
  return texts.map((text) => {
    const parsed = parseHostPattern(text);
    if (typeof parsed === 'string') throw new Error(parsed);
    return parsed;
  });
}

/**
 * Whether agent `id` is kept warm (`agents.<id>.prewarm`, which is true for the default agent and false for the
 * others when left out). False for an agent that is not configured.
 */
export function keepsWarm(config: Config, id: string): boolean {
  const agent = Object.hasOwn(config.agents, id) ? config.agents[id] : undefined;
  if (agent === undefined) return false;
  return agent.prewarm ?? id === config.router.default_agent;
}

/**
 * Where agents' memories (and swarm members', who use their agent's memory) get vectors: the endpoint's model (set
 * only when an endpoint is configured too), or the model folder on the host; the configuration allows only one.
 */
export function embeddingsOf(config: Config): { model: string | null; modelDir: string | null } {
  const { url, model, model_dir } = config.memory.embeddings;
  return { model: url && model ? model : null, modelDir: model_dir ?? null };
}
