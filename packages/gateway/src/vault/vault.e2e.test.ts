/**
 * Secrets on a real gateway: an agent's fake model makes it read its secrets with Claude Code's real Bash tool,
 * and the test checks that the agent got them while everything that left the sandbox shows them masked.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { WsEvent } from '@praktor/protocol';
import {
  callApi,
  type ModelRequest,
  PRAKTOR_BIN,
  reply,
  requireCommand,
  type Stack,
  spawnPraktor,
  startStack,
  TEST_USER_ID,
} from '@praktor/testkit';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';

const missing = requireCommand('bwrap', 'the vault injection suite', 'apt-get install bubblewrap');

const PASS = 'vault passphrase for the e2e test';
const TOKEN = 'ghp_FAKE0token0for0tests0123456789';
const SA = '{"type":"service_account","private_key_id":"fake0key0id0abcdef"}';
const MASK = '[REDACTED]';

const call = (base: string, method: string, path: string, body?: unknown) =>
  callApi(base, method, path, { body }).then(({ status, text, json }) => ({ status, text, json }));

function openLive(base: string): Promise<{ socket: WebSocket; events: WsEvent[] }> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(`${base.replace('http', 'ws')}/api/ws`);
    const events: WsEvent[] = [];
    socket.on('message', (data) => events.push(JSON.parse(String(data))));
    socket.on('open', () => resolve({ socket, events }));
    socket.on('error', reject);
  });
}

/** The fake model: reads the secrets with Bash when asked, then repeats what Bash printed, in 3-character deltas. */
function model(req: ModelRequest) {
  if (req.kind !== 'main') return reply.text('side call');
  const result = req.toolResults[0];
  if (result) return reply.text(`Bash said: ${result.content}`, { chunkChars: 3, chunkDelayMs: 2 });
  if (req.lastUserText.endsWith('show secrets')) {
    return reply.toolUse('Bash', {
      command: 'printenv GITHUB_TOKEN; cat /etc/gcp/sa.json; echo; stat -c %a /etc/gcp/sa.json',
      description: 'read the secrets',
    });
  }
  return reply.text('hi there');
}

