/**
 * An agent's extensions (MCP servers, marketplaces, plugins, skills): read with the status its sandbox last
 * reported, and replaced whole. A save takes effect at the agent's next message: its sandbox stops once the turn in
 * progress (if any) has ended, never in the middle of it.
 */
import { AgentExtensions, ExtensionsReply, StatusReply } from '@praktor/protocol';
import { configuredAgent, type Route, route } from '../route.js';

/** Skills may carry files; their base64 makes a body larger than most. */
const EXTENSIONS_BODY_LIMIT = 16 * 1024 * 1024;

/** The extensions routes. */
export const extensionRoutes: Route[] = [
  route({
    method: 'GET',
    url: '/api/agents/definitions/:id/extensions',
    summary:
      'The agent’s extensions, and under `_status` what its sandbox last reported of them (`{}` before its first start with them): MCP servers connected or failed and why, marketplaces, plugins installed and enabled, skills, errors.',
    response: ExtensionsReply,
    handle({ params }, deps) {
      const id = configuredAgent(deps, params.id);
      return { ...deps.store.extensions.get(id), _status: deps.store.extensions.status(id) ?? {} };
    },
  }),
  route({
    method: 'PUT',
    url: '/api/agents/definitions/:id/extensions',
    summary:
      'Replace the agent’s extensions (a `_status` member is ignored). Values in MCP `env` and `headers` may be `secret:<name>` references to the vault. The agent’s sandbox starts again on them at its next message.',
    body: AgentExtensions,
    bodyLimit: EXTENSIONS_BODY_LIMIT,
    response: StatusReply,
    handle({ params, body }, deps) {
      const id = configuredAgent(deps, params.id);
      deps.store.extensions.set(id, body, Date.now());
      deps.orchestrator.reconfigure(id, 'changed');
      return { status: 'saved' };
    },
  }),
];
