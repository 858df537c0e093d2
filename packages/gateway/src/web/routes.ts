/**
 * The REST API, one table: each route with its schemas and its handler. The server registers the table and the
 * OpenAPI document is generated from it, so the two cannot drift apart.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import {
  AGENT_MD_TEMPLATE,
  AgentSummary,
  ChatRequest,
  FileContent,
  LoginRequest,
  MessageItem,
  MessagesQuery,
  StatusReply,
  StatusResponse,
} from '@praktor/protocol';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { type Config, type ResolvedAgent, resolveAgent } from '../config/index.js';
import type { Inbox } from '../inbox.js';
import type { Orchestrator } from '../orchestrator/orchestrator.js';
import { globalDir } from '../runtimes/layout.js';
import { type AgentRef, type Runtime, safeWorkspaceName } from '../runtimes/runtime.js';
import type { TaskService } from '../scheduler/tasks.js';
import type { Store } from '../store/index.js';
import type { Vault } from '../vault/vault.js';
import type { Auth } from './auth.js';
import { HttpError } from './http-error.js';
import { secretRoutes } from './secret-routes.js';
import { taskRoutes } from './task-routes.js';
import { agentSummary, messageItem } from './views.js';

/** What the routes work with. */
export interface ApiDeps {
  config: () => Config;
  store: Store;
  vault: Vault;
  orchestrator: Orchestrator;
  inbox: Inbox;
  tasks: TaskService;
  auth: Auth;
  version: string;
  startedAt: number;
  telegram: () => 'connected' | 'off';
  runtime: { name: string; confinement: string };
  /** The runtime that runs an agent: it reads and writes the agent's workspace files. */
  runtimeFor: (agent: ResolvedAgent) => Runtime;
  /** Shows a changed USER.md to running agents. */
  publishSharedFiles: () => Promise<void>;
}

/** What a handler receives: the validated input and the raw request for the rare route that needs it. */
export interface RouteInput<B, Q> {
  params: Record<string, string>;
  body: B;
  query: Q;
  request: FastifyRequest;
  reply: FastifyReply;
}

/** One API route. */
export interface Route<B = unknown, Q = unknown> {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  /** Path with `:name` parameters. */
  url: string;
  summary: string;
  body?: z.ZodType<B>;
  query?: z.ZodType<Q>;
  /** Status of a successful answer. */
  status?: number;
  /** Shape of a successful answer; null when it has no body. */
  response: z.ZodType | null;
  /** Reachable without logging in. */
  public?: boolean;
  handle(input: RouteInput<B, Q>, deps: ApiDeps): unknown;
}

/** Declares a route with its input types inferred from its schemas. */
function route<B = undefined, Q = undefined>(spec: Route<B, Q>): Route {
  return spec as unknown as Route;
}

function agentOr404(deps: ApiDeps, id: string | undefined): string {
  if (id === undefined || !Object.hasOwn(deps.config().agents, id)) {
    throw new HttpError(404, `agent not found: ${id ?? ''}`);
  }
  return id;
}

/** Where agent `id`'s workspace files are: its runtime (a local folder or a Docker volume) and its name there. */
function workspaceOf(deps: ApiDeps, id: string): { runtime: Runtime; agent: AgentRef } {
  const resolved = resolveAgent(deps.config(), id);
  return {
    runtime: deps.runtimeFor(resolved),
    agent: { agentId: id, workspace: safeWorkspaceName(resolved.workspace) },
  };
}

/** Runs a runtime's file access; a failure (Docker unreachable, image missing) is a 503 saying why. */
async function throughRuntime<T>(what: string, access: () => Promise<T>): Promise<T> {
  try {
    return await access();
  } catch (err) {
    throw new HttpError(503, `${what}: ${(err as Error).message}`);
  }
}

function readText(file: string, fallback: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return fallback;
    throw err;
  }
}

function writeText(file: string, content: string): void {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, content, { mode: 0o644 });
}

