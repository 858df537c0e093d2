/**
 * Pairing end to end: a real gateway, the fake Telegram API and model API; new users write to the bot, the owner
 * approves through the API, the command line and `/pair`.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import type { PairingList } from '@praktor/protocol';
import {
  eventually,
  type ModelRequest,
  PRAKTOR_BIN,
  reply,
  type Stack,
  startStack,
  TEST_USER_ID,
} from '@praktor/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

function echoModel(req: ModelRequest) {
  return reply.text(req.kind === 'main' ? `heard: ${req.lastUserText}` : 'side call');
}

describe('pairing new Telegram users', () => {
  let stack: Stack;

  beforeAll(async () => {
    stack = await startStack({
      handler: echoModel,
      config: ({ telegramApiRoot, telegramToken }) => ({
        telegram: {
          token: telegramToken,
          api_root: telegramApiRoot,
          allow_from: [TEST_USER_ID],
          pairing: true,
        },
        agents: { general: { description: 'General-purpose assistant' } },
      }),
    });
  });

  afterAll(async () => {
    await stack?.close();
  });

  /** Sends `text` as `userId` and waits for the bot's next message in that chat. */
  async function say(userId: number, text: string): Promise<string> {
    const [answer] = await stack.telegram.say(userId, text, { timeoutMs: 30_000 });
    return answer?.text ?? '';
  }

  const api = (path: string, init?: RequestInit) => fetch(`${stack.praktor.webUrl}${path}`, init);

  async function pairingList(): Promise<PairingList> {
    return (await (await api('/api/pairing')).json()) as PairingList;
  }

  const codeIn = (text: string) => /code: ([A-Z0-9]{8})/.exec(text)?.[1] ?? '';

  /** Runs `praktor pair …` against the stack's config and data. */
  function pairCli(...args: string[]) {
    const result = spawnSync(process.execPath, [PRAKTOR_BIN, 'pair', ...args], {
      env: {
        PATH: process.env.PATH,
        PRAKTOR_CONFIG: join(stack.praktor.home, 'praktor.yaml'),
        PRAKTOR_DATA_DIR: stack.praktor.dataDir,
      },
      encoding: 'utf8',
    });
    return { code: result.status, out: result.stdout, err: result.stderr };
  }

  it('gives an unknown user a code, and neither an agent nor the conversation sees their message', async () => {
    const text = await say(3001, 'let me in please');
    const code = codeIn(text);
    expect(code).not.toBe('');
    expect((await pairingList()).pending).toEqual([
      expect.objectContaining({ code, user_id: 3001, chat_id: '3001' }),
    ]);
    expect(stack.anthropic.requests.some((r) => r.transcript.includes('let me in please'))).toBe(false);
    const stored = await (await api('/api/agents/definitions/general/messages')).json();
    expect(JSON.stringify(stored)).not.toContain('let me in please');
  });

  it('lets the user in at their next message once the code is approved through the API', async () => {
    const code = codeIn(await say(3002, 'hello?'));
    const approved = await api(`/api/pairing/${code}/approve`, { method: 'POST' });
    expect(approved.status).toBe(200);
    expect(await approved.json()).toMatchObject({ status: 'approved', user: { user_id: 3002 } });
    expect(await say(3002, 'now can you hear me?')).toBe('heard: now can you hear me?');
  });

  it('lets a user in with /pair from an allowed chat', async () => {
    const code = codeIn(await say(3003, 'knock knock'));
    expect(await say(TEST_USER_ID, `/pair ${code}`)).toContain('can talk to the agents now');
    expect(await say(3003, 'is this thing on?')).toBe('heard: is this thing on?');
  });

  it('approves, lists and revokes from the command line, taking effect in the running gateway', async () => {
    const code = codeIn(await say(3004, 'hi from the terminal crowd'));
    expect(pairCli('list').out).toContain(code);
    const approved = pairCli('approve', code);
    expect(approved).toMatchObject({ code: 0 });
    expect(approved.out).toContain('3004');
    expect(await say(3004, 'am I in?')).toBe('heard: am I in?');
    expect(pairCli('revoke', '3004')).toMatchObject({ code: 0 });
    const before = stack.praktor.logs().length;
    stack.telegram.sendText({ userId: 3004, text: 'still in?' });
    await eventually(
      'the revoked user to be turned away',
      async () => stack.praktor.logs().slice(before),
      (lines) =>
        lines.some(
          (l) => l.msg === 'message from a telegram user not on allow_from ignored' && l.user === 3004,
        ),
    );
  });

  it('refuses a fourth waiting code', async () => {
    for (const userId of [3101, 3102]) codeIn(await say(userId, 'me too'));
    expect((await pairingList()).pending.map((p) => p.user_id)).toEqual([3001, 3101, 3102]);
    expect(await say(3103, 'and me')).toContain('too many people are waiting');
    expect((await pairingList()).pending).toHaveLength(3);
  });

  it('refuses code guessing: after five wrong codes even the right one is refused for a while', async () => {
    const [waiting] = (await pairingList()).pending;
    for (let i = 0; i < 5; i++) {
      expect((await api(`/api/pairing/WRONG00${i}/approve`, { method: 'POST' })).status).toBe(404);
    }
    expect((await api(`/api/pairing/${waiting?.code}/approve`, { method: 'POST' })).status).toBe(429);
    expect((await pairingList()).pending).toHaveLength(3);
  });
});
