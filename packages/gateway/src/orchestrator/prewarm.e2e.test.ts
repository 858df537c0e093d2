/**
 * Warm agents, end to end: a real gateway starts the sandboxes of its warm agents before any message, and keeps
 * them up while other agents stop for being idle.
 */
import type { AgentSummary } from '@praktor/protocol';
import { eventually, reply, type Stack, startStack, TEST_USER_ID } from '@praktor/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

describe('warm agents', () => {
  let stack: Stack;

  beforeAll(async () => {
    stack = await startStack({
      handler: (req) => reply.text(req.kind === 'main' ? `heard: ${req.lastUserText}` : 'side call'),
      config: ({ telegramApiRoot, telegramToken }) => ({
        telegram: { token: telegramToken, api_root: telegramApiRoot, allow_from: [TEST_USER_ID] },
        defaults: { idle_timeout: '2s', max_running: 3 },
        agents: {
          general: { description: 'General-purpose assistant' },
          coder: { description: 'Software engineer' },
          writer: { description: 'Writer', prewarm: true },
          notes: { description: 'Note taker', prewarm: true },
        },
        router: { default_agent: 'general', ai: false },
      }),
    });
  });

  afterAll(async () => {
    await stack?.close();
  });

  async function statuses(): Promise<Record<string, string>> {
    const response = await fetch(`${stack.praktor.webUrl}/api/agents/definitions`);
    const agents = (await response.json()) as AgentSummary[];
    return Object.fromEntries(agents.map((a) => [a.id, a.agent_status]));
  }

  it('starts the default agent and those marked prewarm at gateway start, before any message', async () => {
    const warm = await eventually(
      'the warm agents to be up',
      statuses,
      (s) => s.general === 'idle' && s.writer === 'idle' && s.notes === 'idle',
    );
    expect(warm.coder).toBe('stopped');
  });

  it('has Claude Code build a warm agent’s first prompt before any message, leaving the conversation untouched', async () => {
    await eventually('the warm agents to be up', statuses, (s) => s.writer === 'idle' && s.notes === 'idle');
    // The prompt was counted (count_tokens), and no model turn was taken to do it.
    expect(stack.anthropic.otherRequests.some((r) => r.url.includes('/v1/messages/count_tokens'))).toBe(true);
    expect(stack.anthropic.requests).toEqual([]);
    const [answer] = await stack.telegram.say(TEST_USER_ID, '@writer first words');
    expect(answer?.text).toContain('heard: first words');
    // The model sees the user's message alone: nothing of the warm-up is in the conversation.
    expect(stack.anthropic.requests.filter((r) => r.kind === 'main').map((r) => r.messages.length)).toEqual([
      1,
    ]);
  });

  it('keeps warm agents up past idle_timeout while an agent started on demand stops', async () => {
    // max_running is 3 and three warm agents run: the coder takes the place of the one idle longest.
    await stack.telegram.say(TEST_USER_ID, '@coder hello', { timeoutMs: 30_000 });
    await eventually('the coder to stop for being idle', statuses, (s) => s.coder === 'stopped', {
      timeoutMs: 15_000,
    });
    const after = await eventually(
      'the evicted warm agent to be warmed again',
      statuses,
      (s) => s.general === 'idle' && s.writer === 'idle' && s.notes === 'idle',
      { timeoutMs: 20_000 },
    );
    expect(after.coder).toBe('stopped');
  });
});
