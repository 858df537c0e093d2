/**
 * Mission Control attacked from another process on this machine, on a real gateway: each attack of issue 14
 * (findings 1, 2 and 6) made again and refused — an encoded path does not get past the password, a Host that
 * only looks like loopback is refused, and password guesses are throttled per real client — plus a fuzz of the
 * guard with thousands of path spellings of every API route, none of which may reach a handler.
 */
import { request as httpRequest } from 'node:http';
import { connect } from 'node:net';
import { type Stack, startStack } from '@praktor/testkit';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const PASSWORD = 'the mission control password';
const PROXY = '127.0.0.9';
const PROXY_DOMAIN = 'praktor.example.test';

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

interface Send {
  method?: string;
  headers?: Record<string, string>;
  body?: unknown;
  /** The loopback address the request comes from; each test that may trip the throttle has its own. */
  from?: string;
}

/**
 * Sends one request with the path exactly as given (node:http, unlike fetch, neither normalises the path nor
 * keeps us from choosing Host). A WebSocket upgrade that is accepted is reported as status 101.
 */
function send(base: string, path: string, opts: Send = {}): Promise<Answer> {
  const url = new URL(base);
  const body = opts.body === undefined ? undefined : JSON.stringify(opts.body);
  return new Promise((resolve, reject) => {
    const request = httpRequest(
      {
        host: url.hostname,
        port: url.port,
        method: opts.method ?? 'GET',
        path,
        headers: { ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...opts.headers },
        ...(opts.from ? { localAddress: opts.from } : {}),
        // A connection of its own: one the server closed after refusing a request is never reused by mistake.
        agent: false,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks).toString('utf8'),
          }),
        );
      },
    );
    request.on('upgrade', (res, socket) => {
      socket.destroy();
      resolve({ status: res.statusCode ?? 101, headers: res.headers, body: '' });
    });
    request.on('error', reject);
    request.end(body);
  });
}

const WS_UPGRADE = {
  connection: 'Upgrade',
  upgrade: 'websocket',
  'sec-websocket-version': '13',
  'sec-websocket-key': Buffer.from('sixteen byte key').toString('base64'),
};

const basic = (password: string) => ({
  authorization: `Basic ${Buffer.from(`script:${password}`).toString('base64')}`,
});

async function loginCookie(base: string): Promise<string> {
  const response = await send(base, '/api/login', { method: 'POST', body: { password: PASSWORD } });
  expect(response.status).toBe(200);
  return String(response.headers['set-cookie']).split(';')[0] as string;
}

