/**
 * Mission Control's API on a real gateway process: every endpoint's answer, its validation, unknown ids, and the
 * password, session and Origin checks — plus the live WebSocket feed of a web chat turn.
 */

import { readFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { join } from 'node:path';
import type { WsEvent } from '@praktor/protocol';
import { type ModelRequest, reply, type Stack, startStack } from '@praktor/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';

const PASSWORD = 'correct horse battery staple';
const API_KEY = 'sk-ant-api03-never-show-this-0000';

function model(req: ModelRequest) {
  if (req.kind !== 'main') return reply.text('side call');
  return reply.text(`streamed answer to: ${req.lastUserText}`, { chunkChars: 4, chunkDelayMs: 5 });
}

function withWeb(web: Record<string, unknown>) {
  return ({ telegramApiRoot, telegramToken }: { telegramApiRoot: string; telegramToken: string }) => ({
    telegram: { token: telegramToken, api_root: telegramApiRoot, allow_from: [1001] },
    defaults: { model: 'claude-test' },
    agents: {
      general: { description: 'Generalist' },
      coder: { description: 'Coder', model: 'claude-coder' },
    },
    router: { default_agent: 'general' },
    web,
  });
}

async function call(
  base: string,
  method: string,
  path: string,
  opts: { body?: unknown; headers?: Record<string, string> } = {},
) {
  const response = await fetch(`${base}${path}`, {
    method,
    headers: { ...(opts.body !== undefined ? { 'content-type': 'application/json' } : {}), ...opts.headers },
    body: opts.body !== undefined ? JSON.stringify(opts.body) : undefined,
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, json: text ? JSON.parse(text) : null };
}

/** Opens a WebSocket and collects its events; resolves once open, rejects with the HTTP status when refused. */
function openLive(
  url: string,
  headers: Record<string, string>,
): Promise<{ socket: WebSocket; events: WsEvent[] }> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(`${url.replace('http', 'ws')}/api/ws`, { headers });
    const events: WsEvent[] = [];
    socket.on('message', (data) => events.push(JSON.parse(String(data))));
    socket.on('open', () => resolve({ socket, events }));
    socket.on('unexpected-response', (_req, res) => reject(new Error(`refused with ${res.statusCode}`)));
    socket.on('error', reject);
  });
}

