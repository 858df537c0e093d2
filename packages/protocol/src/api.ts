/**
 * Mission Control's HTTP API and WebSocket events, as they travel on the wire. Field names follow the original
 * Praktor's API (snake_case), so scripts written against it keep working.
 */
import { z } from 'zod';
import { ActivityItem } from './activity.js';
import { ApprovalItem } from './approvals.js';
import { ConfigChanges, ConfigStatus } from './config.js';
import { MessageSpend } from './costs.js';
import { EgressRefusal } from './egress.js';
import { AgentStatus, Channel, MessageState, Routing, TelegramStatus } from './events.js';
import { SwarmChatMessage, SwarmRunView } from './swarms.js';
import { TaskChat, TaskItem, TaskRunItem } from './tasks.js';

/** Every error response: a message a person can read. Validation errors start with the failing field. */
export const ApiError = z.object({ error: z.string() });
export type ApiError = z.infer<typeof ApiError>;

/** A plain acknowledgement, e.g. `{ "status": "saved" }`. */
export const StatusReply = z.object({ status: z.string() });
export type StatusReply = z.infer<typeof StatusReply>;

/** `POST /api/agents/definitions/{id}/stop`: the sandbox stopped, and what the stop cut short. */
export const AgentStopReply = z.object({
  status: z.literal('stopped'),
  /** Waiting messages dropped (each marked stopped). */
  dropped: z.number().int(),
  /** Whether an answer in progress was stopped. */
  interrupted: z.boolean(),
});
export type AgentStopReply = z.infer<typeof AgentStopReply>;

/** `POST /api/agents/definitions/{id}/interrupt`: what the stop cut short; the sandbox keeps running. */
export const AgentInterruptReply = AgentStopReply.extend({ status: z.literal('interrupted') });
export type AgentInterruptReply = z.infer<typeof AgentInterruptReply>;

/** `POST /api/login`. */
export const LoginRequest = z.object({ password: z.string().min(1, 'is required') });
export type LoginRequest = z.infer<typeof LoginRequest>;

/** Body and reply of the AGENT.md and USER.md endpoints. */
export const FileContent = z.object({ content: z.string().max(1_000_000, 'is longer than 1 MB') });
export type FileContent = z.infer<typeof FileContent>;

/** The largest file the web chat takes, as Telegram's cloud Bot API lets a bot download. */
export const MAX_CHAT_FILE_BYTES = 20 * 1024 * 1024;

/** A file sent from the web chat, its bytes in base64. */
export const ChatFile = z.object({
  name: z.string({ error: 'must be text' }).max(1000, 'is longer than 1,000 characters'),
  mime_type: z
    .string({ error: 'must be text' })
    .regex(/^[\w.+-]+\/[\w.+-]+$/, 'must be a media type such as image/png')
    .default('application/octet-stream'),
  base64: z
    .string({ error: 'must be text' })
    .max(
      Math.ceil(MAX_CHAT_FILE_BYTES / 3) * 4,
      `holds a file larger than ${MAX_CHAT_FILE_BYTES / (1024 * 1024)} MB`,
    )
    .regex(/^[A-Za-z0-9+/]*={0,2}$/, 'must be base64'),
});
export type ChatFile = z.infer<typeof ChatFile>;

/** `POST /api/agents/definitions/{id}/messages`: a message from the web chat, its text, files, or both. */
export const ChatRequest = z
  .object({
    text: z.string({ error: 'must be text' }).max(100_000, 'is longer than 100,000 characters').default(''),
    files: z.array(ChatFile).max(1, 'may hold one file per message').default([]),
  })
  .refine((r) => r.text.trim() !== '' || r.files.length > 0, {
    message: 'must not be empty',
    path: ['text'],
  });
export type ChatRequest = z.infer<typeof ChatRequest>;

/**
 * Images that `GET /api/messages/{id}/file` serves inline and Mission Control previews: plain raster formats a
 * browser shows without running anything. Everything else is served as a download.
 */
export const INLINE_IMAGE_TYPES: ReadonlySet<string> = new Set([
  'image/png',
  'image/jpeg',
  'image/gif',
  'image/webp',
]);

/** A file that goes with a message, as the API describes it. */
export const MessageFile = z.object({ name: z.string(), mime_type: z.string(), size: z.number().int() });
export type MessageFile = z.infer<typeof MessageFile>;

/** Who wrote a message, as a conversation shows it. */
export const MessageRole = z.enum(['user', 'assistant', 'system']);
export type MessageRole = z.infer<typeof MessageRole>;

