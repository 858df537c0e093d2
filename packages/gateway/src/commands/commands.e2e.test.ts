/**
 * Praktor owns the slash commands in both channels: its own work in Telegram and in the web chat alike, and Claude
 * Code's built-in commands never reach the model from a chat (checked at the fake model API).
 */
import type { MessageItem } from '@praktor/protocol';
import { type ModelRequest, reply, type Stack, startStack, TEST_USER_ID } from '@praktor/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

function echoModel(req: ModelRequest) {
  if (req.kind !== 'main') return reply.text('side call');
  return reply.text(`heard: ${req.lastUserText}`);
}

/** Claude Code’s own commands (its `/cost` is Praktor’s own now), and one nobody has. */
const FOREIGN_COMMANDS = ['/model', '/clear', '/help', '/login', '/compact', '/frobnicate'];

async function sayOnTelegram(stack: Stack, text: string) {
  const [answer] = await stack.telegram.say(TEST_USER_ID, text, { timeoutMs: 20_000 });
  return answer;
}

async function postWeb(stack: Stack, agent: string, text: string): Promise<MessageItem> {
  const response = await fetch(`${stack.praktor.webUrl}/api/agents/definitions/${agent}/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ text }),
  });
  expect(response.status).toBe(202);
  return ((await response.json()) as { message: MessageItem }).message;
}

async function conversation(stack: Stack, agent: string): Promise<MessageItem[]> {
  const response = await fetch(`${stack.praktor.webUrl}/api/agents/definitions/${agent}/messages?limit=200`);
  return (await response.json()) as MessageItem[];
}

/** The answer stored for web message `id`, once there. */
async function webAnswer(stack: Stack, agent: string, id: number): Promise<MessageItem> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const answer = (await conversation(stack, agent)).find((m) => m.in_reply_to === id);
    if (answer) return answer;
    if (Date.now() > deadline) throw new Error(`no answer to message ${id}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** The texts of a request's messages of `role`. */
function texts(request: ModelRequest, role: 'user' | 'assistant'): string[] {
  return (request.messages as { role: string; content: unknown }[])
    .filter((m) => m.role === role)
    .flatMap((m) =>
      typeof m.content === 'string'
        ? [m.content]
        : (m.content as { type: string; text?: string }[]).flatMap((b) =>
            b.type === 'text' ? [b.text ?? ''] : [],
          ),
    );
}

/**
 * Whether any request to the model carried `command` as something the user wrote — as typed, or as Claude Code
 * wraps a slash command it ran (`<command-name>/cost</command-name>`).
 */
function modelSaw(stack: Stack, command: string): boolean {
  return stack.anthropic.requests.some((r) =>
    texts(r, 'user').some((t) => t.trim().startsWith(command) || t.includes(`<command-name>${command}`)),
  );
}

describe('slash commands', () => {
  let stack: Stack;

  beforeAll(async () => {
    stack = await startStack({ handler: echoModel });
    // The agents run, so a command that leaked would reach a live Claude Code at once.
    await sayOnTelegram(stack, 'warm up');
    await webAnswer(stack, 'general', (await postWeb(stack, 'general', 'warm up the web')).id);
  });

  afterAll(async () => {
    await stack?.close();
  });

  it('sees, at the model, what a user wrote (so the checks below can fail)', () => {
    expect(modelSaw(stack, 'warm up the web')).toBe(true);
  });

  for (const command of FOREIGN_COMMANDS) {
    it(`answers ${command} on Telegram with Praktor's commands and never asks the model`, async () => {
      const answer = await sayOnTelegram(stack, command);
      expect(answer?.text).toContain(`${command} is not a Praktor command`);
      expect(answer?.text).toContain('/reset [agent]');
      expect(modelSaw(stack, command)).toBe(false);
    });

    it(`answers ${command} in the web chat with Praktor's commands and never asks the model`, async () => {
      const sent = await postWeb(stack, 'general', command);
      expect(sent.state).toBe('answered');
      const answer = await webAnswer(stack, 'general', sent.id);
      expect(answer.role).toBe('system');
      expect(answer.text).toContain(`${command} is not a Praktor command`);
      expect(modelSaw(stack, command)).toBe(false);
    });
  }

  it('lists the agents on /agents in the web chat', async () => {
    const sent = await postWeb(stack, 'coder', '/agents');
    const answer = await webAnswer(stack, 'coder', sent.id);
    expect(answer.text).toContain('**general (default)** — General-purpose assistant');
    expect(answer.text).toContain('Model: `claude-coder-model`');
  });

  it('lists the commands on /commands in the web chat', async () => {
    const sent = await postWeb(stack, 'general', '/commands');
    const answer = await webAnswer(stack, 'general', sent.id);
    expect(answer.text).toContain('/stop [agent]');
  });

  it('greets the agent on /start in the web chat, and the agent answers', async () => {
    const sent = await postWeb(stack, 'coder', '/start');
    expect(sent.text).toBe('Hello!');
    const answer = await webAnswer(stack, 'coder', sent.id);
    expect(answer.text).toBe('heard: Hello!');
  });

  it('starts a new conversation on /reset in the web chat: the next request carries nothing earlier', async () => {
    await webAnswer(stack, 'general', (await postWeb(stack, 'general', 'remember kiwi')).id);
    const reset = await postWeb(stack, 'general', '/reset');
    expect((await webAnswer(stack, 'general', reset.id)).text).toBe(
      'New conversation started with **general**.',
    );
    await webAnswer(stack, 'general', (await postWeb(stack, 'general', 'which fruit?')).id);
    const request = await stack.anthropic.waitForRequest(
      (r) => r.kind === 'main' && r.lastUserText === 'which fruit?',
    );
    expect(request.transcript).not.toContain('remember kiwi');
    expect(texts(request, 'assistant')).toEqual([]);
  });

  it('acts on a command after an @agent prefix for that agent', async () => {
    const answer = await sayOnTelegram(stack, '@coder /stop');
    expect(answer?.text).toBe('coder was not working on anything.');
  });

  it('names the agents when a command names one that does not exist', async () => {
    const sent = await postWeb(stack, 'general', '/reset nobody');
    const answer = await webAnswer(stack, 'general', sent.id);
    expect(answer.text).toBe('There is no agent called “nobody”. Agents: general, coder.');
  });

  it('answers an @name no agent has with the agents there are, and never asks the model', async () => {
    const sent = await postWeb(stack, 'general', '@nobody hi');
    const answer = await webAnswer(stack, 'general', sent.id);
    expect(answer.text).toBe('There is no agent called “nobody”. Agents: general, coder.');
    expect(answer.sender).toBe('praktor');
    expect(modelSaw(stack, '@nobody')).toBe(false);
  });

  it('suggests the agent probably meant for a mistyped @name, on Telegram', async () => {
    const answer = await sayOnTelegram(stack, '@codr fix the build');
    expect(answer?.text).toBe(
      'There is no agent called “codr” (did you mean "coder"?). Agents: general, coder.',
    );
    expect(modelSaw(stack, '@codr')).toBe(false);
  });

  it('sends a message that names the bot itself to the agent, on Telegram', async () => {
    const answer = await sayOnTelegram(stack, `@${stack.telegram.botUser.username} how are you?`);
    expect(answer?.text).toBe(`heard: @${stack.telegram.botUser.username} how are you?`);
  });

  it('sends text that merely starts with a slash to the agent as text', async () => {
    const sent = await postWeb(stack, 'general', '/usr/bin is full');
    const answer = await webAnswer(stack, 'general', sent.id);
    expect(answer.text).toBe('heard: /usr/bin is full');
  });

  it('sends a sentence with a command inside it to the agent as text, on Telegram', async () => {
    const answer = await sayOnTelegram(stack, 'what does /cost do?');
    expect(answer?.text).toBe('heard: what does /cost do?');
  });
});
