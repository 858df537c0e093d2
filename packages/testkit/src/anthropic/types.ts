/**
 * What the Claude Code CLI is asking for with a request, as far as the fake can tell from its body.
 * Found by running CLI 2.1.331 against the fake (see classify.ts for the evidence):
 * - `main`: a turn of the agent loop — the reply is what the SDK yields as the assistant's answer.
 * - `title`: session-title generation (a structured-output call wanting `{"title": …}`); only made
 *   when `CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC` is unset, once per user prompt.
 * - `compact`: conversation compaction (`/compact` or auto-compact), which wants a `<summary>` reply.
 * - `auxiliary`: any other side call the CLI makes that carries none of the agent-loop markers.
 */
export type RequestKind = 'main' | 'title' | 'compact' | 'auxiliary';

/** A tool_result block from the last user turn, its content flattened to text. */
export interface ToolResult {
  toolUseId: string;
  content: string;
  isError: boolean;
}

/** One recorded `POST /v1/messages`, parsed into the parts tests assert on. */
export interface ModelRequest {
  /** 1, 2, 3 … in arrival order. */
  seq: number;
  /** `Date.now()` on arrival. */
  receivedAt: number;
  /** Which of the CLI's purposes this request serves; `main` for the conversation itself. */
  kind: RequestKind;
  model: string;
  /** The system prompt flattened to text (a string, or text blocks joined with "\n"). */
  system: string;
  /** The raw messages array as sent. */
  messages: unknown[];
  /** Names of the tools offered. */
  tools: string[];
  stream: boolean;
  /** Text the user typed in the last user turn; '' when that turn only carries tool results. */
  lastUserText: string;
  /** Every text of user and assistant messages, joined with "\n". */
  transcript: string;
  /** The tool_result blocks of the last user turn. */
  toolResults: ToolResult[];
  /** The base64 image blocks of the last user turn, in order. */
  images: RequestImage[];
  /** The full parsed body. */
  body: Record<string, unknown>;
  headers: Record<string, string | string[] | undefined>;
}

/** An image a request shows the model. */
export interface RequestImage {
  mediaType: string;
  /** The image's bytes, base64 as sent. */
  data: string;
}

/** A request the fake answered without treating it as a model turn (404s, count_tokens). */
export interface OtherRequest {
  method: string;
  /** Path including the query string, as sent. */
  url: string;
  receivedAt: number;
}

/** How a message reply is paced on the wire. */
export interface ReplyTiming {
  /** Wait before the first byte of the response. */
  delayMs?: number;
  /** Split text (and tool input JSON) into deltas of this many characters; whole in one delta if unset. */
  chunkChars?: number;
  /** Wait between deltas: a "slow stream". */
  chunkDelayMs?: number;
}

/** Token counts reported for a reply; anything left out is estimated from the request and reply sizes. */
export interface ReplyUsage {
  input_tokens?: number;
  output_tokens?: number;
  cache_creation_input_tokens?: number;
  cache_read_input_tokens?: number;
}

/** One content block of a scripted assistant message. */
export type ReplyBlock =
  | { type: 'text'; text: string }
  | { type: 'tool_use'; id: string; name: string; input: unknown };

/** Why the scripted message stops, as the API reports it. */
export type StopReason = 'end_turn' | 'tool_use' | 'max_tokens' | 'stop_sequence';

/** A scripted assistant message, served as SSE or as one Message JSON depending on `stream`. */
export interface MessageReply {
  type: 'message';
  content: ReplyBlock[];
  stopReason: StopReason;
  usage?: ReplyUsage;
  timing?: ReplyTiming;
}

/** A scripted API failure: `status` with an Anthropic error body. */
export interface ErrorReply {
  type: 'error';
  status: number;
  /** The `error.type` of the body, e.g. `invalid_request_error`, `overloaded_error`. */
  errorType: string;
  message: string;
  /** Sent as the `retry-after` header when set. */
  retryAfterSeconds?: number;
}

/** A scripted network failure: the connection drops mid-response. */
export interface DisconnectReply {
  type: 'disconnect';
  /** Text streamed before the drop; a stream then breaks inside this text block. */
  partialText?: string;
}

/** What a handler returns; build one with `reply`. */
export type ModelReply = MessageReply | ErrorReply | DisconnectReply;

/** The script of the fake model: decides the answer to each request. */
export type ModelHandler = (req: ModelRequest) => ModelReply | Promise<ModelReply>;

/** A running fake Anthropic Messages API. */
export interface FakeAnthropic {
  /** Base URL such as `http://127.0.0.1:41234`; use it as `ANTHROPIC_BASE_URL`. */
  url: string;
  /** Every model request so far, in arrival order. */
  requests: ModelRequest[];
  /** Requests that were not model turns: unknown paths, count_tokens. */
  otherRequests: OtherRequest[];
  /** Swap the script; applies to requests arriving from now on. */
  setHandler(h: ModelHandler): void;
  /**
   * Resolves with the first request, received or yet to come, that matches `pred`;
   * rejects after `timeoutMs` (default 10 s) or on close().
   */
  waitForRequest(pred: (r: ModelRequest) => boolean, timeoutMs?: number): Promise<ModelRequest>;
  /** Stops listening and ends any open streams. */
  close(): Promise<void>;
}

/** Options of `startFakeAnthropic`. */
export interface FakeAnthropicOptions {
  /** 0 (the default) picks a free port. */
  port?: number;
  /** Defaults to 127.0.0.1. */
  host?: string;
  /** Defaults to `defaultHandler`. */
  handler?: ModelHandler;
  /** How far the `Date` header of every answer is from this machine's clock (a model API whose clock differs). */
  clockOffsetMs?: number;
}
