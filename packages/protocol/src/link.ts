/**
 * The link: what the gateway and a runner say to each other over the sandbox's stdio, one JSON object per line.
 *
 * The gateway opens with `init`; the runner answers `ready` (or `fatal` and exits). After that the gateway sends
 * one `turn` at a time and the runner streams `delta`s and ends each turn with exactly one `result`. Beside the
 * conversation, the gateway may send `task`s (scheduled runs), each in a fresh session of its own, in parallel; they
 * end with a `result` too. While working, the runner may `call` the gateway for the agent's built-in tools and gets
 * exactly one `reply` per call, and reports what the agent is doing (`activity`: tool calls, retried API errors).
 *
 * The link also carries byte streams: the runner opens one (`stream_open`) for each connection Claude Code makes to
 * the model API, and both sides send its bytes (`stream_data`) until each says it is done (`stream_end`). The
 * gateway adds the credentials on the way out, so they never enter the sandbox. Where the sandbox has no network of
 * its own, its connections to the internet travel the same way, to the gateway's internet proxy. A file the agent
 * sends with `file_send` travels as a stream too (service `file`), which the tool call then names.
 */
import { z } from 'zod';
import { ActivityMessage } from './activity.js';
import { ApprovalDecisionMessage, ApprovalRequestMessage } from './approvals.js';
import { ModelSpend } from './costs.js';
import { ExtensionStatusMessage, StartExtensions } from './extensions.js';
import { MemoryChangedMessage, MemoryRequestMessage, MemoryResponseMessage } from './memory.js';
import { NixRequestMessage, NixResponseMessage } from './nix.js';
import { TurnImage } from './turn-images.js';

/** Bumped whenever a message below changes incompatibly; both sides refuse a peer that speaks another version. */
export const LINK_PROTOCOL_VERSION = 9;

/** First line from the gateway: who the runner is and how to start its session. */
export const InitMessage = z.object({
  type: z.literal('init'),
  protocol: z.number().int(),
  agentId: z.string().min(1),
  model: z.string().min(1),
  /** Claude session to continue; null starts a new conversation. */
  resumeSessionId: z.string().min(1).nullable(),
  /** Restricts the tools the model may use; null leaves Claude Code's full tool set. */
  tools: z.array(z.string()).nullable(),
  /**
   * Environment for Claude Code and the agent's tools: model API credentials and the agent's own variables, secrets
   * included. It travels over the link rather than being set on the sandbox, so that no container configuration
   * (`docker inspect`) holds a secret.
   */
  env: z.record(z.string(), z.string()),
  /** The embedding model the agent's memory asks the gateway's `embeddings` service for; null: none of that. */
  embeddingModel: z.string().min(1).nullable().default(null),
  /**
   * A transformers.js model folder, as the sandbox sees it, that the agent's memory computes vectors with itself;
   * null: none. At most one of it and `embeddingModel` is set; neither: full-text search alone.
   */
  embeddingModelDir: z.string().min(1).nullable().default(null),
  /** Tool-call patterns in Claude Code's permission-rule style (`Bash(rm:*)`) that wait for a person's yes. */
  approvals: z.array(z.string().min(1)),
  /** Whether the agent has nix (`nix_enabled`): its nix tools work, and the prompt teaches them. */
  nixEnabled: z.boolean().default(false),
  /**
   * Why an agent with `nix_enabled` has no nix where it runs, with how to enable it (the local runtime on a machine
   * without usable nix): what its nix tools answer. Absent: the runner's own "not enabled" answer.
   */
  nixUnavailable: z.string().min(1).optional(),
  /** The agent's MCP servers, marketplaces, plugins and skills, secrets resolved; applied before `ready`. */
  extensions: StartExtensions.default({ errors: [] }),
  /**
   * The sandbox starts ahead of any message (a warm agent, or a start asked for): the runner has Claude Code build
   * its first prompt before saying it is ready, work the first message would otherwise wait for. A start for a
   * waiting message skips it, since that message would wait for it either way.
   */
  startedAhead: z.boolean().default(false),
});
export type InitMessage = z.infer<typeof InitMessage>;

/** One user message for the agent to answer. */
export const TurnMessage = z.object({
  type: z.literal('turn'),
  turnId: z.string().min(1),
  text: z.string().min(1),
  /** Images the user sent with the message, for the model to see. */
  images: z.array(TurnImage).default([]),
});
export type TurnMessage = z.infer<typeof TurnMessage>;

