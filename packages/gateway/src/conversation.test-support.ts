/**
 * The whole message loop, end to end, for one runtime: a real gateway process, real runners driving the real Claude
 * Code CLI in the runtime's sandboxes, and fake Anthropic and Telegram servers at the network edge. Each runtime's
 * test file runs the same suites (gateway.e2e.test.ts for local, gateway.docker.e2e.test.ts for Docker).
 */
import {
  defaultStackConfig,
  type ModelRequest,
  reply,
  type Stack,
  startStack,
  TEST_USER_ID,
} from '@praktor/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/** How the suites run agents. */
export interface ConversationRuntime {
  name: string;
  /** The stack's configuration with the runtime's settings added. */
  config(base: Record<string, unknown>): Record<string, unknown>;
  /** What is left of the agents of `stack` (processes, containers): something while they run, nothing after. */
  leftovers(stack: Stack): unknown[];
  /** What `leftovers` counts, for the test's name. */
  leftoverKind: string;
}

/** Answers every main turn with "<model> heard: <text>", so tests can see which agent and model answered what. */
function echoModel(req: ModelRequest) {
  if (req.kind !== 'main') return reply.text('side call');
  return reply.text(`${req.model} heard: ${req.lastUserText}`);
}

/** Sends `text` in the private chat of user `chatId` and waits for the bot to have sent `count` messages there. */
async function say(stack: Stack, chatId: number, text: string, count = 1, timeoutMs = 20_000) {
  const before = stack.telegram.messagesIn(chatId).length;
  stack.telegram.sendText({ userId: chatId, text });
  return stack.telegram.waitFor(() => {
    const sent = stack.telegram.messagesIn(chatId);
    return sent.length >= before + count ? sent.slice(before) : undefined;
  }, timeoutMs);
}

