/**
 * Events: what happened to messages and agents, as the gateway's in-process bus carries it (Mission Control receives
 * them as the WsEvent shapes of api.ts). Task events carry the gateway's own task records, so the gateway defines
 * those itself.
 */
import { z } from 'zod';
import { ActivityView } from './activity.js';
import { EgressRefusal } from './egress.js';

/** Where a message came from or goes to. */
export const Channel = z.enum(['telegram', 'web', 'scheduler', 'system']);
export type Channel = z.infer<typeof Channel>;

/**
 * Inbound: received → routed → processing → answered | failed | stopped (a user stopped it, or dropped it from the
 * queue by stopping the agent: not a failure). Outbound: pending → sent | failed.
 */
export const MessageState = z.enum([
  'received',
  'routed',
  'processing',
  'answered',
  'pending',
  'sent',
  'failed',
  'stopped',
]);
export type MessageState = z.infer<typeof MessageState>;

/**
 * How an inbound message found its agent: `reply` (it answers the agent's message), `prefix` (`@agent`), `ai` (the
 * classifier picked it; `reason` says why), `default` (the default agent; `reason` says why AI routing did not
 * pick one, when it was asked), `direct` (the sender chose the agent outside the text).
 */
export const Routing = z.object({
  via: z.enum(['reply', 'prefix', 'ai', 'default', 'direct']),
  reason: z.string().nullable(),
});
export type Routing = z.infer<typeof Routing>;

/** A stored message as the rest of the system sees it. */
export const MessageView = z.object({
  id: z.number().int(),
  agentId: z.string().nullable(),
  direction: z.enum(['in', 'out']),
  channel: Channel,
  chatId: z.string().nullable(),
  sender: z.string(),
  text: z.string(),
  state: MessageState,
  error: z.string().nullable(),
  /** For an answer: the id of the message it answers. */
  inReplyTo: z.number().int().nullable(),
  createdAt: z.number().int(),
  /** For an inbound message routed since routing was recorded: how it found its agent; else null. */
  routing: Routing.nullable(),
});
export type MessageView = z.infer<typeof MessageView>;

/** Lifecycle of an agent's sandbox as the orchestrator sees it. */
export const AgentStatus = z.enum(['stopped', 'starting', 'idle', 'busy']);
export type AgentStatus = z.infer<typeof AgentStatus>;

/**
 * The Telegram bot's connection, as the bus carries it and `/api/status` shows it: `off` (no token set),
 * `connecting` (`error`: why the last attempt failed, `retry_at`: when the next starts; both null before the first
 * failure, `retry_at` also while grammY retries the long poll on its own schedule), `connected` (`bot`: the bot's
 * username) or `failed` (given up until a restart: the token was refused or polling stopped for good; `error` says
 * why and what to do).
 */
export const TelegramStatus = z.discriminatedUnion('state', [
  z.object({ state: z.literal('off') }),
  z.object({
    state: z.literal('connecting'),
    error: z.string().nullable(),
    retry_at: z.number().int().nullable(),
  }),
  z.object({ state: z.literal('connected'), bot: z.string() }),
  z.object({ state: z.literal('failed'), error: z.string() }),
]);
export type TelegramStatus = z.infer<typeof TelegramStatus>;

/** What the gateway announces about messages, agents and the Telegram connection. */
export const GatewayEvent = z.discriminatedUnion('type', [
  z.object({ type: z.literal('message'), message: MessageView }),
  z.object({
    type: z.literal('agent_status'),
    agentId: z.string(),
    status: AgentStatus,
    /** Why it changed, for stops: `idle_timeout`, `manual`, `shutdown`, `evicted`, `crashed`, `failed` (to start). */
    reason: z.string().nullable(),
  }),
  z.object({ type: z.literal('delta'), agentId: z.string(), messageId: z.number().int(), text: z.string() }),
  z.object({ type: z.literal('error'), agentId: z.string().nullable(), message: z.string() }),
  /** The agent called a tool or Claude Code retried the model API, while answering a message. */
  z.object({ type: z.literal('activity'), activity: ActivityView }),
  /** The Telegram bot's connection changed. */
  z.object({ type: z.literal('telegram'), status: TelegramStatus }),
  /** The gateway's internet proxy refused a connection an agent asked for. */
  z.object({ type: z.literal('egress_refused'), refusal: EgressRefusal }),
  /** An agent's memory changed (its tools or Mission Control stored, deleted or recalled memories). */
  z.object({ type: z.literal('memory'), agentId: z.string() }),
  /** The user's profile (USER.md) changed; `content` is the new text. */
  z.object({ type: z.literal('user_profile'), content: z.string() }),
  /** An agent's extensions were saved, or its sandbox reported their status. */
  z.object({ type: z.literal('extensions'), agentId: z.string() }),
]);
export type GatewayEvent = z.infer<typeof GatewayEvent>;
