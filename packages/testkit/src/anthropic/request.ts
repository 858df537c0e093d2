import type { IncomingHttpHeaders } from 'node:http';
import { messageOf } from '@praktor/protocol';
import { classifyRequest } from './classify.js';
import { isRecord } from './guards.js';
import type { ModelRequest, RequestImage, ToolResult } from './types.js';

/** Why a body cannot be a Messages API request; answered with 400 invalid_request_error. */
export class InvalidRequestError extends Error {}

/** Where and when a request arrived; the parts of a ModelRequest that are not in its body. */
export interface Arrival {
  seq: number;
  receivedAt: number;
  headers: IncomingHttpHeaders;
}

/** Parses a raw `POST /v1/messages` body into a ModelRequest, or throws InvalidRequestError. */
export function parseModelRequest(rawBody: string, arrival: Arrival): ModelRequest {
  const body = parseJsonObject(rawBody);
  if (typeof body.model !== 'string') throw new InvalidRequestError('model: Field required');
  if (!Array.isArray(body.messages)) throw new InvalidRequestError('messages: Field required');
  const messages: unknown[] = body.messages;
  const lastUser = lastUserContent(messages);
  const lastUserText = typedText(lastUser);
  return {
    seq: arrival.seq,
    receivedAt: arrival.receivedAt,
    kind: classifyRequest(body, lastUserText),
    model: body.model,
    system: textOf(body.system),
    messages,
    tools: toolNames(body.tools),
    stream: body.stream === true,
    lastUserText,
    transcript: transcriptOf(messages),
    toolResults: toolResultsOf(lastUser),
    images: imagesOf(lastUser),
    body,
    headers: { ...arrival.headers },
  };
}

/** Parses a body that must be a JSON object, or throws InvalidRequestError. */
export function parseJsonObject(rawBody: string): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(rawBody);
  } catch (err) {
    throw new InvalidRequestError(`Request body is not valid JSON: ${messageOf(err)}`);
  }
  if (!isRecord(parsed)) throw new InvalidRequestError('Request body must be a JSON object');
  return parsed;
}

function lastUserContent(messages: unknown[]): unknown {
  const lastUser = messages.findLast((m) => isRecord(m) && m.role === 'user');
  return isRecord(lastUser) ? lastUser.content : undefined;
}

// The CLI wraps its own context (git attribution, reminders) in <system-reminder> text blocks inside
// the user turn; leaving them out keeps lastUserText to what the user typed.
function typedText(content: unknown): string {
  return textBlocks(content)
    .filter((text) => !/^\s*<system-reminder>[\s\S]*<\/system-reminder>\s*$/.test(text))
    .join('\n');
}

function transcriptOf(messages: unknown[]): string {
  return messages
    .filter((m) => isRecord(m) && (m.role === 'user' || m.role === 'assistant'))
    .flatMap((m) => textBlocks((m as Record<string, unknown>).content))
    .join('\n');
}

function imagesOf(content: unknown): RequestImage[] {
  if (!Array.isArray(content)) return [];
  return content.flatMap((block) =>
    isRecord(block) &&
    block.type === 'image' &&
    isRecord(block.source) &&
    block.source.type === 'base64' &&
    typeof block.source.data === 'string'
      ? [{ mediaType: String(block.source.media_type), data: block.source.data }]
      : [],
  );
}

function toolResultsOf(content: unknown): ToolResult[] {
  if (!Array.isArray(content)) return [];
  return content.filter(isToolResult).map((block) => ({
    toolUseId: String(block.tool_use_id),
    content: textOf(block.content),
    isError: block.is_error === true,
  }));
}

function isToolResult(block: unknown): block is Record<string, unknown> {
  return isRecord(block) && block.type === 'tool_result';
}

function toolNames(tools: unknown): string[] {
  if (!Array.isArray(tools)) return [];
  return tools.flatMap((tool) => (isRecord(tool) && typeof tool.name === 'string' ? [tool.name] : []));
}

/** A string, or the text blocks of a content array joined with "\n". */
function textOf(content: unknown): string {
  return textBlocks(content).join('\n');
}

function textBlocks(content: unknown): string[] {
  if (typeof content === 'string') return [content];
  if (!Array.isArray(content)) return [];
  return content.flatMap((block) =>
    isRecord(block) && block.type === 'text' && typeof block.text === 'string' ? [block.text] : [],
  );
}