/** Every route of the API. */
export const routes: Route[] = [
  route({
    method: 'POST',
    url: '/api/login',
    summary: 'Log in with the Mission Control password; sets the session cookie.',
    body: LoginRequest,
    response: StatusReply,
    public: true,
    handle({ body, request, reply }, { auth }) {
      if (auth.enabled) auth.login(request, reply, body.password);
      return { status: 'ok' };
    },
  }),
  route({
    method: 'POST',
    url: '/api/logout',
    summary: 'End the session and clear its cookie.',
    response: StatusReply,
    handle({ request, reply }, { auth }) {
      auth.endSession(request, reply);
      return { status: 'ok' };
    },
  }),
  route({
    method: 'GET',
    url: '/api/auth/check',
    summary: 'Whether the caller is logged in: 204 when no password is set, 200 when logged in, else 401.',
    response: StatusReply,
    public: true,
    handle({ request, reply }, { auth }) {
      if (!auth.enabled) return reply.code(204).send();
      if (!auth.authenticate(request)) throw new HttpError(401, 'authentication required');
      return { status: 'ok' };
    },
  }),
  route({
    method: 'GET',
    url: '/api/status',
    summary: 'The gateway at a glance: version, uptime, agents, channels and the latest messages.',
    response: StatusResponse,
    handle(_input, deps) {
      const ids = Object.keys(deps.config().agents);
      const backlog = deps.store.messages.backlog();
      const defaultChat = deps.tasks.defaultChat();
      return {
        status: 'ok',
        version: deps.version,
        started_at: deps.startedAt,
        uptime_seconds: Math.floor((Date.now() - deps.startedAt) / 1000),
        agents_count: ids.length,
        active_agents: ids.filter((id) => deps.orchestrator.status(id) !== 'stopped').length,
        telegram: deps.telegram(),
        runtime: deps.runtime,
        scheduler: {
          timezone: deps.config().scheduler.timezone,
          default_chat: { channel: defaultChat.channel, chat_id: defaultChat.chatId },
        },
        backlog: {
          inbox: backlog.inbox,
          outbox: backlog.outbox,
          failed_deliveries: backlog.failedDeliveries,
        },
        recent_messages: deps.store.messages.latest(10).map(messageItem),
      };
    },
  }),
  route({
    method: 'GET',
    url: '/api/agents/definitions',
    summary: 'Every configured agent with its status, in configuration order.',
    response: z.array(AgentSummary),
    handle(_input, deps) {
      const config = deps.config();
      return Object.keys(config.agents).map((id) => agentSummary(config, id, deps.store, deps.orchestrator));
    },
  }),
  route({
    method: 'GET',
    url: '/api/agents/definitions/:id',
    summary: 'One agent.',
    response: AgentSummary,
    handle({ params }, deps) {
      const id = agentOr404(deps, params.id);
      return agentSummary(deps.config(), id, deps.store, deps.orchestrator);
    },
  }),
  route({
    method: 'POST',
    url: '/api/agents/definitions/:id/start',
    summary: 'Start the agent’s sandbox now rather than at its next message.',
    response: StatusReply,
    async handle({ params }, deps) {
      const id = agentOr404(deps, params.id);
      try {
        await deps.orchestrator.start(id);
      } catch (err) {
        throw new HttpError(500, `the agent could not start: ${(err as Error).message}`);
      }
      return { status: 'started' };
    },
  }),
  route({
    method: 'POST',
    url: '/api/agents/definitions/:id/stop',
    summary: 'Stop the agent’s sandbox; its next message starts it again in the same conversation.',
    response: StatusReply,
    async handle({ params }, deps) {
      const id = agentOr404(deps, params.id);
      await deps.orchestrator.stop(id, 'manual');
      return { status: 'stopped' };
    },
  }),
  route({
    method: 'GET',
    url: '/api/agents/definitions/:id/agent-md',
    summary: 'The agent’s identity file, AGENT.md (the template when it has none yet).',
    response: FileContent,
    async handle({ params }, deps) {
      const { runtime, agent } = workspaceOf(deps, agentOr404(deps, params.id));
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
      const { runtime, agent } = workspaceOf(deps, agentOr404(deps, params.id));
      await throughRuntime('AGENT.md could not be saved', () =>
        runtime.writeWorkspaceFile(agent, 'AGENT.md', body.content),
      );
      return { status: 'saved' };
    },
  }),
  route({
    method: 'GET',
    url: '/api/agents/definitions/:id/messages',
    summary: 'The agent’s conversation, oldest first: the newest `limit` messages, or those before `before`.',
    query: MessagesQuery,
    response: z.array(MessageItem),
    handle({ params, query }, deps) {
      const id = agentOr404(deps, params.id);
      return deps.store.messages.recentForAgent(id, query.limit, query.before).map(messageItem);
    },
  }),
  route({
    method: 'POST',
    url: '/api/agents/definitions/:id/messages',
    summary: 'Send the agent a message from the web chat; the answer arrives over the WebSocket.',
    body: ChatRequest,
    status: 202,
    response: z.object({ message: MessageItem }),
    handle({ params, body }, deps) {
      const id = agentOr404(deps, params.id);
      const received = deps.inbox.receive(
        { channel: 'web', chatId: 'web', sender: 'user:web', text: body.text },
        { forceAgent: id },
      );
      return { message: messageItem(received.message) };
    },
  }),
  route({
    method: 'GET',
    url: '/api/user-profile',
    summary: 'The user’s profile, USER.md, read by every agent.',
    response: FileContent,
    handle(_input, deps) {
      return { content: readText(join(globalDir(deps.config().dataDir), 'USER.md'), '') };
    },
  }),
  route({
    method: 'PUT',
    url: '/api/user-profile',
    summary: 'Replace USER.md; every agent’s next message uses it.',
    body: FileContent,
    response: StatusReply,
    async handle({ body }, deps) {
      writeText(join(globalDir(deps.config().dataDir), 'USER.md'), body.content);
      await throughRuntime('USER.md is saved, but running agents could not be given it', () =>
        deps.publishSharedFiles(),
      );
      return { status: 'saved' };
    },
  }),
  ...secretRoutes,
  ...taskRoutes,
];
