/**
 * An agent's extensions as its runner gets them at start: every `secret:` reference in an MCP server's `env` and
 * `headers` replaced by the secret's value, under the vault's access rules. A reference that does not resolve
 * keeps that one server from starting and says why; the agent's other extensions go on as saved.
 */
import {
  type AgentExtensions,
  type McpServer,
  messageOf,
  SECRET_REFERENCE_PREFIX,
  type StartExtensions,
} from '@praktor/protocol';
import type { ResolvedAgent } from '../config/index.js';
import type { SecretResolver } from './agent-env.js';

/** `values` with each `secret:` reference replaced; `where` names the map in messages. */
function resolveValues(
  values: Record<string, string> | undefined,
  agent: ResolvedAgent,
  secrets: SecretResolver,
  where: string,
): Record<string, string> | undefined {
  if (!values) return undefined;
  const resolved: Record<string, string> = {};
  for (const [key, value] of Object.entries(values)) {
    resolved[key] = value.startsWith(SECRET_REFERENCE_PREFIX)
      ? secrets.text(agent, value.slice(SECRET_REFERENCE_PREFIX.length), `${where}.${key}`)
      : value;
  }
  return resolved;
}

function resolveServer(
  name: string,
  server: McpServer,
  agent: ResolvedAgent,
  secrets: SecretResolver,
): McpServer {
  const where = `extensions.mcp_servers.${name}`;
  if (server.type === 'stdio') {
    const env = resolveValues(server.env, agent, secrets, `${where}.env`);
    return { ...server, ...(env ? { env } : {}) };
  }
  const headers = resolveValues(server.headers, agent, secrets, `${where}.headers`);
  return { ...server, ...(headers ? { headers } : {}) };
}

/** What `agent`'s runner applies at start; never throws for a secret (that server is left out and named). */
export function startExtensions(
  agent: ResolvedAgent,
  saved: AgentExtensions,
  secrets: SecretResolver,
): StartExtensions {
  const servers: Record<string, McpServer> = {};
  const errors: string[] = [];
  for (const [name, server] of Object.entries(saved.mcp_servers ?? {})) {
    try {
      servers[name] = resolveServer(name, server, agent, secrets);
    } catch (err) {
      errors.push(`MCP server "${name}" was not started: ${messageOf(err)}`);
    }
  }
  return { ...saved, mcp_servers: servers, errors };
}
