/**
 * AI routing end to end: a real gateway whose classifier requests reach the fake model API, which scripts the
 * classifier's answer; agents run in the local runtime.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { MessageItem } from '@praktor/protocol';
import {
  eventually,
  type ModelReply,
  type ModelRequest,
  reply,
  type Stack,
  startStack,
  TEST_USER_ID,
} from '@praktor/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const isClassifier = (req: ModelRequest) => req.system.includes('router of a personal assistant');

describe('AI routing of messages that name no agent', () => {
  let stack: Stack;
  let config: Record<string, unknown>;
  /** The classifier's scripted answer. */
  let classifier: (req: ModelRequest) => ModelReply = () =>
    reply.text('{"agent": "general", "reason": "chat"}');

  beforeAll(async () => {
    stack = await startStack({
      handler: (req) => {
        if (isClassifier(req)) return classifier(req);
        return reply.text(req.kind === 'main' ? `${req.model} heard: ${req.lastUserText}` : 'side call');
      },
      config: ({ telegramApiRoot, telegramToken }) => {
        config = {
          telegram: { token: telegramToken, api_root: telegramApiRoot, allow_from: [TEST_USER_ID] },
          defaults: { model: 'claude-general-model' },
          agents: {
            general: { description: 'General-purpose assistant' },
            coder: { description: 'Software engineer: code, builds, bugs', model: 'claude-coder-model' },
          },
          router: { default_agent: 'general', model: 'claude-router-model', timeout: '1s' },
        };
        return config;
      },
    });
  });

  afterAll(async () => {
    await stack?.close();
  });

  async function say(text: string): Promise<string> {
    const [answer] = await stack.telegram.say(TEST_USER_ID, text, { timeoutMs: 30_000 });
    return answer?.text ?? '';
  }

  /** The stored inbound message with `text`, as Mission Control lists it for `agentId`. */
  async function stored(agentId: string, text: string): Promise<MessageItem | undefined> {
    const response = await fetch(`${stack.praktor.webUrl}/api/agents/definitions/${agentId}/messages`);
    const items = (await response.json()) as MessageItem[];
    return items.find((m) => m.role === 'user' && m.text === text);
  }

  it('sends a message about code to the coder, through the small model, and records why', async () => {
    classifier = (req) =>
      reply.text(
        req.lastUserText.includes('stack trace')
          ? '{"agent": "coder", "reason": "a programming problem"}'
          : '{"agent": "general", "reason": "small talk"}',
      );
    const text = 'my build fails with this stack trace';
    expect(await say(text)).toBe(`coder: claude-coder-model heard: ${text}`);
    const asked = await stack.anthropic.waitForRequest(
      (r) => isClassifier(r) && r.lastUserText.includes(text),
    );
    expect(asked.model).toBe('claude-router-model');
    expect(asked.lastUserText).toContain('- coder: Software engineer: code, builds, bugs');
    expect((await stored('coder', text))?.routing).toEqual({ via: 'ai', reason: 'a programming problem' });
  });

  it('asks to keep the agent of a follow-up a moment later', async () => {
    classifier = () => reply.text('{"agent": "coder", "reason": "same topic"}');
    await say('and the linker complains too');
    const asked = await stack.anthropic.waitForRequest(
      (r) => isClassifier(r) && r.lastUserText.includes('and the linker complains too'),
    );
    expect(asked.lastUserText).toContain('The conversation is with coder at the moment');
  });

  it('sends the message to the default agent when the classifier answers garbage', async () => {
    classifier = () => reply.text('banana');
    const text = 'what should I cook tonight?';
    expect(await say(text)).toBe(`claude-general-model heard: ${text}`);
    expect((await stored('general', text))?.routing).toMatchObject({ via: 'default' });
    expect((await stored('general', text))?.routing?.reason).toContain('banana');
  });

  it('sends the message to the default agent within the timeout when the classifier is slow', async () => {
    classifier = () => ({ ...reply.text('{"agent": "coder"}'), timing: { delayMs: 5_000 } });
    const text = 'fix the flaky test please';
    const before = stack.praktor.logs().length;
    expect(await say(text)).toBe(`claude-general-model heard: ${text}`);
    const failed = stack.praktor
      .logs()
      .slice(before)
      .find((line) => line.msg === 'AI routing failed; the default agent answers');
    expect(failed?.problem).toBe('no answer within 1000 ms');
    expect(Number(failed?.ms)).toBeLessThan(1_500);
  });

  it('never calls the classifier with router.ai: false', async () => {
    classifier = () => reply.text('{"agent": "coder", "reason": "everything is code"}');
    const reloads = () => stack.praktor.logs().filter((l) => l.msg === 'config reloaded').length;
    const before = reloads();
    writeFileSync(
      join(stack.praktor.home, 'praktor.yaml'),
      JSON.stringify({ ...config, router: { ...(config.router as object), ai: false } }),
    );
    await eventually(
      'the reload',
      async () => reloads(),
      (n) => n > before,
    );
    const asked = stack.anthropic.requests.filter(isClassifier).length;
    const text = 'refactor this function';
    expect(await say(text)).toBe(`claude-general-model heard: ${text}`);
    expect(stack.anthropic.requests.filter(isClassifier)).toHaveLength(asked);
    expect((await stored('general', text))?.routing).toEqual({ via: 'default', reason: null });
  });
});