describe('with a password', () => {
  let stack: Stack;
  let base: string;
  let cookie: string;
  const asUser = () => ({ cookie });

  /** Everything the API would let an attacker read or change, as the logged-in user sees it. */
  async function everything(): Promise<Record<string, unknown>> {
    const seen: Record<string, unknown> = {};
    for (const path of [
      '/api/user-profile',
      '/api/secrets',
      '/api/tasks',
      '/api/agents/definitions',
      '/api/agents/definitions/coder/agent-md',
      '/api/agents/definitions/coder/secrets',
      '/api/agents/definitions/coder/messages',
      '/api/agents/definitions/general/messages',
    ]) {
      const response = await send(base, path, { headers: asUser() });
      expect(response.status).toBe(200);
      seen[path] = JSON.parse(response.body);
    }
    return seen;
  }

  beforeAll(async () => {
    stack = await startStack({
      config: ({ telegramApiRoot, telegramToken }) => ({
        telegram: { token: telegramToken, api_root: telegramApiRoot, allow_from: [1001] },
        // Nothing starts on its own: a change an attack made would show in the snapshot.
        agents: { general: { prewarm: false }, coder: {} },
        router: { default_agent: 'general' },
        web: { auth: PASSWORD, trusted_proxies: [PROXY], allowed_hosts: [PROXY_DOMAIN] },
        vault: { passphrase: 'the vault passphrase' },
      }),
    });
    base = stack.praktor.webUrl;
    cookie = await loginCookie(base);
    const made = await send(base, '/api/secrets', {
      method: 'POST',
      headers: asUser(),
      body: { name: 'bank-token', kind: 'string', value: 'secret-value-0001', global: true },
    });
    expect(made.status).toBe(201);
    const task = await send(base, '/api/tasks', {
      method: 'POST',
      headers: asUser(),
      body: { agent_id: 'coder', name: 'nightly', schedule: 'every 2h', prompt: 'check the build' },
    });
    expect(task.status).toBe(201);
  });

  afterAll(async () => {
    await stack?.close();
  });

  describe('an encoded path does not get past the password (finding 1)', () => {
    it('refuses GET /%61pi/secrets without listing the secrets', async () => {
      const response = await send(base, '/%61pi/secrets');
      expect(response.status).toBe(400);
      expect(JSON.parse(response.body)).toEqual({
        error: 'the path is not in normal form: it percent-encodes "a", which must be written as is',
      });
      expect(response.body).not.toContain('bank-token');
    });

    it('refuses PUT /%61pi/user-profile and leaves USER.md as it was', async () => {
      const before = await send(base, '/api/user-profile', { headers: asUser() });
      const response = await send(base, '/%61pi/user-profile', {
        method: 'PUT',
        body: { content: 'written by an attacker' },
      });
      expect(response.status).toBe(400);
      expect((await send(base, '/api/user-profile', { headers: asUser() })).body).toBe(before.body);
    });

    it('refuses POST /%61pi/agents/definitions/coder/messages and runs no agent', async () => {
      const response = await send(base, '/%61pi/agents/definitions/coder/messages', {
        method: 'POST',
        body: { text: 'run this for me' },
      });
      expect(response.status).toBe(400);
      const history = await send(base, '/api/agents/definitions/coder/messages', { headers: asUser() });
      expect(JSON.parse(history.body)).toEqual([]);
      expect(stack.anthropic.requests).toHaveLength(0);
    });

    it('refuses the WebSocket at /%61pi/ws without credentials', async () => {
      const response = await send(base, '/%61pi/ws', { headers: WS_UPGRADE });
      expect(response.status).toBe(400);
    });

    it('requires a login on every API route the router resolves, however the path is spelled', async () => {
      for (const path of ['/api/secrets', '/api/secrets?x=%61', '/api/agents/definitions/co%64er']) {
        const response = await send(base, path);
        expect({ path, status: response.status }).toEqual({ path, status: path.includes('%64') ? 400 : 401 });
      }
      expect((await send(base, '/api/ws', { headers: WS_UPGRADE })).status).toBe(401);
    });
  });

  describe('the Host must name this machine exactly (finding 2)', () => {
    for (const host of ['127.attacker.example', '127.0.0.1.evil.example']) {
      it(`refuses Host: ${host}, even with the right password`, async () => {
        const response = await send(base, '/api/status', { headers: { host, ...asUser() } });
        expect(response.status).toBe(403);
        expect(JSON.parse(response.body).error).toContain('web.allowed_hosts');
      });
    }

    it('answers to a name listed in web.allowed_hosts and to any 127.0.0.0/8 address', async () => {
      for (const host of [PROXY_DOMAIN, `${PROXY_DOMAIN}:443`, '127.0.0.2:8080', 'localhost', '[::1]:80']) {
        const response = await send(base, '/api/status', { headers: { host, ...asUser() } });
        expect({ host, status: response.status }).toEqual({ host, status: 200 });
      }
    });
  });

  describe('password guesses are throttled per real client (finding 6)', () => {
    it('throttles Basic auth like logins: the sixth wrong guess, and then even the right password, get 429', async () => {
      const from = '127.0.0.2';
      const statuses: number[] = [];
      for (let i = 0; i < 6; i++) {
        statuses.push((await send(base, '/api/status', { from, headers: basic(`guess-${i}`) })).status);
      }
      expect(statuses).toEqual([401, 401, 401, 401, 401, 429]);
      const right = await send(base, '/api/status', { from, headers: basic(PASSWORD) });
      expect(right.status).toBe(429);
      expect(Number(right.headers['retry-after'])).toBeGreaterThan(0);
    });

    it('shares one budget between wrong logins and wrong Basic auth', async () => {
      const from = '127.0.0.3';
      for (let i = 0; i < 3; i++) {
        const login = await send(base, '/api/login', { from, method: 'POST', body: { password: 'no' } });
        expect(login.status).toBe(401);
      }
      const statuses: number[] = [];
      for (let i = 0; i < 3; i++) {
        statuses.push((await send(base, '/api/status', { from, headers: basic('nope') })).status);
      }
      expect(statuses).toEqual([401, 401, 429]);
    });

    it('ignores X-Forwarded-For from a loopback client that is not a trusted proxy', async () => {
      const from = '127.0.0.4';
      const statuses: number[] = [];
      for (let i = 0; i < 6; i++) {
        const claims = { 'x-forwarded-for': `10.0.0.${i + 1}` };
        statuses.push(
          (await send(base, '/api/login', { from, method: 'POST', headers: claims, body: { password: 'x' } }))
            .status,
        );
      }
      expect(statuses).toEqual([401, 401, 401, 401, 401, 429]);
    });

    it('honours X-Forwarded-For from a proxy in web.trusted_proxies: each client has its own budget', async () => {
      const guess = (client: string) =>
        send(base, '/api/login', {
          from: PROXY,
          method: 'POST',
          headers: { 'x-forwarded-for': client },
          body: { password: 'wrong' },
        });
      const statuses: number[] = [];
      for (let i = 0; i < 6; i++) statuses.push((await guess('10.7.7.7')).status);
      expect(statuses).toEqual([401, 401, 401, 401, 401, 429]);
      expect((await guess('10.8.8.8')).status).toBe(401);
    });

    it('believes X-Forwarded-Proto only from a trusted proxy', async () => {
      const login = (from: string) =>
        send(base, '/api/login', {
          from,
          method: 'POST',
          headers: { 'x-forwarded-proto': 'https', 'x-forwarded-for': '10.9.9.9' },
          body: { password: PASSWORD },
        });
      expect(String((await login('127.0.0.5')).headers['set-cookie'])).not.toContain('Secure');
      expect(String((await login(PROXY)).headers['set-cookie'])).toContain('Secure');
    });

    it('does not slow down a logged-in browser on a throttled address', async () => {
      const response = await send(base, '/api/status', { from: '127.0.0.2', headers: asUser() });
      expect(response.status).toBe(200);
    });
  });

  it('lets no spelling of any API path reach a handler without credentials (fuzz)', async () => {
    const shell = (await send(base, '/')).body;
    const before = await everything();
    const openApi = JSON.parse((await send(base, '/api/openapi.json')).body) as {
      paths: Record<string, Record<string, { security?: unknown[] }>>;
    };
    const [task] = JSON.parse((await send(base, '/api/tasks', { headers: asUser() })).body) as {
      id: string;
    }[];
    // Real ids, so that a request that reached its handler would change something that can be seen.
    const idOf = (template: string, name: string) => {
      if (name === 'secretId' || template.startsWith('/api/secrets')) return 'bank-token';
      return template.startsWith('/api/tasks') ? (task?.id ?? '') : 'coder';
    };
    const routes: { method: string; path: string }[] = [{ method: 'WS', path: '/api/ws' }];
    const publicRoutes: string[] = [];
    for (const [template, methods] of Object.entries(openApi.paths)) {
      for (const [method, operation] of Object.entries(methods)) {
        if (operation.security?.length === 0) {
          publicRoutes.push(`${method.toUpperCase()} ${template}`);
          continue;
        }
        const concrete = template.replace(/\{(\w+)\}/g, (_, name: string) => idOf(template, name));
        routes.push({ method: method.toUpperCase(), path: concrete });
      }
    }
    // The health probe is public on purpose: load balancers and compose ask it, and it holds nothing (health.e2e).
    expect(publicRoutes.sort()).toEqual(['GET /api/auth/check', 'GET /api/health', 'POST /api/login']);
    expect(routes.length).toBeGreaterThan(25);

    const hex = (char: string) => char.charCodeAt(0).toString(16).padStart(2, '0');
    const encodings = (char: string) =>
      fc.constantFrom(
        `%${hex(char).toUpperCase()}`,
        `%${hex(char).toLowerCase()}`,
        `%${hex(char)[0]?.toUpperCase()}${hex(char)[1]}`,
        `%25${hex(char).toUpperCase()}`,
      );
    const inserts = fc.constantFrom(
      '/',
      '//',
      '/./',
      '/../',
      '/.',
      '/..',
      '%2e',
      '%2E%2E/',
      '.%2e/',
      '\\',
      '%5c',
      '%5C',
      '%2f',
      '%2F',
      ';',
      ';jsessionid=1',
      '%3B',
      '%00',
      '%0a',
      '%C0%AE',
      '%c0%af',
      '%E0%80%AE',
      '%EF%BC%8F',
      '%u002e',
      '%',
      '%G1',
      '\u00e9',
      '\u00ff',
      '%C3%A9',
      '~',
      '%7E',
      'A',
    );
    // Upper case of ASCII letters only: other letters' upper case (ÿ → Ÿ) cannot be sent as a path at all.
    const upper = (char: string) => (/[a-z]/.test(char) ? char.toUpperCase() : char);
    const edit = fc.oneof(
      fc.record({ at: fc.nat(), kind: fc.constant('encode' as const), pick: fc.nat() }),
      fc.record({ at: fc.nat(), kind: fc.constant('insert' as const), text: inserts }),
      fc.record({ at: fc.nat(), kind: fc.constant('upper' as const) }),
      fc.record({
        at: fc.constant(-1),
        kind: fc.constant('insert' as const),
        text: fc.constantFrom('/', '/.', '//'),
      }),
    );
    const sample = fc
      .record({ route: fc.constantFrom(...routes), edits: fc.array(edit, { minLength: 0, maxLength: 3 }) })
      .chain(({ route, edits }) =>
        fc.tuple(
          fc.constant(route),
          fc.constant(edits),
          fc.array(
            fc.nat().chain((n) => encodings(route.path[n % route.path.length] ?? '/')),
            { minLength: 3, maxLength: 3 },
          ),
        ),
      )
      .map(([route, edits, encoded]) => {
        let path = route.path;
        edits.forEach((change, index) => {
          const at = change.at === -1 ? path.length : change.at % path.length;
          if (change.kind === 'insert') path = path.slice(0, at) + change.text + path.slice(at);
          else if (change.kind === 'upper')
            path = path.slice(0, at) + upper(path.slice(at, at + 1)) + path.slice(at + 1);
          else path = path.slice(0, at) + (encoded[index] ?? '') + path.slice(at + 1);
        });
        return { method: route.method, path };
      });

    // Sent many at a time for speed, so the samples are drawn up front; the seed reproduces a failure.
    const seed = Date.now();
    const samples = fc.sample(sample, { numRuns: 2000, seed });
    const seen = new Map<number, number>();
    const shellOrRefusal = async ({ method, path }: { method: string; path: string }) => {
      const isWs = method === 'WS';
      const response = await send(base, path, {
        method: isWs ? 'GET' : method,
        headers: isWs ? WS_UPGRADE : {},
        ...(method === 'GET' || method === 'DELETE' || isWs ? {} : { body: { content: 'x', text: 'x' } }),
      });
      seen.set(response.status, (seen.get(response.status) ?? 0) + 1);
      if (response.status === 200 && !isWs) {
        // A path that no longer names the API is a page of the web app: the app's shell, no data.
        expect({ seed, path, body: response.body }).toEqual({ seed, path, body: shell });
        return;
      }
      expect({ seed, path, status: response.status }).toEqual({
        seed,
        path,
        status: expect.toBeOneOf([400, 401, 404]),
      });
      // Every refusal comes from before the handlers: Node's HTTP parser, the guard, or the not-found answer.
      const refusals = [
        { error: 'Bad Request', message: 'Client Error', statusCode: 400 },
        { error: expect.stringMatching(/^the path is not in normal form: /) },
        { error: 'authentication required' },
        { error: expect.stringMatching(/^not found: /) },
      ];
      expect({ seed, path, body: JSON.parse(response.body) }).toEqual({
        seed,
        path,
        body: expect.toBeOneOf(refusals),
      });
    };
    for (let i = 0; i < samples.length; i += 16) {
      await Promise.all(samples.slice(i, i + 16).map(shellOrRefusal));
    }
    expect(await everything()).toEqual(before);
    expect(stack.anthropic.requests).toHaveLength(0);
    // The generator must reach all three kinds of refusal, else it is not testing the guard.
    expect([...seen.keys()]).toEqual(expect.arrayContaining([400, 401, 404]));
  }, 60_000);
});

