import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { modelProxy } from './model-proxy.js';

const log = pino({ level: 'silent' });

function listen(server: Server): Promise<number> {
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)),
  );
}

function post(
  port: number,
  path: string,
  body: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; headers: Record<string, unknown>; chunks: string[] }> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        path,
        method: 'POST',
        headers: { 'x-api-key': 'placeholder', 'content-type': 'application/json', ...headers },
      },
      (res) => {
        const chunks: string[] = [];
        res.on('data', (chunk) => chunks.push(chunk.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, chunks }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

describe('the model proxy', () => {
  let upstream: Server;
  let proxy: Server;
  let upstreamPort = 0;
  let proxyPort = 0;
  const seen: { url: string; host: string; key: string; authorization: string; body: string }[] = [];

  beforeAll(async () => {
    upstream = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk) => {
        body += chunk;
      });
      req.on('end', () => {
        seen.push({
          url: req.url ?? '',
          host: req.headers.host ?? '',
          key: String(req.headers['x-api-key']),
          authorization: String(req.headers.authorization),
          body,
        });
        // A stream in two pieces, the second only after a pause, as the model API streams.
        res.writeHead(200, { 'content-type': 'text/event-stream', 'request-id': 'req_1' });
        res.write('event: one\n\n');
        setTimeout(() => res.end('event: two\n\n'), 50);
      });
    });
    upstreamPort = await listen(upstream);
    proxy = createServer(
      modelProxy(
        new URL(`http://127.0.0.1:${upstreamPort}/prefix/`),
        { apiKey: 'real-key', bearer: null },
        log,
      ),
    );
    proxyPort = await listen(proxy);
  });

  afterAll(() => {
    upstream.close();
    proxy.close();
  });

  it('forwards the request under the base URL’s path, with its body, its headers and the upstream’s Host', async () => {
    const answer = await post(proxyPort, '/v1/messages?beta=true', '{"model":"m"}');
    expect(seen.at(-1)).toMatchObject({
      url: '/prefix/v1/messages?beta=true',
      host: `127.0.0.1:${upstreamPort}`,
      body: '{"model":"m"}',
    });
    expect(answer.status).toBe(200);
    expect(answer.headers['request-id']).toBe('req_1');
  });

  it('puts the gateway’s credentials in place of whatever the sandbox sent', async () => {
    await post(proxyPort, '/v1/messages', '{}', { authorization: 'Bearer stolen-or-fake' });
    expect(seen.at(-1)).toMatchObject({ key: 'real-key', authorization: 'undefined' });
  });

  it('sends a bearer token as Authorization, for OAuth tokens', async () => {
    const bearerProxy = createServer(
      modelProxy(new URL(`http://127.0.0.1:${upstreamPort}`), { apiKey: null, bearer: 'oauth-token' }, log),
    );
    const port = await listen(bearerProxy);
    await post(port, '/v1/messages', '{}');
    bearerProxy.close();
    expect(seen.at(-1)).toMatchObject({ key: 'undefined', authorization: 'Bearer oauth-token' });
  });

  it('streams the answer piece by piece rather than all at the end', async () => {
    const answer = await post(proxyPort, '/v1/messages', '{}');
    expect(answer.chunks.join('')).toBe('event: one\n\nevent: two\n\n');
    expect(answer.chunks.length).toBeGreaterThanOrEqual(2);
  });

  it('answers in the model API’s own error shape when the model API cannot be reached', async () => {
    const closed = createServer();
    const port = await listen(closed);
    closed.close();
    const dead = createServer(
      modelProxy(new URL(`http://127.0.0.1:${port}`), { apiKey: null, bearer: null }, log),
    );
    const deadPort = await listen(dead);
    const answer = await post(deadPort, '/v1/messages', '{}');
    dead.close();
    expect(answer.status).toBe(502);
    const body = JSON.parse(answer.chunks.join(''));
    expect(body.type).toBe('error');
    expect(body.error.message).toMatch(/^Praktor could not reach the model API: .*ECONNREFUSED/);
  });
});
