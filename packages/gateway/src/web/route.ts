/**
 * What an API route is: its method and path, its schemas, its handler, and what handlers work with. Each resource's
 * routes (routes/*.ts) are declared with {@link route}; routes/index.ts joins them into the one table that the
 * server registers and the OpenAPI document describes, so the two cannot drift apart.
 */
import {
  type ConfigReloadReply,
  type ConfigStatus,
  type DoctorReport,
  messageOf,
  type SetupCheck,
  type TelegramStatus,
} from '@praktor/protocol';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { z } from 'zod';
import type { ChatCommands } from '../commands/commands.js';
import type { Config, ResolvedAgent } from '../config/index.js';
import type { RecentRefusals } from '../egress/refusals.js';
import type { Inbox } from '../inbox.js';
import type { Orchestrator } from '../orchestrator/orchestrator.js';
import type { Pairing } from '../router/pairing.js';
import type { Runtime } from '../runtimes/runtime.js';
import type { TaskService } from '../scheduler/tasks.js';
import type { Store } from '../store/index.js';
import type { SwarmRuns } from '../swarms/runs.js';
import type { SwarmTemplates } from '../swarms/templates.js';
import type { Vault } from '../vault/vault.js';
import type { Auth } from './auth.js';
import { HttpError } from './http-error.js';

/** What the routes work with. */
export interface ApiDeps {
  config: () => Config;
  /** Where the configuration came from, when it was loaded, and why its last reload was refused. */
  configStatus: () => ConfigStatus;
  /** Loads the configuration file again (as `SIGHUP` does). */
  reloadConfig: () => ConfigReloadReply;
  store: Store;
  vault: Vault;
  orchestrator: Orchestrator;
  inbox: Inbox;
  /** Praktor's chat commands, which the web chat shares with Telegram. */
  commands: ChatCommands;
  tasks: TaskService;
  /** Swarm runs: launch, cancel. */
  swarms: SwarmRuns;
  swarmTemplates: SwarmTemplates;
  /** Telegram users let in by code. */
  pairing: Pairing;
  auth: Auth;
  version: string;
  startedAt: number;
  telegram: () => TelegramStatus;
  runtime: { name: string; confinement: string };
  /** The runtime that runs an agent: it reads and writes the agent's workspace files. */
  runtimeFor: (agent: ResolvedAgent) => Runtime;
  /** What a working Praktor needs and whether it has it, checked now. */
  setup: () => SetupCheck[];
  /** Runs `praktor doctor`'s checks, read-only, as this gateway finds them. */
  doctor: () => Promise<DoctorReport>;
  /** Whether the gateway has begun to stop (the health probe then says it is not ready). */
  stopping: () => boolean;
  /** What the configuration held that Praktor ignored, as read at start. */
  configWarnings: readonly string[];
  /** Shows a changed USER.md to running agents. */
  publishSharedFiles: () => Promise<void>;
  /** The connections the internet proxy refused recently. */
  refusals: RecentRefusals;
}

/** The parameters a path names (`/api/agents/definitions/:id/secrets/:secretId` → `id`, `secretId`). */
export type PathParams<Url extends string> = Url extends `${string}:${infer Name}/${infer Rest}`
  ? { [K in Name]: string } & PathParams<`/${Rest}`>
  : Url extends `${string}:${infer Name}`
    ? { [K in Name]: string }
    : Record<never, string>;

/** What a handler receives: the validated input and the raw request for the rare route that needs it. */
export interface RouteInput<B, Q, P> {
  params: P;
  body: B;
  query: Q;
  request: FastifyRequest;
  reply: FastifyReply;
}

/** One API route, with its input types: `B` of the body, `Q` of the query, `Url` its path with `:name` parameters. */
export interface RouteSpec<B, Q, Url extends string> {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  url: Url;
  summary: string;
  body?: z.ZodType<B>;
  query?: z.ZodType<Q>;
  /** Status of a successful answer. */
  status?: number;
  /** Shape of a successful answer; null when it has no body. */
  response: z.ZodType | null;
  /** Reachable without logging in; every other route needs the password (when one is set). */
  public?: boolean;
  /** The largest body it takes, in bytes, when more than the server's default. */
  bodyLimit?: number;
  handle(input: RouteInput<B, Q, PathParams<Url>>, deps: ApiDeps): unknown;
}

/** A route as the server and the OpenAPI document see it: input types no longer matter there. */
export type Route = RouteSpec<unknown, unknown, string>;

/**
 * Declares a route with its input types inferred from its schemas and its path. The server validates body and
 * query against the schemas, and the router supplies every parameter the path names, before `handle` runs.
 */
export function route<B = undefined, Q = undefined, const Url extends string = string>(
  spec: RouteSpec<B, Q, Url>,
): Route {
  return spec as unknown as Route;
}

/** The id of a configured agent; 404 naming it when there is no such agent. */
export function configuredAgent(deps: ApiDeps, id: string): string {
  if (!Object.hasOwn(deps.config().agents, id)) throw new HttpError(404, `agent not found: ${id}`);
  return id;
}

/** Runs a runtime's file access; a failure (Docker unreachable, image missing) is a 503 saying why. */
export async function throughRuntime<T>(what: string, access: () => Promise<T>): Promise<T> {
  try {
    return await access();
  } catch (err) {
    throw new HttpError(503, `${what}: ${messageOf(err)}`);
  }
}