/** A stored message. `in_reply_to` links an answer to the message it answers. Times are ms since the epoch. */
export const MessageItem = z.object({
  id: z.number().int(),
  agent_id: z.string().nullable(),
  role: MessageRole,
  text: z.string(),
  channel: Channel,
  chat_id: z.string().nullable(),
  sender: z.string(),
  state: MessageState,
  error: z.string().nullable(),
  in_reply_to: z.number().int().nullable(),
  created_at: z.number().int(),
  /** For a scheduled task's prompt: the task whose run it is (null for every other message, or a deleted task). */
  task: z.object({ id: z.string(), name: z.string() }).nullable(),
  /** The file an agent sent with this message (its bytes at `GET /api/messages/{id}/file`), or null. */
  file: MessageFile.nullable(),
  /** For an agent's answer: what its turn spent (all models together); null for other messages or unknown. */
  spend: MessageSpend.nullable(),
  /** How an inbound message found its agent (null for answers, and for messages stored before this was kept). */
  routing: Routing.nullable(),
});
export type MessageItem = z.infer<typeof MessageItem>;

/** What an agent's sandbox has to work with, as its runner found it when it last started. */
export const AgentWorkbench = z.object({
  /** The Chromium the agent's browser tools drive; null: the sandbox has none. */
  browser: z.string().nullable(),
});
export type AgentWorkbench = z.infer<typeof AgentWorkbench>;

/** `POST /api/agents/definitions/{id}/nix`: list the agent's nix packages, or remove some, as `/nix` does. */
export const NixCommand = z
  .object({
    action: z.enum(['list', 'remove']),
    packages: z.array(z.string().trim().min(1, 'must not be empty')).default([]),
  })
  .refine((command) => command.action !== 'remove' || command.packages.length > 0, {
    path: ['packages'],
    message: 'name at least one package to remove',
  });
export type NixCommand = z.infer<typeof NixCommand>;

/** The agent's answer to a nix command, in the words its nix tools use. */
export const NixCommandReply = z.object({ ok: z.boolean(), text: z.string() });
export type NixCommandReply = z.infer<typeof NixCommandReply>;

/** An agent as Mission Control lists it. */
export const AgentSummary = z.object({
  id: z.string(),
  name: z.string(),
  description: z.string(),
  model: z.string(),
  workspace: z.string(),
  runtime: z.string(),
  /** The container image it runs in (Docker runtime); null for the local runtime. */
  image: z.string().nullable(),
  /**
   * Whether it has nix (`nix_enabled`, and nix where it runs: always in Docker, the host's in the local runtime):
   * packages it installs on demand.
   */
  nix_enabled: z.boolean(),
  /** Why an agent with `nix_enabled` has no nix where it runs, with how to enable it; null otherwise. */
  nix_problem: z.string().nullable(),
  /** What its sandbox had when it last started; null until it has started since the gateway did. */
  workbench: AgentWorkbench.nullable(),
  agent_status: AgentStatus,
  default_agent: z.boolean(),
  message_count: z.number().int(),
  /** Time of its newest message, or null. */
  last_active: z.number().int().nullable(),
});
export type AgentSummary = z.infer<typeof AgentSummary>;

/**
 * One thing a working Praktor needs, and whether it has it: model credentials (required) and Telegram (optional).
 * `fix` is the one step that provides it, null when nothing is missing.
 */
export const SetupCheck = z.object({
  id: z.enum(['model_credentials', 'telegram']),
  label: z.string(),
  ok: z.boolean(),
  required: z.boolean(),
  /** What was found, in a few words. */
  detail: z.string(),
  fix: z.string().nullable(),
});
export type SetupCheck = z.infer<typeof SetupCheck>;

/** `GET /api/status`. */
export const StatusResponse = z.object({
  status: z.literal('ok'),
  version: z.string(),
  started_at: z.number().int(),
  uptime_seconds: z.number().int(),
  agents_count: z.number().int(),
  active_agents: z.number().int(),
  telegram: TelegramStatus,
  runtime: z.object({ name: z.string(), confinement: z.string() }),
  /** What a task gets when it says nothing: the zone its schedule is read in, and where its results go. */
  scheduler: z.object({ timezone: z.string(), default_chat: TaskChat }),
  /** Work waiting: messages not yet answered, answers not yet delivered, answers that could not be delivered. */
  backlog: z.object({
    inbox: z.number().int(),
    outbox: z.number().int(),
    failed_deliveries: z.number().int(),
  }),
  /** The ten newest messages, newest first. */
  recent_messages: z.array(MessageItem),
  /** What a working Praktor needs and whether it has it; Mission Control shows a Setup card while one is missing. */
  setup: z.array(SetupCheck),
  /**
   * The vault: `locked` when no passphrase is set, so no new secret value can be stored and agents that use
   * secrets cannot start.
   */
  vault: z.object({ locked: z.boolean() }),
  /** What praktor.yaml holds that Praktor ignored (unknown keys, each with the key probably meant), as at start. */
  config_warnings: z.array(z.string()),
  /** The configuration file in force, and why its last reload was refused; Mission Control shows a banner then. */
  config: ConfigStatus,
});
export type StatusResponse = z.infer<typeof StatusResponse>;

