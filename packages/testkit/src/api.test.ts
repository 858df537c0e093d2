import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callApi } from './api.js';

let server: Server;
let base: string;
const seen: { method?: string; url?: string; type?: string; auth?: string; body: string }[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => {
      body += chunk;
    });
    req.on('end', () => {
      seen.push({
        method: req.method,
        url: req.url,
        type: req.headers['content-type'],
        auth: req.headers.authorization,
        body,
      });
      if (req.url === '/empty') res.writeHead(204).end();
      else res.writeHead(201, { 'x-kind': 'test' }).end(JSON.stringify({ got: body }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(() => server.close());

describe('callApi', () => {
  it('sends a body as JSON with its headers, and gives back the status, headers, text and parsed body', async () => {
    const answer = await callApi(base, 'POST', '/things', {
      body: { a: 1 },
      headers: { authorization: 'Basic x' },
    });
    expect(seen.at(-1)).toEqual({
      method: 'POST',
      url: '/things',
      type: 'application/json',
      auth: 'Basic x',
      body: '{"a":1}',
    });
    expect(answer.status).toBe(201);
    expect(answer.headers.get('x-kind')).toBe('test');
    expect(answer.json).toEqual({ got: '{"a":1}' });
    expect(answer.text).toBe('{"got":"{\\"a\\":1}"}');
  });

  it('sends no content type without a body, and gives null for an empty answer', async () => {
    const answer = await callApi(base, 'DELETE', '/empty');
    expect(seen.at(-1)?.type).toBeUndefined();
    expect(answer).toMatchObject({ status: 204, text: '', json: null });
  });
});
