import { messageId } from './ids.js';
import { toolInputJson, usageFor } from './message.js';
import type { MessageReply, ModelRequest, ReplyBlock } from './types.js';

/** One server-sent event of a Messages API stream. */
export interface StreamEvent {
  type: string;
  /** The event's JSON payload; its own `type` field repeats the event name, as the API does. */
  data: Record<string, unknown>;
}

/** Encodes one event in SSE wire format. */
export function encodeEvent(event: StreamEvent): string {
  return `event: ${event.type}\ndata: ${JSON.stringify(event.data)}\n\n`;
}

function event(type: string, fields: Record<string, unknown> = {}): StreamEvent {
  return { type, data: { type, ...fields } };
}

/** Splits by code points so a chunk never ends in half a surrogate pair. */
function chunk(text: string, size: number | undefined): string[] {
  if (text === '') return [];
  if (size === undefined || size <= 0) return [text];
  const chars = Array.from(text);
  const pieces: string[] = [];
  for (let i = 0; i < chars.length; i += size) pieces.push(chars.slice(i, i + size).join(''));
  return pieces;
}

function blockEvents(block: ReplyBlock, index: number, chunkChars: number | undefined): StreamEvent[] {
  if (block.type === 'text') {
    return [
      event('content_block_start', { index, content_block: { type: 'text', text: '' } }),
      ...chunk(block.text, chunkChars).map((text) =>
        event('content_block_delta', { index, delta: { type: 'text_delta', text } }),
      ),
      event('content_block_stop', { index }),
    ];
  }
  return [
    event('content_block_start', {
      index,
      content_block: { type: 'tool_use', id: block.id, name: block.name, input: {} },
    }),
    ...chunk(toolInputJson(block), chunkChars).map((partial_json) =>
      event('content_block_delta', { index, delta: { type: 'input_json_delta', partial_json } }),
    ),
    event('content_block_stop', { index }),
  ];
}

/** The full event sequence the API would stream for this reply. */
export function streamEvents(req: ModelRequest, reply: MessageReply): StreamEvent[] {
  const usage = usageFor(req, reply);
  const chunkChars = reply.timing?.chunkChars;
  return [
    event('message_start', {
      message: {
        id: messageId(),
        type: 'message',
        role: 'assistant',
        model: req.model,
        content: [],
        stop_reason: null,
        stop_sequence: null,
        // The API reports output so far in message_start and the final count in message_delta.
        usage: { ...usage, output_tokens: 1, service_tier: 'standard' },
      },
    }),
    event('ping'),
    ...reply.content.flatMap((block, index) => blockEvents(block, index, chunkChars)),
    event('message_delta', { delta: { stop_reason: reply.stopReason, stop_sequence: null }, usage }),
    event('message_stop'),
  ];
}
