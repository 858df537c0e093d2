/**
 * The internet proxy's mechanics against real servers on loopback. Loopback is what the real policy refuses, so
 * these tests give the proxy a policy of their own: one that allows a single test port and refuses the rest.
 */
import { createServer as createHttpServer, request, type Server } from 'node:http';
import { type AddressInfo, connect, createServer as createTcpServer } from 'node:net';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EgressPolicy } from './egress-policy.js';
import { internetProxy, type Refusal } from './internet-proxy.js';

const log = pino({ level: 'silent' });

function listen(server: Server | ReturnType<typeof createTcpServer>): Promise<number> {
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)),
  );
}

describe('the internet proxy', () => {
  let web: Server;
  let echo: ReturnType<typeof createTcpServer>;
  let proxy: Server;
  let webPort = 0;
  let echoPort = 0;
  let proxyPort = 0;
  const allowed = new Set<string>();
  const refusals: Refusal[] = [];
  const policy: EgressPolicy = {
    byName: (destination) =>
      destination.host === 'denied.invalid' ? 'is denied by name in this test' : null,
    byAddresses: (_destination, addresses) =>
      addresses.every((address) => allowed.has(address)) ? null : 'is not allowed in this test',
  };

  beforeAll(async () => {
    web = createHttpServer((req, res) =>
      res.end(`web saw ${req.method} ${req.url} host=${req.headers.host}`),
    );
    echo = createTcpServer((socket) => socket.pipe(socket));
    webPort = await listen(web);
    echoPort = await listen(echo);
    const handlers = internetProxy({
      agentId: 'tester',
      policy: () => policy,
      log,
      onRefused: (refusal) => refusals.push(refusal),
      injections: null,
    });
    proxy = createHttpServer(handlers.onRequest);
    proxy.on('connect', handlers.onConnect);
    proxyPort = await listen(proxy);
  });

  afterAll(() => {
    for (const server of [web, echo, proxy]) server.close();
  });

  function tunnel(target: string): Promise<{ status: number; socket: import('node:net').Socket }> {
    return new Promise((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port: proxyPort, method: 'CONNECT', path: target });
      req.on('connect', (res, socket) => resolve({ status: res.statusCode ?? 0, socket }));
      req.on('error', reject);
      req.end();
    });
  }

  it('tunnels CONNECT to an allowed address, bytes both ways', async () => {
    allowed.add('127.0.0.1');
    const { status, socket } = await tunnel(`127.0.0.1:${echoPort}`);
    expect(status).toBe(200);
    const back = await new Promise<string>((resolve) => {
      socket.once('data', (data) => resolve(data.toString()));
      socket.write('ping');
    });
    expect(back).toBe('ping');
    socket.destroy();
    allowed.clear();
  });

  it('refuses CONNECT to an address the policy refuses, saying why, and never connects', async () => {
    let connections = 0;
    echo.once('connection', () => connections++);
    const { status, socket } = await tunnel(`127.0.0.1:${echoPort}`);
    socket.destroy();
    expect(status).toBe(403);
    expect(connections).toBe(0);
  });

  it('reports each refusal with the agent, the target and the reason', async () => {
    refusals.length = 0;
    const { socket } = await tunnel(`127.0.0.1:${echoPort}`);
    socket.destroy();
    expect(refusals).toEqual([
      {
        agentId: 'tester',
        target: `127.0.0.1:${echoPort}`,
        reason: `127.0.0.1:${echoPort} (127.0.0.1) is not allowed in this test`,
      },
    ]);
  });

  it('refuses a name the policy denies by name before looking it up', async () => {
    refusals.length = 0;
    // `.invalid` never resolves: a lookup would fail with a DNS error, not the policy's reason.
    const { status, socket } = await tunnel('denied.invalid:443');
    socket.destroy();
    expect(status).toBe(403);
    expect(refusals.map((r) => r.reason)).toEqual(['denied.invalid:443 is denied by name in this test']);
  });

  it('refuses a host name whose addresses the policy refuses', async () => {
    const { status, socket } = await tunnel(`localhost:${echoPort}`);
    socket.destroy();
    expect(status).toBe(403);
  });

  it('forwards a plain HTTP request in absolute form, with the original Host', async () => {
    allowed.add('127.0.0.1');
    const body = await new Promise<string>((resolve, reject) => {
      const req = request(
        { host: '127.0.0.1', port: proxyPort, path: `http://127.0.0.1:${webPort}/page?q=1`, method: 'GET' },
        (res) => {
          let text = '';
          res.on('data', (chunk) => {
            text += chunk;
          });
          res.on('end', () => resolve(text));
        },
      );
      req.on('error', reject);
      req.end();
    });
    expect(body).toBe(`web saw GET /page?q=1 host=127.0.0.1:${webPort}`);
    allowed.clear();
  });

  it('answers a request that is not in absolute form with 400', async () => {
    const status = await new Promise<number>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port: proxyPort, path: '/relative' }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', reject);
      req.end();
    });
    expect(status).toBe(400);
  });

  it('answers a malformed CONNECT target with 400', async () => {
    const raw = connect(proxyPort, '127.0.0.1');
    const answer = await new Promise<string>((resolve) => {
      raw.once('data', (data) => resolve(data.toString()));
      raw.write('CONNECT nonsense HTTP/1.1\r\nHost: nonsense\r\n\r\n');
    });
    raw.destroy();
    expect(answer).toMatch(/^HTTP\/1\.1 400/);
  });
});
