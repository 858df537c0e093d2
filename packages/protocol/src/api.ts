/**
 * Mission Control's HTTP API and WebSocket events, as they travel on the wire. Field names follow the original
 * Praktor's API (snake_case), so scripts written against it keep working.
 */
import { z } from 'zod';
import { ConfigChanges, ConfigStatus } from './config.js';
import { AgentStatus, Channel, MessageState, Routing, TelegramStatus } from './events.js';
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

/** `POST /api/agents/definitions/{id}/messages`: a message from the web chat. */
export const ChatRequest = z.object({
  text: z
    .string()
    .max(100_000, 'is longer than 100,000 characters')
    .refine((t) => t.trim() !== '', 'must not be empty'),
});
export type ChatRequest = z.infer<typeof ChatRequest>;

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
  /** How an inbound message found its agent (null for answers, and for messages stored before this was kept). */
  routing: Routing.nullable(),
});
export type MessageItem = z.infer<typeof MessageItem>;

/** An agent as Mission Control lists it. */
export const AgentSummary = z.object({
  id: z.string(),
  name: z.string(),
  description: z.string(),
  model: z.string(),
  workspace: z.string(),
  runtime: z.string(),
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

/** What `/api/ws` sends, one JSON object per WebSocket message. `timestamp` is ms since the epoch. */
export const WsEvent = z.discriminatedUnion('type', [
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
  /** The configuration was reloaded (`changes`), or a reload was refused (`changes` null, `config.error` says why). */
  z.object({
    type: z.literal('config_reloaded'),
    timestamp: z.number().int(),
    config: ConfigStatus,
    changes: ConfigChanges.nullable(),
  }),
]);
export type WsEvent = z.infer<typeof WsEvent>;
