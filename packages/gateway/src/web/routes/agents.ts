/**
 * The configured agents: their list and status, starting and stopping their sandboxes, their nix packages, and their
 * identity file, AGENT.md, which lives in the agent's workspace and is read and written through the agent's runtime.
 */
import {
  AGENT_MD_TEMPLATE,
  AgentInterruptReply,
  AgentStopReply,
  AgentSummary,
  FileContent,
  messageOf,
  NixCommand,
  NixCommandReply,
  StatusReply,
} from '@praktor/protocol';
import { z } from 'zod';
import { resolveAgent } from '../../config/index.js';
import { type AgentRef, type Runtime, safeWorkspaceName } from '../../runtimes/runtime.js';
import { HttpError } from '../http-error.js';
import { type ApiDeps, configuredAgent, type Route, route, throughRuntime } from '../route.js';
import { agentSummary } from '../views.js';

/** Where agent `id`'s workspace files are: its runtime (a local folder or a Docker volume) and its name there. */
function workspaceOf(deps: ApiDeps, id: string): { runtime: Runtime; agent: AgentRef } {
  const resolved = resolveAgent(deps.config(), id);
  return {
    runtime: deps.runtimeFor(resolved),
    agent: { agentId: id, workspace: safeWorkspaceName(resolved.workspace) },
  };
}

/** The agents' routes. */
export const agentRoutes: Route[] = [
  route({
    method: 'GET',
    url: '/api/agents/definitions',
    summary: 'Every configured agent with its status, in configuration order.',
    response: z.array(AgentSummary),
    handle(_input, deps) {
      const config = deps.config();
      return Object.keys(config.agents).map((id) =>
        agentSummary(config, id, deps.store, deps.orchestrator, deps.runtimeFor),
      );
    },
  }),
  route({
    method: 'GET',
    url: '/api/agents/definitions/:id',
    summary: 'One agent.',
    response: AgentSummary,
    handle({ params }, deps) {
      const id = configuredAgent(deps, params.id);
      return agentSummary(deps.config(), id, deps.store, deps.orchestrator, deps.runtimeFor);
    },
  }),
  route({
    method: 'POST',
    url: '/api/agents/definitions/:id/start',
    summary: 'Start the agent’s sandbox now rather than at its next message.',
    response: StatusReply,
    async handle({ params }, deps) {
      const id = configuredAgent(deps, params.id);
      try {
        await deps.orchestrator.start(id);
      } catch (err) {
        throw new HttpError(500, `the agent could not start: ${messageOf(err)}`);
      }
      return { status: 'started' };
    },
  }),
  route({
    method: 'POST',
    url: '/api/agents/definitions/:id/stop',
    summary:
      'Stop the agent’s sandbox, as `/stop` does first: its waiting messages are dropped and its answer in progress ends as stopped. Its next message starts it again in the same conversation.',
    response: AgentStopReply,
    async handle({ params }, deps) {
      const id = configuredAgent(deps, params.id);
      const { dropped, interrupted } = await deps.orchestrator.stop(id);
      return { status: 'stopped', dropped, interrupted };
    },
  }),
  route({
    method: 'POST',
    url: '/api/agents/definitions/:id/nix',
    summary:
      'List the agent’s nix packages, or remove some, as `/nix list` and `/nix remove` do; a stopped agent is started for it. An agent without nix answers that it is not enabled.',
    body: NixCommand,
    response: NixCommandReply,
    async handle({ params, body }, deps) {
      const id = configuredAgent(deps, params.id);
      try {
        return await deps.orchestrator.nix(id, body.action, body.packages);
      } catch (err) {
        throw new HttpError(500, `the agent could not start: ${messageOf(err)}`);
      }
    },
  }),
  route({
    method: 'POST',
    url: '/api/agents/definitions/:id/interrupt',
    summary:
      'Stop what the agent is doing, as `/stop` does: its waiting messages are dropped and its answer in progress ends as stopped. The sandbox keeps running.',
    response: AgentInterruptReply,
    handle({ params }, deps) {
      const id = configuredAgent(deps, params.id);
      return { status: 'interrupted', ...deps.orchestrator.abort(id) };
    },
  }),
  route({
    method: 'POST',
    url: '/api/agents/definitions/:id/reset',
    summary:
      'Start a new conversation with the agent, as `/reset` does: its next message no longer carries the earlier ones.',
    response: StatusReply,
    handle({ params }, deps) {
      deps.orchestrator.reset(configuredAgent(deps, params.id));
      return { status: 'reset' };
    },
  }),
  route({
    method: 'GET',
    url: '/api/agents/definitions/:id/agent-md',
    summary: 'The agent’s identity file, AGENT.md (the template when it has none yet).',
    response: FileContent,
    async handle({ params }, deps) {
      const { runtime, agent } = workspaceOf(deps, configuredAgent(deps, params.id));
      const content = await throughRuntime('AGENT.md could not be read', () =>
        runtime.readWorkspaceFile(agent, 'AGENT.md'),
      );
      return { content: content ?? AGENT_MD_TEMPLATE };
    },
  }),
  route({
    method: 'PUT',
    url: '/api/agents/definitions/:id/agent-md',
    summary: 'Replace AGENT.md; the agent’s next message uses it.',
    body: FileContent,
    response: StatusReply,
    async handle({ params, body }, deps) {
      const { runtime, agent } = workspaceOf(deps, configuredAgent(deps, params.id));
      await throughRuntime('AGENT.md could not be saved', () =>
        runtime.writeWorkspaceFile(agent, 'AGENT.md', body.content),
      );
      return { status: 'saved' };
    },
  }),
];