async function until<T>(check: () => T | undefined, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

describe('Mission Control API with a password', () => {
  let stack: Stack;
  let base: string;
  let cookie: string;
  const basic = { authorization: `Basic ${Buffer.from(`any:${PASSWORD}`).toString('base64')}` };

  beforeAll(async () => {
    stack = await startStack({
      handler: model,
      // The tests stand in for a reverse proxy on this machine where they speak for other clients.
      config: withWeb({ auth: PASSWORD, trusted_proxies: ['127.0.0.1'] }),
      env: { ANTHROPIC_API_KEY: API_KEY },
    });
    base = stack.praktor.webUrl;
    const login = await call(base, 'POST', '/api/login', { body: { password: PASSWORD } });
    cookie = (login.headers.get('set-cookie') ?? '').split(';')[0] as string;
  });

  afterAll(async () => {
    await stack?.close();
  });

  const session = () => ({ cookie });

  describe('POST /api/login', () => {
    it('sets an HttpOnly, SameSite=Strict session cookie for the right password', async () => {
      const response = await call(base, 'POST', '/api/login', { body: { password: PASSWORD } });
      expect(response.status).toBe(200);
      expect(response.json).toEqual({ status: 'ok' });
      const setCookie = response.headers.get('set-cookie') ?? '';
      expect(setCookie).toMatch(/^praktor_session=/);
      expect(setCookie).toContain('HttpOnly');
      expect(setCookie).toContain('SameSite=Strict');
    });

    it('marks the cookie Secure behind an HTTPS proxy', async () => {
      const response = await call(base, 'POST', '/api/login', {
        body: { password: PASSWORD },
        headers: { 'x-forwarded-proto': 'https' },
      });
      expect(response.headers.get('set-cookie')).toContain('Secure');
    });

    it('refuses a wrong password', async () => {
      const response = await call(base, 'POST', '/api/login', {
        body: { password: 'wrong' },
        headers: { 'x-forwarded-for': '10.9.9.1' },
      });
      expect(response).toMatchObject({ status: 401, json: { error: 'invalid password' } });
    });

    it('names the missing field', async () => {
      const response = await call(base, 'POST', '/api/login', { body: {} });
      expect(response).toMatchObject({ status: 400, json: { error: 'password: is required' } });
    });
  });

  describe('authentication', () => {
    it('answers 401 to a request without a session', async () => {
      const response = await call(base, 'GET', '/api/status');
      expect(response).toMatchObject({ status: 401, json: { error: 'authentication required' } });
    });

    it('accepts Basic auth for API clients', async () => {
      expect((await call(base, 'GET', '/api/status', { headers: basic })).status).toBe(200);
    });

    it('refuses Basic auth with a wrong password', async () => {
      const wrong = { authorization: `Basic ${Buffer.from('any:nope').toString('base64')}` };
      expect((await call(base, 'GET', '/api/status', { headers: wrong })).status).toBe(401);
    });

    it('reports a logged-in browser on /api/auth/check and a stranger as 401', async () => {
      expect((await call(base, 'GET', '/api/auth/check', { headers: session() })).status).toBe(200);
      expect((await call(base, 'GET', '/api/auth/check')).status).toBe(401);
    });

    it('keeps a session across a gateway restart and ends it on logout', async () => {
      const login = await call(base, 'POST', '/api/login', { body: { password: PASSWORD } });
      const mine = { cookie: (login.headers.get('set-cookie') ?? '').split(';')[0] as string };
      await stack.restart();
      base = stack.praktor.webUrl;
      expect((await call(base, 'GET', '/api/status', { headers: mine })).status).toBe(200);
      expect((await call(base, 'POST', '/api/logout', { headers: mine })).status).toBe(200);
      expect((await call(base, 'GET', '/api/status', { headers: mine })).status).toBe(401);
    });

    it('throttles the sixth rapid wrong attempt', async () => {
      const from = { 'x-forwarded-for': '10.1.2.3' };
      const statuses: number[] = [];
      for (let i = 0; i < 6; i++) {
        statuses.push(
          (await call(base, 'POST', '/api/login', { body: { password: 'guess' }, headers: from })).status,
        );
      }
      expect(statuses).toEqual([401, 401, 401, 401, 401, 429]);
      const throttled = await call(base, 'POST', '/api/login', {
        body: { password: PASSWORD },
        headers: from,
      });
      expect(throttled.status).toBe(429);
      expect(Number(throttled.headers.get('retry-after'))).toBeGreaterThan(0);
    });

    it('refuses a write sent from another site', async () => {
      const response = await call(base, 'PUT', '/api/user-profile', {
        body: { content: 'x' },
        headers: { ...session(), origin: 'https://evil.example' },
      });
      expect(response.status).toBe(403);
    });
  });

  describe('agents', () => {
    it('lists the agents in configuration order with their status', async () => {
      const response = await call(base, 'GET', '/api/agents/definitions', { headers: session() });
      expect(response.status).toBe(200);
      expect(response.json.map((a: { id: string }) => a.id)).toEqual(['general', 'coder']);
      expect(response.json[1]).toMatchObject({
        model: 'claude-coder',
        default_agent: false,
        agent_status: 'stopped',
      });
    });

    it('shows one agent, and 404 for an unknown one', async () => {
      expect((await call(base, 'GET', '/api/agents/definitions/coder', { headers: session() })).json.id).toBe(
        'coder',
      );
      const missing = await call(base, 'GET', '/api/agents/definitions/nobody', { headers: session() });
      expect(missing).toMatchObject({ status: 404, json: { error: 'agent not found: nobody' } });
    });

    it('starts and stops an agent on request', async () => {
      const started = await call(base, 'POST', '/api/agents/definitions/coder/start', { headers: session() });
      expect(started.json).toEqual({ status: 'started' });
      const running = await call(base, 'GET', '/api/agents/definitions/coder', { headers: session() });
      expect(running.json.agent_status).toBe('idle');
      const stopped = await call(base, 'POST', '/api/agents/definitions/coder/stop', { headers: session() });
      expect(stopped.json).toEqual({ status: 'stopped', dropped: 0, interrupted: false });
      const after = await call(base, 'GET', '/api/agents/definitions/coder', { headers: session() });
      expect(after.json.agent_status).toBe('stopped');
    });

    it('shows what a local agent works with: no image, no nix, and its browser once it has started', async () => {
      const stopped = await call(base, 'GET', '/api/agents/definitions/coder', { headers: session() });
      expect(stopped.json).toMatchObject({ image: null, nix_enabled: false });
      await call(base, 'POST', '/api/agents/definitions/coder/start', { headers: session() });
      const started = await call(base, 'GET', '/api/agents/definitions/coder', { headers: session() });
      const { browser } = started.json.workbench;
      expect(browser === null || browser.startsWith('/')).toBe(true);
      await call(base, 'POST', '/api/agents/definitions/coder/stop', { headers: session() });
    });

    it('answers a nix command for an agent without nix with the tools’ own words, and refuses a removal of nothing', async () => {
      const listed = await call(base, 'POST', '/api/agents/definitions/coder/nix', {
        headers: session(),
        body: { action: 'list' },
      });
      expect(listed.status).toBe(200);
      expect(listed.json.ok).toBe(false);
      expect(listed.json.text).toContain('this agent does not have nix_enabled');
      const empty = await call(base, 'POST', '/api/agents/definitions/coder/nix', {
        headers: session(),
        body: { action: 'remove', packages: [] },
      });
      expect(empty.status).toBe(400);
      expect(empty.json.error).toContain('packages');
      await call(base, 'POST', '/api/agents/definitions/coder/stop', { headers: session() });
    });

    it('answers 404 to start and stop of an unknown agent', async () => {
      for (const action of ['start', 'stop']) {
        const response = await call(base, 'POST', `/api/agents/definitions/nobody/${action}`, {
          headers: session(),
        });
        expect(response.status).toBe(404);
      }
    });
  });

  describe('AGENT.md and USER.md', () => {
    it('returns the AGENT.md template before the agent has one', async () => {
      const response = await call(base, 'GET', '/api/agents/definitions/coder/agent-md', {
        headers: session(),
      });
      expect(response.json.content).toContain('# Agent Identity');
    });

    it('saves AGENT.md and returns it', async () => {
      const put = await call(base, 'PUT', '/api/agents/definitions/coder/agent-md', {
        body: { content: '# Coder\nTerse.' },
        headers: session(),
      });
      expect(put.json).toEqual({ status: 'saved' });
      const get = await call(base, 'GET', '/api/agents/definitions/coder/agent-md', { headers: session() });
      expect(get.json.content).toBe('# Coder\nTerse.');
    });

    it('validates the AGENT.md body and the agent id', async () => {
      const bad = await call(base, 'PUT', '/api/agents/definitions/coder/agent-md', {
        body: { content: 5 },
        headers: session(),
      });
      expect(bad.status).toBe(400);
      expect(bad.json.error).toMatch(/^content: /);
      const missing = await call(base, 'PUT', '/api/agents/definitions/nobody/agent-md', {
        body: { content: 'x' },
        headers: session(),
      });
      expect(missing.status).toBe(404);
    });

    it('saves USER.md and returns it, validating the body', async () => {
      const put = await call(base, 'PUT', '/api/user-profile', {
        body: { content: '# Me\nNikos' },
        headers: session(),
      });
      expect(put.json).toEqual({ status: 'saved' });
      expect((await call(base, 'GET', '/api/user-profile', { headers: session() })).json).toEqual({
        content: '# Me\nNikos',
      });
      const bad = await call(base, 'PUT', '/api/user-profile', { body: {}, headers: session() });
      expect(bad).toMatchObject({ status: 400, json: { error: 'content: is required' } });
    });
  });

  describe('web chat and the live feed', () => {
    it('refuses a WebSocket without a session', async () => {
      await expect(openLive(base, {})).rejects.toThrow('refused with 401');
    });

    it('refuses a WebSocket from a foreign Origin, even with a session', async () => {
      await expect(openLive(base, { ...session(), origin: 'https://evil.example' })).rejects.toThrow(
        'refused with 403',
      );
    });

    it('stores a web chat message, streams the answer as deltas and delivers it, all over the WebSocket', async () => {
      const origin = base;
      const { socket, events } = await openLive(base, { ...session(), origin });
      try {
        const sent = await call(base, 'POST', '/api/agents/definitions/general/messages', {
          body: { text: 'hello from the web' },
          headers: session(),
        });
        expect(sent.status).toBe(202);
        const question = sent.json.message;
        expect(question).toMatchObject({ role: 'user', channel: 'web', text: 'hello from the web' });
        const answer = await until(() =>
          events.find(
            (e) =>
              e.type === 'message' && e.message.in_reply_to === question.id && e.message.state === 'sent',
          ),
        );
        expect(answer.type === 'message' && answer.message.text).toBe(
          'streamed answer to: hello from the web',
        );
        const states = events.flatMap((e) =>
          e.type === 'message' && e.message.in_reply_to === question.id ? [e.message.state] : [],
        );
        expect(states).toEqual(['pending', 'sent']);
        const deltas = events.filter((e) => e.type === 'delta' && e.message_id === question.id);
        expect(deltas.length).toBeGreaterThan(1);
        expect(deltas.map((d) => (d.type === 'delta' ? d.text : '')).join('')).toBe(
          'streamed answer to: hello from the web',
        );
        const history = await call(base, 'GET', '/api/agents/definitions/general/messages?limit=2', {
          headers: session(),
        });
        expect(history.json.map((m: { role: string }) => m.role)).toEqual(['user', 'assistant']);
      } finally {
        socket.close();
      }
    });

    it('continues one conversation whether the user writes from the web or from Telegram', async () => {
      await call(base, 'POST', '/api/agents/definitions/general/messages', {
        body: { text: 'the secret fruit is mango' },
        headers: session(),
      });
      await stack.anthropic.waitForRequest((r) => r.lastUserText === 'the secret fruit is mango');
      stack.telegram.sendText({ userId: 1001, text: 'which fruit did I mention on the web?' });
      const request = await stack.anthropic.waitForRequest(
        (r) => r.kind === 'main' && r.lastUserText.endsWith('which fruit did I mention on the web?'),
      );
      expect(request.transcript).toContain('the secret fruit is mango');
    });

    it('closes a WebSocket when its session logs out', async () => {
      const login = await call(base, 'POST', '/api/login', { body: { password: PASSWORD } });
      const mine = { cookie: (login.headers.get('set-cookie') ?? '').split(';')[0] as string };
      const { socket } = await openLive(base, { ...mine, origin: base });
      const closed = new Promise<number>((resolve) => socket.on('close', (code) => resolve(code)));
      await call(base, 'POST', '/api/logout', { headers: mine });
      expect(await closed).toBe(4401);
    });

    it('names an empty chat message as the problem', async () => {
      const response = await call(base, 'POST', '/api/agents/definitions/general/messages', {
        body: { text: '   ' },
        headers: session(),
      });
      expect(response).toMatchObject({ status: 400, json: { error: 'text: must not be empty' } });
    });

    it('saves a file sent from the web chat into the agent’s uploads and names it in the message', async () => {
      const bytes = Buffer.from('quarterly numbers: 1, 2, 3');
      const sent = await call(base, 'POST', '/api/agents/definitions/general/messages', {
        body: {
          text: 'see attached',
          files: [{ name: 'q3.csv', mime_type: 'text/csv', base64: bytes.toString('base64') }],
        },
        headers: session(),
      });
      expect(sent.status).toBe(202);
      expect(sent.json.message.text).toBe(
        'see attached\n\n[The user sent a file (text/csv, 26 bytes): it is saved in your workspace at uploads/q3.csv]',
      );
      const request = await stack.anthropic.waitForRequest((r) => r.lastUserText.startsWith('see attached'));
      expect(request.lastUserText).toContain('uploads/q3.csv');
      const saved = readFileSync(
        join(stack.praktor.dataDir, 'agents', 'general', 'workspace', 'uploads', 'q3.csv'),
      );
      expect(saved.equals(bytes)).toBe(true);
    });

    it('names a file that is not base64 as the problem', async () => {
      const response = await call(base, 'POST', '/api/agents/definitions/general/messages', {
        body: { files: [{ name: 'x.bin', base64: 'not base64!' }] },
        headers: session(),
      });
      expect(response).toMatchObject({ status: 400, json: { error: 'files.0.base64: must be base64' } });
    });

    it('validates the history query', async () => {
      const response = await call(base, 'GET', '/api/agents/definitions/general/messages?limit=0', {
        headers: session(),
      });
      expect(response.status).toBe(400);
      expect(response.json.error).toMatch(/^limit: /);
    });

    it('sends a Telegram message to the open page as it arrives', async () => {
      const { socket, events } = await openLive(base, { ...session(), origin: base });
      try {
        stack.telegram.sendText({ userId: 1001, text: 'from my phone' });
        const seen = await until(() =>
          events.find((e) => e.type === 'message' && e.message.text === 'from my phone'),
        );
        expect(seen.type === 'message' && seen.message.channel).toBe('telegram');
      } finally {
        socket.close();
      }
    });
  });

  describe('status and documentation', () => {
    it('reports version, agents, channels and recent messages', async () => {
      const response = await call(base, 'GET', '/api/status', { headers: session() });
      expect(response.json).toMatchObject({
        status: 'ok',
        agents_count: 2,
        telegram: { state: 'connected', bot: 'praktor_test_bot' },
      });
      expect(response.json.recent_messages.length).toBeGreaterThan(0);
    });

    it("reports the scheduler's defaults: its time zone, and Mission Control for results without main_chat_id", async () => {
      const response = await call(base, 'GET', '/api/status', { headers: session() });
      expect(response.json.scheduler).toEqual({
        timezone: expect.stringMatching(/^[A-Za-z_]+(\/[A-Za-z_+-]+)*$/),
        default_chat: { channel: 'web', chat_id: 'web' },
      });
    });

    it('serves the web app for its pages and 404 for a missing file', async () => {
      const page = await fetch(`${base}/agents/coder`);
      expect(page.status).toBe(200);
      expect(page.headers.get('content-type')).toContain('text/html');
      expect((await fetch(`${base}/assets/missing-0000.js`)).status).toBe(404);
      expect((await call(base, 'GET', '/api/nothing-here', { headers: session() })).status).toBe(404);
    });

    it('publishes an OpenAPI document generated from the route schemas', async () => {
      const response = await call(base, 'GET', '/api/openapi.json');
      expect(response.json.openapi).toBe('3.1.0');
      const put = response.json.paths['/api/agents/definitions/{id}/agent-md'].put;
      expect(put.requestBody.content['application/json'].schema.required).toEqual(['content']);
    });
  });

  it('never puts the password or the bot token in a response, an event or a log line', async () => {
    const { socket, events } = await openLive(base, { ...session(), origin: base });
    try {
      const bodies: string[] = [];
      for (const path of [
        '/api/status',
        '/api/agents/definitions',
        '/api/agents/definitions/general',
        '/api/openapi.json',
      ]) {
        bodies.push(JSON.stringify((await call(base, 'GET', path, { headers: session() })).json));
      }
      await call(base, 'POST', '/api/agents/definitions/general/messages', {
        body: { text: 'one more' },
        headers: session(),
      });
      await until(() => events.find((e) => e.type === 'message' && e.message.role === 'assistant'));
      const everything = [
        ...bodies,
        ...events.map((e) => JSON.stringify(e)),
        ...stack.praktor.process.lines,
      ].join('\n');
      expect(everything).not.toContain(PASSWORD);
      expect(everything).not.toContain(API_KEY);
      expect(everything).not.toContain(stack.telegram.token.split(':')[1]);
    } finally {
      socket.close();
    }
  });
});

describe('Mission Control without a password', () => {
  let stack: Stack;

  beforeAll(async () => {
    stack = await startStack({ handler: model, config: withWeb({}) });
  });

  afterAll(async () => {
    await stack?.close();
  });

  it('needs no login on loopback', async () => {
    expect((await call(stack.praktor.webUrl, 'GET', '/api/auth/check')).status).toBe(204);
    expect((await call(stack.praktor.webUrl, 'GET', '/api/status')).status).toBe(200);
  });

  it('refuses a request whose Host is not a loopback name (DNS rebinding)', async () => {
    // fetch() will not send a Host of our choosing; node:http does, as a rebinding browser would.
    const status = await new Promise<number | undefined>((resolve, reject) => {
      const url = `${stack.praktor.webUrl}/api/status`;
      const request = httpRequest(url, { headers: { host: 'attacker.example' } }, (res) => {
        res.resume();
        resolve(res.statusCode);
      });
      request.on('error', reject);
      request.end();
    });
    expect(status).toBe(403);
  });

  it('still refuses a WebSocket from a foreign Origin', async () => {
    await expect(openLive(stack.praktor.webUrl, { origin: 'https://evil.example' })).rejects.toThrow(
      'refused with 403',
    );
  });
});