/**
 * A scheduled task's prompt: answered in a new Claude session of its own, in parallel with the conversation, which
 * it neither sees nor changes. Its `result` carries `turnId`.
 */
export const TaskMessage = z.object({
  type: z.literal('task'),
  turnId: z.string().min(1),
  text: z.string().min(1),
});
export type TaskMessage = z.infer<typeof TaskMessage>;

/** What the agent asks of the gateway through its built-in tools: its tasks, files to send, the user's profile, its history. */
export const ToolRequest = z.discriminatedUnion('tool', [
  z.object({
    tool: z.literal('scheduled_task_create'),
    name: z.string(),
    schedule: z.string(),
    prompt: z.string(),
  }),
  z.object({ tool: z.literal('scheduled_task_list') }),
  z.object({
    tool: z.literal('scheduled_task_update'),
    id: z.string(),
    name: z.string().optional(),
    schedule: z.string().optional(),
    prompt: z.string().optional(),
  }),
  z.object({ tool: z.literal('scheduled_task_delete'), id: z.string() }),
  z.object({
    tool: z.literal('file_send'),
    /** The file's own name, without folders. */
    name: z.string().min(1),
    mime_type: z.string(),
    /** The `file` stream the runner opened just before this call: the bytes, at most {@link MAX_SENT_FILE_BYTES}. */
    stream: z.string().min(1),
    caption: z.string().optional(),
  }),
  z.object({ tool: z.literal('user_profile_read') }),
  z.object({ tool: z.literal('user_profile_update'), content: z.string() }),
  z.object({ tool: z.literal('history_search'), query: z.string(), limit: z.number().int().optional() }),
  /** A swarm member posts to its collaborative group. */
  z.object({ tool: z.literal('swarm_chat_send'), content: z.string() }),
  /** A swarm member reads what the others of its group posted since it last read, waiting up to `wait_seconds`. */
  z.object({ tool: z.literal('swarm_chat_read'), wait_seconds: z.number().optional() }),
]);

/** The largest file an agent sends with `file_send`: what Telegram's Bot API accepts as an upload. */
export const MAX_SENT_FILE_BYTES = 50 * 1024 * 1024;
export type ToolRequest = z.infer<typeof ToolRequest>;

/** The gateway's answer to a `call`: the text the model reads as the tool's result. */
export const ReplyMessage = z.object({
  type: z.literal('reply'),
  callId: z.string(),
  /** False when the request was refused or failed; `text` then says why. */
  ok: z.boolean(),
  text: z.string(),
});
export type ReplyMessage = z.infer<typeof ReplyMessage>;

/** Stop the turn in progress; the runner answers with a `result` whose status is `aborted`. */
export const AbortMessage = z.object({ type: z.literal('abort') });
/** Forget the conversation: the next turn starts a new Claude session. */
export const ResetMessage = z.object({ type: z.literal('reset') });
/** Finish and exit; the runner closes the Claude Code process before it goes. */
export const ShutdownMessage = z.object({ type: z.literal('shutdown') });

/**
 * Services the runner reaches through the link's streams: the model API, the internet through the gateway's proxy,
 * the embeddings endpoint the agent's memory uses, and `file`: the bytes of a file for the `file_send` call that
 * follows the stream's opening.
 */
export const StreamService = z.enum(['model', 'internet', 'embeddings', 'file']);
export type StreamService = z.infer<typeof StreamService>;

/** The runner opens a stream to a service; the gateway connects it, or ends it with an error. */
export const StreamOpenMessage = z.object({
  type: z.literal('stream_open'),
  streamId: z.string().min(1),
  service: StreamService,
});
export type StreamOpenMessage = z.infer<typeof StreamOpenMessage>;

/** Bytes of a stream, base64, in either direction. */
export const StreamDataMessage = z.object({
  type: z.literal('stream_data'),
  streamId: z.string().min(1),
  data: z.string(),
});
export type StreamDataMessage = z.infer<typeof StreamDataMessage>;

/**
 * The receiver has handed `bytes` more of a stream's data to its reader: the sender may have that many more in
 * flight. Without it a fast sender would pile a slow reader's bytes up in memory.
 */
export const StreamAckMessage = z.object({
  type: z.literal('stream_ack'),
  streamId: z.string().min(1),
  bytes: z.number().int().positive(),
});
export type StreamAckMessage = z.infer<typeof StreamAckMessage>;

/**
 * The sender has let go of a stream and reads nothing more from it: the other end stops writing to it (what it
 * wrote so far is dropped) and lets it go once it has read what the sender wrote before.
 */
