/**
 * The egress policy on both runtimes, end to end: the fake model makes the agent reach out through Claude Code's
 * real Bash tool, the gateway's internet proxy applies the agent's `egress` lists, and every refusal shows in the
 * log, on Mission Control's live feed and in its list of refusals. The one test server is on loopback, which the
 * agent may reach only because its allow list names that address and port exactly.
 */
import { createHash, randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { EgressRefusal, WsEvent } from '@praktor/protocol';
import {
  defaultStackConfig,
  eventually,
  type ModelRequest,
  reply,
  type Stack,
  startStack,
  TEST_IMAGE_TIMEOUT_MS,
} from '@praktor/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { describeOnEachRuntime, type WithRuntime } from './each-runtime.test-support.js';
import { probeOutput } from './probe.test-support.js';

/** Asks the proxy for each destination and prints one line per answer. Runs with the sandbox's node. */
const PROBE = `
const http = require('node:http');
const proxy = new URL(process.env.HTTP_PROXY);
const say = (line) => console.log(line);
function get(label, url) {
  return new Promise((done) => {
    const request = http.request({ host: proxy.hostname, port: proxy.port, path: url }, (response) => {
      let body = '';
      response.on('data', (chunk) => { body += chunk; });
      response.on('end', () => { say(label + '_' + response.statusCode + ' ' + body.trim()); done(); });
    });
    request.on('error', (err) => { say(label + '_ERROR ' + err.code); done(); });
    request.end();
  });
}
function download(label, url) {
  return new Promise((done) => {
    const request = http.request({ host: proxy.hostname, port: proxy.port, path: url }, (response) => {
      const hash = require('node:crypto').createHash('sha256');
      let size = 0;
      response.on('data', (chunk) => { hash.update(chunk); size += chunk.length; });
      response.on('end', () => { say(label + '_' + response.statusCode + ' ' + size + ' ' + hash.digest('hex')); done(); });
    });
    request.on('error', (err) => { say(label + '_ERROR ' + err.code); done(); });
    request.end();
  });
}
function tunnel(label, target) {
  return new Promise((done) => {
    const request = http.request({ host: proxy.hostname, port: proxy.port, method: 'CONNECT', path: target });
    request.on('connect', (response, socket) => { say(label + '_' + response.statusCode); socket.destroy(); done(); });
    request.on('error', (err) => { say(label + '_ERROR ' + err.code); done(); });
    request.end();
  });
}
(async () => {
  const port = process.env.PROBE_PORT;
  await get('ALLOWED', 'http://127.0.0.1:' + port + '/hello');
  await tunnel('DENIED', 'www.denied.invalid:443');
  await get('OTHER_ADDRESS', 'http://[::1]:' + port + '/hello');
  await get('OTHER_PORT', 'http://127.0.0.1:1/hello');
  await download('BIG', 'http://127.0.0.1:' + port + '/big');
  say('PROBE_DONE');
})();
`;

/** Many times the link's window per stream, so a download crosses it only if credit flows back. */
const BIG = randomBytes(24 * 1024 * 1024);

function describeEgress(runtime: string, withRuntime: WithRuntime) {
  describe(`the egress policy in the ${runtime} sandbox`, () => {
    let stack: Stack;
    let server: Server;
    let port = 0;
    const served: string[] = [];
    const live: WsEvent[] = [];
    let socket: WebSocket;
    let report = '';

    beforeAll(async () => {
      server = createServer((req, res) => {
        served.push(`${req.headers.host} ${req.url}`);
        res.end(req.url === '/big' ? BIG : 'hello from the test server');
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      port = (server.address() as AddressInfo).port;
      stack = await startStack({
        config: (urls) => {
          const base = defaultStackConfig(urls);
          return withRuntime({
            ...base,
            agents: {
              ...(base.agents as Record<string, unknown>),
              general: {
                description: 'General-purpose assistant',
                egress: { allow: [`127.0.0.1:${port}`], deny: ['*.denied.invalid'] },
              },
            },
          });
        },
        handler: (req: ModelRequest) => {
          if (req.kind !== 'main') return reply.text('side call');
          if (req.toolResults.length > 0) return reply.text('probe done');
          const command = `cat > /tmp/probe.cjs <<'PROBE'\n${PROBE}\nPROBE\nPROBE_PORT=${port} node /tmp/probe.cjs`;
          return reply.toolUse('Bash', { command, description: 'reach out' });
        },
      });
      socket = new WebSocket(`${stack.praktor.webUrl.replace('http', 'ws')}/api/ws`);
      socket.on('message', (data) => live.push(JSON.parse(String(data))));
      await new Promise((resolve, reject) => {
        socket.once('open', resolve);
        socket.once('error', reject);
      });
      report = await probeOutput(stack, 'reach out');
    }, TEST_IMAGE_TIMEOUT_MS);

    afterAll(async () => {
      socket?.close();
      await stack?.close();
      server?.close();
    });

    it('ran the probe to its end', () => {
      expect(report).toContain('PROBE_DONE');
    });

    it('carries a download many times the link’s window, byte for byte', () => {
      expect(report).toContain(`BIG_200 ${BIG.length} ${createHash('sha256').update(BIG).digest('hex')}`);
    });

    it('reaches a local address and port that the allow list names exactly', () => {
      expect(report).toContain('ALLOWED_200 hello from the test server');
      expect(served).toEqual([`127.0.0.1:${port} /hello`, `127.0.0.1:${port} /big`]);
    });

    it('refuses a denied host, saying which pattern denied it', () => {
      expect(report).toContain('DENIED_403');
    });

    it('refuses what the allow list does not name: another local address, another port', () => {
      expect(report).toMatch(/OTHER_ADDRESS_403 Praktor's proxy refused: .*is not in egress\.allow/);
      expect(report).toMatch(/OTHER_PORT_403 Praktor's proxy refused: .*is not in egress\.allow/);
    });

    it('logs every refusal with the agent, the target and the reason', () => {
      const refused = stack.praktor.logs().filter((line) => line.msg === 'outbound connection refused');
      expect(refused.map((line) => [line.agent, line.target])).toEqual([
        ['general', 'www.denied.invalid:443'],
        ['general', `[::1]:${port}`],
        ['general', '127.0.0.1:1'],
      ]);
      expect(refused[0]?.reason).toBe('www.denied.invalid:443 is denied by egress.deny "*.denied.invalid"');
    });

    it('announces every refusal on Mission Control’s live feed', async () => {
      const refusals = await eventually(
        'three refusals on the live feed',
        async () => live.filter((event) => event.type === 'egress_refused'),
        (found) => found.length === 3,
      );
      expect(
        refusals.map((event) => [event.agent_id, event.type === 'egress_refused' && event.refusal.target]),
      ).toEqual([
        ['general', 'www.denied.invalid:443'],
        ['general', `[::1]:${port}`],
        ['general', '127.0.0.1:1'],
      ]);
    });

    it('lists the agent’s refusals in Mission Control, newest first', async () => {
      const response = await fetch(`${stack.praktor.webUrl}/api/egress/refusals?agent_id=general`);
      expect(response.status).toBe(200);
      const refusals = (await response.json()) as EgressRefusal[];
      expect(refusals.map((r) => r.target)).toEqual([
        '127.0.0.1:1',
        `[::1]:${port}`,
        'www.denied.invalid:443',
      ]);
      expect(refusals[2]?.reason).toContain('is denied by egress.deny "*.denied.invalid"');
      const other = await fetch(`${stack.praktor.webUrl}/api/egress/refusals?agent_id=coder`);
      expect(await other.json()).toEqual([]);
    });
  });
}

describeOnEachRuntime('the egress policy suite', (runtime, withRuntime) =>
  describeEgress(runtime, withRuntime),
);
