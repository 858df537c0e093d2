/**
 * The user's profile changed by an agent, in real Chromium against a real gateway: the agent's
 * `user_profile_update` tool replaces USER.md, Mission Control's User page shows the new text without a reload, and
 * the next request of another agent, already running, carries it. A profile that is not text is refused and the old one stays.
 */
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { MessageItem } from '@praktor/protocol';
import { eventually, type ModelRequest, reply, type Stack, startStack } from '@praktor/testkit';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DESKTOP, launchChromium, requireChromium } from './browser-harness.js';

const BUILD_SCRIPT = fileURLToPath(new URL('../scripts/build.mjs', import.meta.url));
const TOOL = (name: string) => `mcp__praktor-profile__${name}`;
const NEW_PROFILE = '# About me\n\n## Name\nSam, who likes to be called Sammy.\n';

/** The message as typed: after a profile change the runner puts the new instructions before it. */
function typed(req: ModelRequest): string {
  return req.lastUserText.replace(
    /^<praktor-instructions-update>[\s\S]*<\/praktor-instructions-update>\s*/,
    '',
  );
}

function model(req: ModelRequest) {
  if (req.kind !== 'main') return reply.text('side call');
  const [result] = req.toolResults;
  if (result) return reply.text(`${result.isError ? 'tool refused' : 'tool said'}: ${result.content}`);
  const text = typed(req);
  if (text === 'call me Sammy') return reply.toolUse(TOOL('user_profile_update'), { content: NEW_PROFILE });
  if (text === 'store a bell') return reply.toolUse(TOOL('user_profile_update'), { content: 'ding\u0007' });
  if (text === 'who am I?') return reply.toolUse(TOOL('user_profile_read'), {});
  return reply.text(`heard: ${text}`);
}

const missing = requireChromium('the user profile browser tests');

describe.skipIf(missing !== null)('the user profile updated by an agent', () => {
  let stack: Stack;
  let browser: Browser;

  async function chat(agent: string, text: string): Promise<string> {
    const sent = await fetch(`${stack.praktor.webUrl}/api/agents/definitions/${agent}/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ text }),
    });
    expect(sent.status).toBe(202);
    const { message } = (await sent.json()) as { message: { id: number } };
    const list = await eventually(
      `the answer to "${text}"`,
      async () =>
        (await (
          await fetch(`${stack.praktor.webUrl}/api/agents/definitions/${agent}/messages`)
        ).json()) as MessageItem[],
      (messages) => messages.some((m) => m.in_reply_to === message.id),
      { timeoutMs: 60_000 },
    );
    return list.find((m) => m.in_reply_to === message.id)?.text ?? '';
  }

  async function open(path: string): Promise<Page> {
    const page = await (await browser.newContext({ viewport: DESKTOP })).newPage();
    await page.goto(`${stack.praktor.webUrl}${path}`);
    return page;
  }

  beforeAll(async () => {
    execFileSync(process.execPath, [BUILD_SCRIPT], { stdio: 'inherit' });
    stack = await startStack({
      handler: model,
      config: () => ({ agents: { general: {}, coder: {} }, router: { default_agent: 'general' } }),
    });
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await stack?.close();
  });

  it('has another agent running before the profile changes', async () => {
    const before = stack.anthropic.requests.length;
    expect(await chat('coder', 'hello')).toBe('heard: hello');
    const request = stack.anthropic.requests.slice(before).find((r) => r.kind === 'main');
    expect(request?.system).not.toContain('Sammy');
  });

  it('shows the new profile on the open User page without a reload', async () => {
    const page = await open('/user');
    const editor = page.getByTestId('user-md-textarea');
    await expect.poll(() => editor.inputValue(), { timeout: 15_000 }).toContain('# About me');
    expect(await chat('general', 'call me Sammy')).toMatch(/^tool said: User profile updated successfully/);
    await expect.poll(() => editor.inputValue(), { timeout: 15_000 }).toBe(NEW_PROFILE);
    const profile = (await (await fetch(`${stack.praktor.webUrl}/api/user-profile`)).json()) as {
      content: string;
    };
    expect(profile.content).toBe(NEW_PROFILE);
  });

  it('puts the new profile in the next request of another agent that was already running', async () => {
    const before = stack.anthropic.requests.length;
    expect(await chat('coder', 'hello again')).toBe('heard: hello again');
    const request = stack.anthropic.requests.slice(before).find((r) => r.kind === 'main');
    expect(request?.lastUserText).toMatch(
      /^<praktor-instructions-update>[\s\S]*Sam, who likes to be called Sammy\.[\s\S]*<\/praktor-instructions-update>/,
    );
  });

  it('reads the profile through user_profile_read', async () => {
    expect(await chat('coder', 'who am I?')).toContain('Sam, who likes to be called Sammy.');
  });

  it('refuses a profile that is not plain text, naming the character, and keeps the old one', async () => {
    expect(await chat('general', 'store a bell')).toMatch(
      /^tool refused: Error: the profile holds a control character \(U\+0007\) at position 4/,
    );
    const profile = (await (await fetch(`${stack.praktor.webUrl}/api/user-profile`)).json()) as {
      content: string;
    };
    expect(profile.content).toBe(NEW_PROFILE);
  });
});
