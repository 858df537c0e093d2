import { messageId } from './ids.js';
import type { MessageReply, ModelRequest, ReplyBlock, ReplyUsage } from './types.js';

/** Usage as the API reports it, every count present. */
export interface Usage {
  input_tokens: number;
  output_tokens: number;
  cache_creation_input_tokens: number;
  cache_read_input_tokens: number;
}

/** A content block as it appears in a Message. */
export type ContentBlock =
  | { type: 'text'; text: string }
  | { type: 'tool_use'; id: string; name: string; input: unknown };

/** A complete Messages API `Message` object. */
export interface Message {
  id: string;
  type: 'message';
  role: 'assistant';
  model: string;
  content: ContentBlock[];
  stop_reason: string;
  stop_sequence: null;
  usage: Usage & { service_tier: 'standard' };
}

// Roughly four characters a token, as for English text; close enough for cost and context reporting.
function estimateTokens(chars: number): number {
  return Math.max(1, Math.ceil(chars / 4));
}

/** The JSON text the model "writes" for a tool call's input. */
export function toolInputJson(block: Extract<ReplyBlock, { type: 'tool_use' }>): string {
  return JSON.stringify(block.input ?? {});
}

/** Token counts for a reply: the scripted ones, the rest estimated from request and reply sizes. */
export function usageFor(req: ModelRequest, reply: MessageReply): Usage {
  const given: ReplyUsage = reply.usage ?? {};
  const promptChars = JSON.stringify([req.body.system, req.messages, req.body.tools]).length;
  const outputChars = reply.content.reduce(
    (sum, block) => sum + (block.type === 'text' ? block.text.length : toolInputJson(block).length),
    0,
  );
  return {
    input_tokens: given.input_tokens ?? estimateTokens(promptChars),
    output_tokens: given.output_tokens ?? estimateTokens(outputChars),
    cache_creation_input_tokens: given.cache_creation_input_tokens ?? 0,
    cache_read_input_tokens: given.cache_read_input_tokens ?? 0,
  };
}

function contentBlock(block: ReplyBlock): ContentBlock {
  return block.type === 'text'
    ? { type: 'text', text: block.text }
    : { type: 'tool_use', id: block.id, name: block.name, input: block.input ?? {} };
}

/** The reply as one complete Message, for `stream: false` requests. */
export function buildMessage(req: ModelRequest, reply: MessageReply): Message {
  return {
    id: messageId(),
    type: 'message',
    role: 'assistant',
    model: req.model,
    content: reply.content.map(contentBlock),
    stop_reason: reply.stopReason,
    stop_sequence: null,
    usage: { ...usageFor(req, reply), service_tier: 'standard' },
  };
}
