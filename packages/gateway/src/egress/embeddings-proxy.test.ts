import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { type EmbeddingsEndpoint, embeddingsProxy } from './embeddings-proxy.js';

const log = pino({ level: 'silent' });
const servers: Server[] = [];

afterEach(async () => {
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});

async function listen(server: Server): Promise<string> {
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** An embeddings endpoint that records what reached it and answers with one fixed vector. */
async function upstream() {
  const seen: { url: string; headers: IncomingHttpHeaders; body: string }[] = [];
  const url = await listen(
    createServer((req, res) => {
      let body = '';
      req.on('data', (chunk) => (body += chunk));
      req.on('end', () => {
        seen.push({ url: req.url ?? '', headers: req.headers, body });
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ data: [{ index: 0, embedding: [1, 0] }] }));
      });
    }),
  );
  return { url, seen };
}

async function proxyTo(endpoint: EmbeddingsEndpoint | null): Promise<string> {
  return listen(createServer(embeddingsProxy(() => endpoint, log)));
}

const request = JSON.stringify({ model: 'nomic-embed-text', input: ['my bike is red'] });

describe('the embeddings proxy', () => {
  it('adds the configured key as a bearer token and forwards the body unchanged', async () => {
    const target = await upstream();
    const proxy = await proxyTo({ url: target.url, apiKey: 'sk-embeddings-key' });
    const res = await fetch(`${proxy}/v1/embeddings`, { method: 'POST', body: request });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ data: [{ index: 0, embedding: [1, 0] }] });
    expect(target.seen).toHaveLength(1);
    expect(target.seen[0]?.headers.authorization).toBe('Bearer sk-embeddings-key');
    expect(target.seen[0]?.body).toBe(request);
  });

  it('sends no authorization when no key is configured', async () => {
    const target = await upstream();
    const proxy = await proxyTo({ url: target.url, apiKey: null });
    await fetch(`${proxy}/v1/embeddings`, { method: 'POST', body: request });
    expect(target.seen[0]?.headers.authorization).toBeUndefined();
  });

  it('keeps the path of an endpoint that lives under a prefix', async () => {
    const target = await upstream();
    const proxy = await proxyTo({ url: `${target.url}/ollama`, apiKey: null });
    await fetch(`${proxy}/v1/embeddings`, { method: 'POST', body: request });
    expect(target.seen[0]?.url).toBe('/ollama/v1/embeddings');
  });

  it('forwards no other route, so a sandbox cannot reach anything else on that host', async () => {
    const target = await upstream();
    const proxy = await proxyTo({ url: target.url, apiKey: 'sk-embeddings-key' });
    const res = await fetch(`${proxy}/v1/chat/completions`, { method: 'POST', body: request });
    expect(res.status).toBe(404);
    expect(target.seen).toHaveLength(0);
  });

  it('refuses with a message naming the setting while no endpoint is configured', async () => {
    const proxy = await proxyTo(null);
    const res = await fetch(`${proxy}/v1/embeddings`, { method: 'POST', body: request });
    expect(res.status).toBe(503);
    expect(((await res.json()) as { error: { message: string } }).error.message).toContain(
      'memory.embeddings.url',
    );
  });

  it('answers 502 with the reason when the endpoint cannot be reached', async () => {
    const closed = await listen(createServer());
    servers.pop()?.close();
    const proxy = await proxyTo({ url: closed, apiKey: null });
    const res = await fetch(`${proxy}/v1/embeddings`, { method: 'POST', body: request });
    expect(res.status).toBe(502);
    expect(((await res.json()) as { error: { message: string } }).error.message).toContain(
      'could not be reached',
    );
  });
});