export const StreamDropMessage = z.object({
  type: z.literal('stream_drop'),
  streamId: z.string().min(1),
});
export type StreamDropMessage = z.infer<typeof StreamDropMessage>;

/** The sender has nothing more to send on this stream (and, with `error`, why it ended early). */
export const StreamEndMessage = z.object({
  type: z.literal('stream_end'),
  streamId: z.string().min(1),
  error: z.string().nullable(),
});
export type StreamEndMessage = z.infer<typeof StreamEndMessage>;

/** Everything the gateway may send to a runner. */
export const GatewayToRunner = z.discriminatedUnion('type', [
  InitMessage,
  TurnMessage,
  TaskMessage,
  ReplyMessage,
  AbortMessage,
  ResetMessage,
  ShutdownMessage,
  StreamDataMessage,
  StreamAckMessage,
  StreamDropMessage,
  StreamEndMessage,
  MemoryRequestMessage,
  ApprovalDecisionMessage,
  NixRequestMessage,
]);
export type GatewayToRunner = z.infer<typeof GatewayToRunner>;

/** The runner is set up and accepts turns. */
export const ReadyMessage = z.object({
  type: z.literal('ready'),
  protocol: z.number().int(),
  runnerVersion: z.string(),
  /** The Chromium the agent's browser tools drive; null: the sandbox has none. */
  browser: z.string().nullable().default(null),
});

/** The Claude session id in use, sent as soon as it is known so the gateway can resume it after any restart. */
export const SessionMessage = z.object({ type: z.literal('session'), sessionId: z.string().min(1) });

/** A piece of the answer as the model writes it. */
export const DeltaMessage = z.object({ type: z.literal('delta'), turnId: z.string(), text: z.string() });

/** Tokens the turn used, as the SDK reports them for the main loop. */
export const TurnUsage = z.object({
  inputTokens: z.number().int().nonnegative(),
  outputTokens: z.number().int().nonnegative(),
  cacheReadTokens: z.number().int().nonnegative(),
  cacheWriteTokens: z.number().int().nonnegative(),
});
export type TurnUsage = z.infer<typeof TurnUsage>;

/** How a turn ended: answered, failed (text holds the reason for the user) or aborted on request. */
export const TurnStatus = z.enum(['ok', 'error', 'aborted']);
export type TurnStatus = z.infer<typeof TurnStatus>;

/**
 * The agent used one of its built-in tools that the gateway carries out. `turnId` is the turn or task it was working
 * on, so the gateway knows which chat the request came from.
 */
export const CallMessage = z.object({
  type: z.literal('call'),
  callId: z.string().min(1),
  turnId: z.string().nullable(),
  request: ToolRequest,
});
export type CallMessage = z.infer<typeof CallMessage>;

/** The end of one turn or task: exactly one per `turn` and per `task`. */
export const ResultMessage = z.object({
  type: z.literal('result'),
  turnId: z.string(),
  status: TurnStatus,
  /** The answer (status ok), or a one-line explanation of what went wrong. */
  text: z.string(),
  sessionId: z.string().nullable(),
  /** Why the SDK stopped when it was not a normal end (for example `max_turns`). */
  terminalReason: z.string().nullable(),
  durationMs: z.number().nonnegative(),
  /** Estimated cost of this turn in USD, null when the SDK's running total gives no baseline. */
  costUsd: z.number().nonnegative().nullable(),
  usage: TurnUsage.nullable(),
  /**
   * What the Claude Code process has spent so far, per model: the SDK's running totals (for a resumed session they
   * may include earlier processes' spend). The gateway turns them into what this turn spent.
   */
  processSpend: z.array(ModelSpend),
});
export type ResultMessage = z.infer<typeof ResultMessage>;

/** The runner cannot go on (bad init, wrong protocol, setup failure); it exits after sending this. */
export const FatalMessage = z.object({ type: z.literal('fatal'), message: z.string() });

/** Everything a runner may send to the gateway. */
export const RunnerToGateway = z.discriminatedUnion('type', [
  ReadyMessage,
  SessionMessage,
  DeltaMessage,
  ActivityMessage,
  ResultMessage,
  CallMessage,
  FatalMessage,
  StreamOpenMessage,
  StreamDataMessage,
  StreamAckMessage,
  StreamDropMessage,
  StreamEndMessage,
  MemoryChangedMessage,
  MemoryResponseMessage,
  ApprovalRequestMessage,
  NixResponseMessage,
  ExtensionStatusMessage,
]);
export type RunnerToGateway = z.infer<typeof RunnerToGateway>;