describe('without a password', () => {
  let stack: Stack;

  beforeAll(async () => {
    stack = await startStack();
  });

  afterAll(async () => {
    await stack?.close();
  });

  for (const host of ['127.attacker.example', '127.0.0.1.evil.example', '127.0.0.1.nip.io:8080']) {
    it(`refuses Host: ${host} (DNS rebinding), naming web.allowed_hosts`, async () => {
      const response = await send(stack.praktor.webUrl, '/api/status', { headers: { host } });
      expect(response.status).toBe(403);
      expect(JSON.parse(response.body)).toEqual({
        error:
          'Mission Control does not answer to this host name; to reach it by this name, add the name to web.allowed_hosts',
      });
    });
  }

  it('refuses the WebSocket to a rebinding Host', async () => {
    const response = await send(stack.praktor.webUrl, '/api/ws', {
      headers: { ...WS_UPGRADE, host: '127.attacker.example' },
    });
    expect(response.status).toBe(403);
  });

  it('closes the connection of a refused upgrade whose path cannot be decoded', async () => {
    const url = new URL(stack.praktor.webUrl);
    const socket = connect(Number(url.port), url.hostname);
    const received: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => received.push(chunk));
    const closed = new Promise<void>((resolve) => socket.on('close', () => resolve()));
    const headers = Object.entries(WS_UPGRADE).map(([name, value]) => `${name}: ${value}\r\n`);
    socket.write(`GET /%zz/ws HTTP/1.1\r\nhost: ${url.host}\r\n${headers.join('')}\r\n`);
    const timeout = new Promise<'open'>((resolve) => setTimeout(() => resolve('open'), 3000).unref());
    expect(await Promise.race([closed.then(() => 'closed' as const), timeout])).toBe('closed');
    expect(Buffer.concat(received).toString()).toMatch(/^HTTP\/1\.1 400 /);
  });

  it('serves this machine by its loopback names', async () => {
    for (const host of ['127.0.0.1:1', 'localhost:8080', '127.1.2.3']) {
      const response = await send(stack.praktor.webUrl, '/api/status', { headers: { host } });
      expect({ host, status: response.status }).toEqual({ host, status: 200 });
    }
  });
});
