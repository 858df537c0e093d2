import { toolUseId } from './ids.js';
import type { DisconnectReply, ErrorReply, MessageReply, ReplyTiming, ReplyUsage } from './types.js';

/** The `error.type` the real API uses for a status, for when the test does not name one. */
function errorTypeForStatus(status: number): string {
  switch (status) {
    case 400:
      return 'invalid_request_error';
    case 401:
      return 'authentication_error';
    case 402:
      return 'billing_error';
    case 403:
      return 'permission_error';
    case 404:
      return 'not_found_error';
    case 413:
      return 'request_too_large';
    case 429:
      return 'rate_limit_error';
    case 504:
      return 'timeout_error';
    case 529:
      return 'overloaded_error';
    default:
      return status >= 500 ? 'api_error' : 'invalid_request_error';
  }
}

/** Builders for what a handler returns. */
export const reply = {
  /** The model answers with text and ends its turn. */
  text(text: string, opts: ReplyTiming & { usage?: ReplyUsage } = {}): MessageReply {
    const { usage, ...timing } = opts;
    return { type: 'message', content: [{ type: 'text', text }], stopReason: 'end_turn', usage, timing };
  },

  /** The model calls a tool (with a fresh `toolu_…` id), optionally after some text. */
  toolUse(name: string, input: unknown, opts: ReplyTiming & { text?: string } = {}): MessageReply {
    const { text, ...timing } = opts;
    const toolBlock = { type: 'tool_use' as const, id: toolUseId(), name, input };
    const content = text === undefined ? [toolBlock] : [{ type: 'text' as const, text }, toolBlock];
    return { type: 'message', content, stopReason: 'tool_use', timing };
  },

  /** The API fails with `status` and an Anthropic error body. */
  error(
    status: number,
    message: string,
    opts: { type?: string; retryAfterSeconds?: number } = {},
  ): ErrorReply {
    return {
      type: 'error',
      status,
      errorType: opts.type ?? errorTypeForStatus(status),
      message,
      retryAfterSeconds: opts.retryAfterSeconds,
    };
  },

  /**
   * The connection drops: a stream breaks after message_start (and `partialText`, if given); a
   * non-streaming request gets no response. The CLI answers a broken stream with one `stream: false` retry.
   */
  disconnect(opts: { partialText?: string } = {}): DisconnectReply {
    return { type: 'disconnect', partialText: opts.partialText };
  },
};
