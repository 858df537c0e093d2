import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { messageOf } from '@praktor/protocol';
import { defaultHandler } from './default-handler.js';
import { RequestRecorder } from './recorder.js';
import { reply } from './reply.js';
import { InvalidRequestError, parseJsonObject, parseModelRequest } from './request.js';
import { sendDisconnect, sendError, sendJson, sendMessage } from './respond.js';
import type {
  FakeAnthropic,
  FakeAnthropicOptions,
  ModelHandler,
  ModelReply,
  ModelRequest,
  OtherRequest,
} from './types.js';

const DEFAULT_WAIT_MS = 10_000;

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function pathOf(url: string): string {
  return url.split('?', 1)[0] ?? url;
}

function formatUrl(host: string, port: number): string {
  return `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
}

function isAbort(err: unknown): boolean {
  return err instanceof Error && err.name === 'AbortError';
}

/** Starts a fake Anthropic Messages API on a real HTTP port and resolves once it listens. */
export async function startFakeAnthropic(opts: FakeAnthropicOptions = {}): Promise<FakeAnthropic> {
  const host = opts.host ?? '127.0.0.1';
  let handler: ModelHandler = opts.handler ?? defaultHandler;
  const recorder = new RequestRecorder();
  const otherRequests: OtherRequest[] = [];
  const closing = new AbortController();
  let nextSeq = 1;

  async function runHandler(req: ModelRequest): Promise<ModelReply> {
    try {
      return await handler(req);
    } catch (err) {
      // Surfaced twice: on stderr for the test author, and to the CLI as a 500 it will report.
      console.error('fake-anthropic: handler threw', err);
      return reply.error(500, `fake-anthropic handler threw: ${messageOf(err)}`);
    }
  }

  async function handleMessages(req: IncomingMessage, res: ServerResponse, rawBody: string): Promise<void> {
    // Ends pacing when the server closes or the client hangs up (even while the handler runs).
    const gone = new AbortController();
    res.on('close', () => gone.abort());
    const arrival = { seq: nextSeq, receivedAt: Date.now(), headers: req.headers };
    const modelRequest = parseModelRequest(rawBody, arrival);
    nextSeq++;
    recorder.record(modelRequest);
    const answer = await runHandler(modelRequest);
    if (answer.type === 'error') return sendError(res, answer);
    if (answer.type === 'disconnect') return sendDisconnect(res, modelRequest, answer);
    await sendMessage(res, modelRequest, answer, AbortSignal.any([closing.signal, gone.signal]));
  }

  function handleCountTokens(res: ServerResponse, rawBody: string): void {
    const body = parseJsonObject(rawBody);
    const chars = JSON.stringify([body.system, body.messages, body.tools]).length;
    sendJson(res, { input_tokens: Math.max(1, Math.ceil(chars / 4)) });
  }

  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = req.url ?? '/';
    const rawBody = await readBody(req);
    const isPost = req.method === 'POST';
    if (isPost && pathOf(url) === '/v1/messages') return handleMessages(req, res, rawBody);
    otherRequests.push({ method: req.method ?? '', url, receivedAt: Date.now() });
    if (isPost && pathOf(url) === '/v1/messages/count_tokens') return handleCountTokens(res, rawBody);
    sendError(res, reply.error(404, `Not found: ${req.method} ${pathOf(url)}`));
  }

  const server = createServer((req, res) => {
    // Node writes the current time unless the header is set.
    if (opts.clockOffsetMs) res.setHeader('date', new Date(Date.now() + opts.clockOffsetMs).toUTCString());
    route(req, res).catch((err: unknown) => {
      if (err instanceof InvalidRequestError) return sendError(res, reply.error(400, err.message));
      // An abort means the socket is going away (close() or the client hung up): nothing to answer.
      if (isAbort(err)) return res.destroy();
      console.error('fake-anthropic: failed to answer', req.method, req.url, err);
      if (!res.headersSent) return sendError(res, reply.error(500, `fake-anthropic failed: ${String(err)}`));
      res.destroy();
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  // Shared by every close() call, so closing twice (a test, then its afterEach) is harmless.
  let closed: Promise<void> | undefined;

  return {
    url: formatUrl(host, port),
    requests: recorder.requests,
    otherRequests,
    setHandler(h) {
      handler = h;
    },
    waitForRequest(pred, timeoutMs = DEFAULT_WAIT_MS) {
      return recorder.waitFor(pred, timeoutMs);
    },
    close() {
      closed ??= new Promise<void>((resolve, reject) => {
        closing.abort();
        recorder.rejectAll('fake-anthropic closed before a matching model request arrived');
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      });
      return closed;
    },
  };
}