describe.skipIf(missing !== null)('secrets given to an agent', () => {
  let stack: Stack;
  let base: string;
  let live: { socket: WebSocket; events: WsEvent[] };
  let toolOutput = '';
  let answer = '';

  beforeAll(async () => {
    stack = await startStack({
      handler: model,
      config: ({ telegramApiRoot, telegramToken }) => ({
        telegram: { token: telegramToken, api_root: telegramApiRoot, allow_from: [TEST_USER_ID] },
        defaults: { model: 'claude-test' },
        vault: { passphrase: PASS },
        agents: {
          general: {
            env: { GITHUB_TOKEN: 'secret:github_token' },
            files: [{ secret: 'gcp_sa', target: '/etc/gcp/sa.json', mode: '0640' }],
          },
          coder: { env: { DEPLOY_KEY: 'secret:deploy_key' } },
          writer: {},
        },
        router: { default_agent: 'general' },
      }),
    });
    base = stack.praktor.webUrl;
    live = await openLive(base);
    const created = [
      await call(base, 'POST', '/api/secrets', {
        name: 'github_token',
        value: TOKEN,
        agent_ids: ['general'],
      }),
      await call(base, 'POST', '/api/secrets', { name: 'gcp_sa', value: SA, kind: 'file', global: true }),
      await call(base, 'POST', '/api/secrets', {
        name: 'deploy_key',
        value: 'deploy-key-value',
        agent_ids: ['writer'],
      }),
    ];
    expect(created.map((c) => c.status)).toEqual([201, 201, 201]);
    const [sent] = await stack.telegram.say(TEST_USER_ID, 'show secrets');
    answer = sent?.text ?? '';
    toolOutput =
      stack.anthropic.requests.find((r) => r.toolResults.length > 0)?.toolResults[0]?.content ?? '';
  });

  afterAll(async () => {
    live?.socket.close();
    await stack?.close();
  });

  it('gives the agent its secret as an environment variable and as a file with its mode', () => {
    expect(toolOutput).toContain(TOKEN);
    expect(toolOutput).toContain(SA);
    expect(toolOutput).toMatch(/^640$/m);
  });

  it('sends no secret to the model before the agent reads one with a tool', () => {
    const first = stack.anthropic.requests.find((r) => r.kind === 'main') as ModelRequest;
    const sent = JSON.stringify(first.body);
    expect(sent).not.toContain(TOKEN);
    expect(sent).not.toContain('fake0key0id0abcdef');
    for (const request of stack.anthropic.requests) expect(request.system).not.toContain(TOKEN);
  });

  it('masks the values in the answer delivered to Telegram', () => {
    expect(answer).toContain('Bash said:');
    expect(answer).toContain(MASK);
    expect(answer).not.toContain(TOKEN);
    expect(answer).not.toContain('fake0key0id0abcdef');
  });

  it('masks the values in the stored conversation', async () => {
    const messages = await call(base, 'GET', '/api/agents/definitions/general/messages');
    expect(messages.text).toContain(MASK);
    expect(messages.text).not.toContain(TOKEN);
    expect(messages.text).not.toContain('fake0key0id0abcdef');
  });

  it('masks a value streamed split across deltas in the live events', () => {
    const deltas = live.events.filter((e) => e.type === 'delta' && e.agent_id === 'general');
    expect(deltas.length).toBeGreaterThan(3);
    const streamed = deltas.map((d) => (d.type === 'delta' ? d.text : '')).join('');
    expect(streamed).toContain(`Bash said: ${MASK}`);
    expect(streamed).not.toContain(TOKEN);
    expect(streamed).not.toContain('fake0key0id0abcdef');
    expect(JSON.stringify(live.events)).not.toContain(TOKEN);
  });

  it('keeps the values out of the gateway’s log', () => {
    const log = stack.praktor.process.lines.join('\n');
    expect(log).toContain('agent started');
    expect(log).not.toContain(TOKEN);
    expect(log).not.toContain('fake0key0id0abcdef');
    expect(log).not.toContain('deploy-key-value');
  });

  it('stops an agent that refers to a secret not assigned to it, naming the secret, while others answer', async () => {
    stack.telegram.sendText({ userId: TEST_USER_ID, text: '@coder hello' });
    const refusal = await stack.telegram.waitFor(
      () => stack.telegram.messagesIn(TEST_USER_ID).find((m) => m.text.includes('could not start')),
      30_000,
    );
    expect(refusal.text).toContain('agents.coder.env.DEPLOY_KEY');
    expect(refusal.text).toContain('"deploy_key"');
    expect(refusal.text).not.toContain('deploy-key-value');
    stack.telegram.sendText({ userId: TEST_USER_ID, text: '@writer hello' });
    await stack.telegram.waitFor(
      () => stack.telegram.messagesIn(TEST_USER_ID).find((m) => m.text.includes('hi there')),
      30_000,
    );
  });

  it('removes the agent’s secret files when its sandbox stops', async () => {
    const staged = join(stack.praktor.dataDir, 'agents', 'general', 'secrets');
    expect(existsSync(staged)).toBe(true);
    expect((await call(base, 'POST', '/api/agents/definitions/general/stop')).status).toBe(200);
    const deadline = Date.now() + 10_000;
    while (existsSync(staged) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(existsSync(staged)).toBe(false);
  });
});

describe('a gateway without a vault passphrase', () => {
  let stack: Stack;

  beforeAll(async () => {
    stack = await startStack({
      handler: model,
      config: ({ telegramApiRoot, telegramToken }) => ({
        telegram: { token: telegramToken, api_root: telegramApiRoot, allow_from: [TEST_USER_ID] },
        defaults: { model: 'claude-test' },
        agents: { general: { env: { GITHUB_TOKEN: 'secret:github_token' } }, writer: {} },
        router: { default_agent: 'general' },
      }),
    });
  });

  afterAll(async () => {
    await stack?.close();
  });

  it('starts, and tells an agent that needs a secret that there is no passphrase', async () => {
    stack.telegram.sendText({ userId: TEST_USER_ID, text: 'hello' });
    const refusal = await stack.telegram.waitFor(
      () => stack.telegram.messagesIn(TEST_USER_ID).find((m) => m.text.includes('could not start')),
      30_000,
    );
    expect(refusal.text).toContain('"github_token"');
    expect(refusal.text).toContain('no passphrase is set');
  });

  it('runs agents that need no secret', async () => {
    stack.telegram.sendText({ userId: TEST_USER_ID, text: '@writer hello' });
    await stack.telegram.waitFor(
      () => stack.telegram.messagesIn(TEST_USER_ID).find((m) => m.text.includes('hi there')),
      30_000,
    );
  });

  it('answers 503 to a new secret, saying what to set', async () => {
    const response = await call(stack.praktor.webUrl, 'POST', '/api/secrets', {
      name: 'x',
      value: 'some value',
    });
    expect(response.status).toBe(503);
    expect(response.json.error).toContain('PRAKTOR_VAULT_PASSPHRASE');
  });
});

describe('a gateway whose vault holds secrets, started with a wrong passphrase', () => {
  it('refuses to start with a clear message, and writes nothing to the database', async () => {
    const home = mkdtempSync(join(tmpdir(), 'praktor-e2e-vault-'));
    const dataDir = join(home, 'data');
    const set = spawnSync(process.execPath, [PRAKTOR_BIN, 'vault', 'set', 'token', '--value', TOKEN], {
      cwd: home,
      env: { PATH: process.env.PATH, PRAKTOR_DATA_DIR: dataDir, PRAKTOR_VAULT_PASSPHRASE: PASS },
    });
    expect(set.status).toBe(0);
    const db = join(dataDir, 'praktor.db');
    const dump = () => {
      const conn = new Database(db, { readonly: true });
      try {
        return JSON.stringify([
          conn.prepare('SELECT * FROM vault_meta').all(),
          conn.prepare('SELECT * FROM secrets').all(),
          conn.prepare('SELECT count(*) FROM messages').get(),
        ]);
      } finally {
        conn.close();
      }
    };
    const before = { rows: dump(), bytes: readFileSync(db) };
    const praktor = await spawnPraktor({ home, config: { vault: { passphrase: 'not the passphrase' } } });
    try {
      const exit = await praktor.process.exited;
      expect(exit.code).toBe(1);
      const output = praktor.process.lines.join('\n');
      expect(output).toContain('the vault passphrase is wrong');
      expect(output).not.toContain('not the passphrase');
      expect(dump()).toBe(before.rows);
      expect(readFileSync(db).equals(before.bytes)).toBe(true);
    } finally {
      praktor.cleanup();
    }
  });
});
