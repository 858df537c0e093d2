/**
 * The embeddings endpoint as agents' memories reach it: the runner sends `POST /v1/embeddings` over its link, and
 * the gateway forwards it to the OpenAI-compatible endpoint named in `memory.embeddings` (Ollama, OpenAI, a proxy),
 * with the key put in on the way. The endpoint may be on this machine (Ollama usually is), which a sandbox could
 * not reach itself; nothing but that one route is forwarded.
 */
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import { messageOf } from '@praktor/protocol';
import type { Logger } from '../log.js';

/** Where embeddings come from, as configured. */
export interface EmbeddingsEndpoint {
  /** Base URL; `/v1/embeddings` is appended. */
  url: string;
  /** Sent as `Authorization: Bearer …` when set. */
  apiKey: string | null;
}

/** The largest request body forwarded: a batch of memories, never a file. */
const MAX_BODY_BYTES = 4 * 1024 * 1024;

function readBody(req: IncomingMessage): Promise<Buffer | null> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY_BYTES) chunks.push(chunk);
    });
    req.on('end', () => resolve(size > MAX_BODY_BYTES ? null : Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function answer(res: ServerResponse, status: number, message: string): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ error: { message } }));
}

/** Serves agents' embeddings requests from `endpoint()` (null: none configured, every request refused). */
export function embeddingsProxy(endpoint: () => EmbeddingsEndpoint | null, log: Logger): RequestListener {
  return async (req, res) => {
    const target = endpoint();
    if (!target) return answer(res, 503, 'no embeddings endpoint is configured (memory.embeddings.url)');
    if (req.method !== 'POST' || req.url !== '/v1/embeddings') {
      return answer(res, 404, 'only POST /v1/embeddings is served here');
    }
    try {
      const body = await readBody(req);
      if (body === null) return answer(res, 413, `the request is larger than ${MAX_BODY_BYTES} bytes`);
      const url = new URL('v1/embeddings', target.url.endsWith('/') ? target.url : `${target.url}/`);
      const upstream = await fetch(url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          ...(target.apiKey ? { authorization: `Bearer ${target.apiKey}` } : {}),
        },
        body,
        signal: AbortSignal.timeout(30_000),
      });
      res.writeHead(upstream.status, {
        'content-type': upstream.headers.get('content-type') ?? 'application/json',
      });
      res.end(Buffer.from(await upstream.arrayBuffer()));
    } catch (err) {
      log.warn({ err: messageOf(err) }, 'the embeddings endpoint could not be reached');
      answer(res, 502, `the embeddings endpoint could not be reached: ${messageOf(err)}`);
    }
  };
}