/** Declares the conversation suites for `runtime`. */
export function describeConversation(runtime: ConversationRuntime): void {
  describe(`the message loop over Telegram (${runtime.name} runtime)`, () => {
    let stack: Stack;

    beforeAll(async () => {
      stack = await startStack({
        handler: echoModel,
        config: ({ telegramApiRoot, telegramToken }) =>
          runtime.config({
            telegram: {
              token: telegramToken,
              api_root: telegramApiRoot,
              allow_from: [TEST_USER_ID, 2002, 2003, 2004],
            },
            defaults: { model: 'claude-general-model' },
            agents: {
              general: { description: 'General-purpose assistant' },
              coder: { description: 'Software engineer', model: 'claude-coder-model' },
            },
            router: { default_agent: 'general' },
          }),
      });
    });

    afterAll(async () => {
      await stack?.close();
    });

    it('delivers the default agent’s answer to the chat the message came from', async () => {
      const chat = TEST_USER_ID;
      const [answer] = await say(stack, chat, 'hello there');
      expect(answer?.text).toBe('claude-general-model heard: hello there');
    });

    it('sends an @agent message to that agent, with that agent’s model and without the prefix', async () => {
      const chat = TEST_USER_ID;
      const [answer] = await say(stack, chat, '@coder fix the build');
      const request = await stack.anthropic.waitForRequest(
        (r) => r.kind === 'main' && r.lastUserText === 'fix the build',
      );
      expect(request.model).toBe('claude-coder-model');
      expect(answer?.text).toBe('coder: claude-coder-model heard: fix the build');
    });

    it('labels a non-default agent’s answer with its name in italics', async () => {
      const [answer] = await say(stack, TEST_USER_ID, '@coder label check');
      expect(answer?.entities?.[0]).toMatchObject({ type: 'italic', offset: 0, length: 'coder:'.length });
    });

    it('sends a reply to an agent’s message back to that agent', async () => {
      const chat = TEST_USER_ID;
      const [coderAnswer] = await say(stack, chat, '@coder first');
      const before = stack.telegram.messagesIn(chat).length;
      stack.telegram.sendText({
        userId: TEST_USER_ID,
        text: 'and a follow-up',
        replyToMessageId: coderAnswer?.messageId,
      });
      const [answer] = await stack.telegram.waitFor(() => {
        const sent = stack.telegram.messagesIn(chat);
        return sent.length > before ? sent.slice(before) : undefined;
      }, 20_000);
      expect(answer?.text).toBe('coder: claude-coder-model heard: and a follow-up');
    });

    it('carries the earlier exchange into the next request of the same agent', async () => {
      await say(stack, TEST_USER_ID, 'my favourite colour is teal');
      await say(stack, TEST_USER_ID, 'what is my favourite colour?');
      const request = await stack.anthropic.waitForRequest(
        (r) => r.kind === 'main' && r.lastUserText === 'what is my favourite colour?',
      );
      expect(request.transcript).toContain('my favourite colour is teal');
      expect(request.transcript).toContain('claude-general-model heard: my favourite colour is teal');
    });

    it('passes an edited AGENT.md on to the ongoing conversation, once, at its next message', async () => {
      await say(stack, TEST_USER_ID, 'hello before the edit');
      const saved = await fetch(`${stack.praktor.webUrl}/api/agents/definitions/general/agent-md`, {
        method: 'PUT',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ content: '# Agent Identity\n\nName: Zephyr' }),
      });
      expect(saved.status).toBe(200);
      await say(stack, TEST_USER_ID, 'who are you now?');
      const updated = await stack.anthropic.waitForRequest(
        (r) => r.kind === 'main' && r.lastUserText.endsWith('who are you now?'),
      );
      expect(updated.lastUserText).toContain('Name: Zephyr');
      expect(updated.transcript).toContain('hello before the edit');
      await say(stack, TEST_USER_ID, 'and now?');
      const next = await stack.anthropic.waitForRequest(
        (r) => r.kind === 'main' && r.lastUserText.endsWith('and now?'),
      );
      expect(next.lastUserText).toBe('and now?');
    });

    it('answers a user missing from a non-empty allow_from with nothing and reaches no agent', async () => {
      const stranger = 9999;
      stack.telegram.sendText({ userId: stranger, text: 'let me in' });
      await say(stack, TEST_USER_ID, 'a message after the stranger’s');
      expect(stack.telegram.messagesIn(stranger)).toEqual([]);
      expect(stack.anthropic.requests.some((r) => r.transcript.includes('let me in'))).toBe(false);
    });

    it('splits a 10,000-character answer into chunks of at most 4096 characters, in order, losing nothing', async () => {
      const paragraphs = Array.from(
        { length: 50 },
        (_, i) => `Paragraph ${i}: ${'lorem ipsum '.repeat(16).trim()}.`,
      );
      const long = paragraphs.join('\n\n');
      expect(long.length).toBeGreaterThan(10_000);
      stack.anthropic.setHandler((req) =>
        req.kind === 'main' && req.lastUserText === 'long please' ? reply.text(long) : echoModel(req),
      );
      const chat = 2002;
      const chunks = await say(stack, chat, 'long please', 3);
      await new Promise((resolve) => setTimeout(resolve, 500));
      const all = stack.telegram.messagesIn(chat);
      expect(all.length).toBeGreaterThanOrEqual(3);
      for (const chunk of all) expect(chunk.text.length).toBeLessThanOrEqual(4096);
      expect(all.map((c) => c.text).join('\n\n')).toBe(long);
      expect(chunks[0]?.text.startsWith('Paragraph 0:')).toBe(true);
      stack.anthropic.setHandler(echoModel);
    });

    it('answers two messages sent while the agent is busy, both, in order', async () => {
      stack.anthropic.setHandler((req) =>
        req.kind === 'main' && req.lastUserText === 'slow one'
          ? reply.text('slow answer', { delayMs: 1500 })
          : echoModel(req),
      );
      const chat = 2003;
      stack.telegram.sendText({ userId: 2003, text: 'slow one' });
      await stack.anthropic.waitForRequest((r) => r.kind === 'main' && r.lastUserText === 'slow one');
      stack.telegram.sendText({ userId: 2003, text: 'second' });
      stack.telegram.sendText({ userId: 2003, text: 'third' });
      const answers = await stack.telegram.waitFor(() => {
        const sent = stack.telegram.messagesIn(chat);
        return sent.length >= 3 ? sent : undefined;
      }, 30_000);
      expect(answers.map((a) => a.text)).toEqual([
        'slow answer',
        'claude-general-model heard: second',
        'claude-general-model heard: third',
      ]);
      stack.anthropic.setHandler(echoModel);
    });

    it('keeps the typing indicator on while the agent works', async () => {
      stack.anthropic.setHandler((req) =>
        req.kind === 'main' && req.lastUserText === 'think hard'
          ? reply.text('done thinking', { delayMs: 5000 })
          : echoModel(req),
      );
      const chat = 2004;
      await say(stack, chat, 'think hard', 1, 30_000);
      const typing = stack.telegram.calls.filter(
        (c) => c.method === 'sendChatAction' && String(c.params.chat_id) === String(chat),
      );
      expect(typing.length).toBeGreaterThanOrEqual(2);
      stack.anthropic.setHandler(echoModel);
    });
  });

  describe(`a failing model API (${runtime.name} runtime)`, () => {
    let stack: Stack;

    beforeAll(async () => {
      stack = await startStack({
        handler: () => reply.error(500, 'the model is down'),
        config: (urls) => runtime.config(defaultStackConfig(urls)),
      });
    });

    afterAll(async () => {
      await stack?.close();
    });

    it('tells the user what went wrong within a bounded time', async () => {
      const started = Date.now();
      const [answer] = await say(stack, TEST_USER_ID, 'are you there?', 1, 30_000);
      expect(Date.now() - started).toBeLessThan(15_000);
      expect(answer?.text).toMatch(/^⚠️ API Error: 500 the model is down/);
    });

    it('answers the next message once the API has recovered', async () => {
      stack.anthropic.setHandler(echoModel);
      const [answer] = await say(stack, TEST_USER_ID, 'better now?');
      // The unanswered question stays in the session, so the model sees it together with the new one.
      expect(answer?.text).toMatch(/^claude-general-model heard: .*better now\?$/s);
    });
  });

  describe(`a gateway restart (${runtime.name} runtime)`, () => {
    it('keeps the conversation: the next message after a restart still carries the earlier exchange', async () => {
      const stack = await startStack({
        handler: echoModel,
        config: (urls) => runtime.config(defaultStackConfig(urls)),
      });
      try {
        await say(stack, TEST_USER_ID, 'remember the word pineapple');
        await stack.restart();
        await say(stack, TEST_USER_ID, 'which word?');
        const request = await stack.anthropic.waitForRequest(
          (r) => r.kind === 'main' && r.lastUserText === 'which word?',
        );
        expect(request.transcript).toContain('remember the word pineapple');
      } finally {
        await stack.close();
      }
    });

    it(`leaves no ${runtime.leftoverKind} behind when stopped`, async () => {
      const stack = await startStack({
        handler: echoModel,
        config: (urls) => runtime.config(defaultStackConfig(urls)),
      });
      try {
        await say(stack, TEST_USER_ID, 'start the agent');
        expect(runtime.leftovers(stack).length).toBeGreaterThan(0);
        const exit = await stack.praktor.stop();
        expect(exit.code).toBe(0);
        expect(runtime.leftovers(stack)).toEqual([]);
      } finally {
        await stack.close();
      }
    });
  });
}
