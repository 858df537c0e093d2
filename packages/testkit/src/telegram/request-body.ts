import type { IncomingMessage } from 'node:http';
import { messageOf } from '@praktor/protocol';
import { ApiError, badRequest } from './api-error.js';
import { MultipartError, type MultipartPart, multipartBoundary, parseMultipart } from './multipart.js';
import type { UploadedFile } from './types.js';

/** Telegram's upload ceiling for bots on the cloud Bot API is 50 MB; allow a little envelope. */
const MAX_BODY_BYTES = 52 * 1024 * 1024;

/** What a Bot API request carried, however it was encoded. */
export interface RequestInput {
  /** Media type of the body without parameters; undefined when the request had none. */
  contentType: string | undefined;
  params: Record<string, unknown>;
  files: UploadedFile[];
}

/** Reads the whole body, refusing more than Telegram would accept. */
export async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buffer = chunk as Buffer;
    size += buffer.length;
    if (size > MAX_BODY_BYTES) throw new ApiError(413, 'Request Entity Too Large');
    chunks.push(buffer);
  }
  return Buffer.concat(chunks);
}

/**
 * Decodes the parameters the way the Bot API does: query string first, then a JSON,
 * urlencoded or multipart body on top.
 */
export function decodeRequest(
  body: Buffer,
  contentTypeHeader: string | undefined,
  query: URLSearchParams,
): RequestInput {
  const params: Record<string, unknown> = Object.fromEntries(query);
  const contentType = contentTypeHeader?.split(';')[0]?.trim().toLowerCase() || undefined;
  const files: UploadedFile[] = [];

  if (body.length === 0 || contentType === undefined) return { contentType, params, files };
  if (contentType === 'application/json') {
    Object.assign(params, decodeJson(body));
  } else if (contentType === 'application/x-www-form-urlencoded') {
    Object.assign(params, Object.fromEntries(new URLSearchParams(body.toString('utf8'))));
  } else if (contentType === 'multipart/form-data') {
    for (const part of decodeMultipart(body, contentTypeHeader ?? '')) {
      if (part.fileName === undefined) {
        params[part.name] = part.data.toString('utf8');
      } else {
        files.push({
          field: part.name,
          fileName: part.fileName,
          mimeType: part.contentType ?? 'application/octet-stream',
          size: part.data.length,
          bytes: Buffer.from(part.data),
        });
      }
    }
  }
  return { contentType, params, files };
}

function decodeJson(body: Buffer): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(body.toString('utf8'));
  } catch (error) {
    throw badRequest(`can't parse JSON request body: ${messageOf(error)}`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw badRequest('JSON request body must be an object');
  }
  return value as Record<string, unknown>;
}

function decodeMultipart(body: Buffer, contentTypeHeader: string): MultipartPart[] {
  try {
    return parseMultipart(body, multipartBoundary(contentTypeHeader));
  } catch (error) {
    if (error instanceof MultipartError) {
      throw badRequest(`can't parse multipart/form-data: ${error.message}`);
    }
    throw error;
  }
}