/** `GET /api/agents/definitions/{id}/messages` query: the newest `limit` messages, or those before `before`. */
export const MessagesQuery = z.object({
  limit: z.coerce.number().int().min(1).max(500).default(100),
  before: z.coerce.number().int().positive().optional(),
});
export type MessagesQuery = z.infer<typeof MessagesQuery>;

/** `GET /api/agents/definitions/{id}/messages/search` query: words to find, and how many messages at most. */
export const MessageSearchQuery = z.object({
  q: z.string().max(1000, 'is longer than 1,000 characters'),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});
export type MessageSearchQuery = z.infer<typeof MessageSearchQuery>;

/** What `/api/ws` sends, one JSON object per WebSocket message. `timestamp` is ms since the epoch. */
export const WsEvent = z.discriminatedUnion('type', [
  /** A tool call waits for approval, or its request was settled. */
  z.object({ type: z.literal('approval'), timestamp: z.number().int(), approval: ApprovalItem }),
  z.object({
    type: z.literal('message'),
    timestamp: z.number().int(),
    agent_id: z.string().nullable(),
    message: MessageItem,
  }),
  z.object({
    type: z.literal('agent_status'),
    timestamp: z.number().int(),
    agent_id: z.string(),
    status: AgentStatus,
    reason: z.string().nullable(),
  }),
  /** A piece of an answer being written, for the inbound message `message_id`. */
  z.object({
    type: z.literal('delta'),
    timestamp: z.number().int(),
    agent_id: z.string(),
    message_id: z.number().int(),
    text: z.string(),
  }),
  z.object({
    type: z.literal('error'),
    timestamp: z.number().int(),
    agent_id: z.string().nullable(),
    message: z.string(),
  }),
  /** A scheduled task was created or changed; `task` is null when it was deleted. */
  z.object({
    type: z.literal('task'),
    timestamp: z.number().int(),
    task_id: z.string(),
    task: TaskItem.nullable(),
  }),
  /** A run of a task started, ended, was skipped or was found interrupted. */
  z.object({
    type: z.literal('task_run'),
    timestamp: z.number().int(),
    task_id: z.string(),
    run: TaskRunItem,
  }),
  /** The Telegram bot's connection changed. */
  z.object({ type: z.literal('telegram'), timestamp: z.number().int(), telegram: TelegramStatus }),
  /** The gateway's internet proxy refused a connection an agent asked for. */
  z.object({
    type: z.literal('egress_refused'),
    timestamp: z.number().int(),
    agent_id: z.string(),
    refusal: EgressRefusal,
  }),
  /** An agent's memory changed: a Memory tab showing it refetches. */
  z.object({ type: z.literal('memory'), timestamp: z.number().int(), agent_id: z.string() }),
  /** An agent's extensions were saved or its sandbox reported their status: an Extensions tab refetches. */
  z.object({ type: z.literal('extensions'), timestamp: z.number().int(), agent_id: z.string() }),
  /** The user's profile (USER.md) changed, by an agent's tool or in Mission Control. */
  z.object({ type: z.literal('user_profile'), timestamp: z.number().int(), content: z.string() }),
  /** An agent called a tool, or Claude Code retried the model API, while answering message `activity.message_id`. */
  z.object({ type: z.literal('activity'), timestamp: z.number().int(), activity: ActivityItem }),
  /** The configuration was reloaded (`changes`), or a reload was refused (`changes` null, `config.error` says why). */
  z.object({
    type: z.literal('config_reloaded'),
    timestamp: z.number().int(),
    config: ConfigStatus,
    changes: ConfigChanges.nullable(),
  }),
  /** A swarm run started or changed: a member started or ended, or the run ended. */
  z.object({ type: z.literal('swarm_run'), timestamp: z.number().int(), run: SwarmRunView }),
  /** A piece of a swarm member's answer, as it is written. */
  z.object({
    type: z.literal('swarm_output'),
    timestamp: z.number().int(),
    run_id: z.string(),
    role: z.string(),
    text: z.string(),
  }),
  /** A member of a swarm's collaborative group posted a message. */
  z.object({
    type: z.literal('swarm_chat'),
    timestamp: z.number().int(),
    run_id: z.string(),
    message: SwarmChatMessage,
  }),
]);
export type WsEvent = z.infer<typeof WsEvent>;
