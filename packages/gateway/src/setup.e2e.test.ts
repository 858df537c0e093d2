/**
 * A first run explains itself: the start banner and `/api/status` name what is missing with the step that fixes it,
 * and a turn that fails for missing or refused model credentials answers in Praktor's words and logs why.
 */
import type { MessageItem, StatusResponse } from '@praktor/protocol';
import { type ModelRequest, reply, type Stack, startStack } from '@praktor/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

function echo(req: ModelRequest) {
  if (req.kind !== 'main') return reply.text('side call');
  return reply.text(`heard: ${req.lastUserText}`);
}

/** Two agents, no Telegram, and a mistyped key. */
const config = () => ({
  agents: { general: {}, coder: {} },
  router: { default_agent: 'general' },
  defaults: { idle_timout: '5m' },
});

async function status(stack: Stack): Promise<StatusResponse> {
  return (await (await fetch(`${stack.praktor.webUrl}/api/status`)).json()) as StatusResponse;
}

/** Sends `text` from the web chat and waits for the message answering it. */
async function ask(stack: Stack, text: string): Promise<MessageItem> {
  const base = `${stack.praktor.webUrl}/api/agents/definitions/general/messages`;
  const sent = await fetch(base, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ text }),
  });
  const { message } = (await sent.json()) as { message: MessageItem };
  const deadline = Date.now() + 30_000;
  for (;;) {
    const all = (await (await fetch(`${base}?limit=100`)).json()) as MessageItem[];
    const answer = all.find((m) => m.in_reply_to === message.id);
    if (answer) return answer;
    if (Date.now() > deadline) throw new Error(`no answer to “${text}”`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('a first run without model credentials', () => {
  let stack: Stack;

  beforeAll(async () => {
    stack = await startStack({ handler: echo, config, env: { ANTHROPIC_API_KEY: '' } });
  });

  afterAll(async () => {
    await stack?.close();
  });

  it('prints a banner with Mission Control’s address, the agents, the runtime and the missing pieces', () => {
    const output = stack.praktor.process.lines.join('\n');
    expect(output).toContain('Praktor ');
    expect(output).toContain(`Mission Control  ${stack.praktor.webUrl}`);
    expect(output).toContain('Agents           general (default), coder');
    expect(output).toMatch(/Runtime {10}\w+/);
    expect(output).toContain('Model credentials: no API key or token');
    expect(output).toContain('→ set ANTHROPIC_API_KEY (or CLAUDE_CODE_OAUTH_TOKEN)');
    expect(output).toContain('Telegram (optional): no bot token');
    expect(output).toContain('→ set PRAKTOR_TELEGRAM_TOKEN');
  });

  it('lists the configuration’s unknown keys in the banner, with the key probably meant', () => {
    const output = stack.praktor.process.lines.join('\n');
    expect(output).toContain(
      'In the configuration:\n  unknown key "defaults.idle_timout" is ignored (did you mean "idle_timeout"?)',
    );
  });

  it('lists the configuration’s unknown keys in /api/status too, for Mission Control', async () => {
    expect((await status(stack)).config_warnings).toEqual([
      'unknown key "defaults.idle_timout" is ignored (did you mean "idle_timeout"?)',
    ]);
  });

  it('names the missing credentials and their fix in /api/status', async () => {
    const [credentials, telegram] = (await status(stack)).setup;
    expect(credentials).toMatchObject({ id: 'model_credentials', ok: false, required: true });
    expect(credentials?.fix).toContain('ANTHROPIC_API_KEY');
    expect(telegram).toMatchObject({ id: 'telegram', ok: false, required: false });
  });

  it('answers a message with what to set and where, and logs why', async () => {
    const answer = await ask(stack, 'hello?');
    expect(answer.text).toBe(
      '⚠️ Praktor has no credentials for the model API, so agents cannot answer. To fix: set ANTHROPIC_API_KEY ' +
        '(or CLAUDE_CODE_OAUTH_TOKEN) in the environment Praktor starts in, or defaults.anthropic_api_key in ' +
        'praktor.yaml, then restart Praktor.',
    );
    const logged = await stack.praktor.waitForLog(
      'no model credentials: set ANTHROPIC_API_KEY (or CLAUDE_CODE_OAUTH_TOKEN) and restart',
    );
    expect(logged).toMatchObject({ agent: 'general', problem: 'missing' });
  });
});

describe('credentials the model API refuses', () => {
  let stack: Stack;

  beforeAll(async () => {
    stack = await startStack({
      handler: (req) =>
        req.kind === 'main' ? reply.error(401, 'invalid x-api-key') : reply.text('side call'),
      config,
    });
  });

  afterAll(async () => {
    await stack?.close();
  });

  it('shows the credentials as set in /api/status', async () => {
    expect((await status(stack)).setup[0]).toMatchObject({ ok: true, fix: null });
  });

  it('answers a message saying the credentials were refused and what to do, and logs why', async () => {
    const answer = await ask(stack, 'hello?');
    expect(answer.text).toMatch(/^⚠️ The model API refused Praktor's credentials \(401/);
    expect(answer.text).toContain('set ANTHROPIC_API_KEY');
    const logged = await stack.praktor.waitForLog(
      'the model API refused the credentials (401): check ANTHROPIC_API_KEY (or CLAUDE_CODE_OAUTH_TOKEN) and restart',
    );
    expect(logged).toMatchObject({ agent: 'general', problem: 'rejected' });
  });

  it('shows in /api/status, once a turn was refused, that the credentials were refused and how to fix them', async () => {
    const [credentials] = (await status(stack)).setup;
    expect(credentials).toMatchObject({
      ok: false,
      detail: 'refused by the model API (401): the key or token is wrong, revoked or expired',
    });
    expect(credentials?.fix).toContain('ANTHROPIC_API_KEY');
  });

  it('works once the API accepts them, and shows the credentials as fine again', async () => {
    stack.anthropic.setHandler(echo);
    expect((await ask(stack, 'better now?')).text).toMatch(/heard: .*better now\?$/s);
    expect((await status(stack)).setup[0]).toMatchObject({ ok: true, fix: null });
  });
});
