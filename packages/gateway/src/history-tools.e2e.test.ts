/**
 * History search on a real gateway: the agent's `history_search` tool finds what was said before a `/reset`, in its
 * own conversation only, and Mission Control's search endpoint answers the same way.
 */
import type { MessageItem } from '@praktor/protocol';
import { type ModelRequest, reply, type Stack, startStack, TEST_USER_ID } from '@praktor/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

function model(req: ModelRequest) {
  if (req.kind !== 'main') return reply.text('side call');
  const [result] = req.toolResults;
  if (result) return reply.text(`${result.isError ? 'tool refused' : 'tool said'}: ${result.content}`);
  const search = /^search history for (.+)$/.exec(req.lastUserText);
  if (search) return reply.toolUse('mcp__praktor-history__history_search', { query: search[1] });
  return reply.text(`heard: ${req.lastUserText}`);
}

describe('history search', () => {
  let stack: Stack;

  async function ask(text: string): Promise<string> {
    const [answer] = await stack.telegram.say(TEST_USER_ID, text);
    return answer?.text ?? '';
  }

  beforeAll(async () => {
    stack = await startStack({ handler: model });
    await ask('I ran along the canal this morning');
    await ask('@coder the canal module needs tests');
    await ask('/reset');
  }, 180_000);

  afterAll(async () => {
    await stack?.close();
  });

  it('finds what was said before the reset, by word, with who said it and when', async () => {
    const answer = await ask('search history for canal');
    expect(answer).toContain('User (');
    expect(answer).toContain('I ran along the canal this morning');
    expect(answer).toContain('Assistant (');
    expect(answer).toContain('heard: I ran along the canal this morning');
  });

  it("never shows another agent's conversation", async () => {
    expect(await ask('search history for module')).toBe('tool said: No messages found matching that query.');
  });

  it('answers Mission Control’s search with the agent’s own messages, best first', async () => {
    const response = await fetch(
      `${stack.praktor.webUrl}/api/agents/definitions/general/messages/search?q=${encodeURIComponent('canal "morning')}`,
    );
    expect(response.status).toBe(200);
    const found = (await response.json()) as MessageItem[];
    expect(found.length).toBeGreaterThan(0);
    expect(found.every((m) => m.agent_id === 'general')).toBe(true);
    expect(found[0]?.text).toContain('canal this morning');
    const coder = (await (
      await fetch(`${stack.praktor.webUrl}/api/agents/definitions/coder/messages/search?q=canal`)
    ).json()) as MessageItem[];
    expect(coder.map((m) => m.text)).toContain('the canal module needs tests');
  });

  it('refuses a search without q, naming it', async () => {
    const response = await fetch(`${stack.praktor.webUrl}/api/agents/definitions/general/messages/search`);
    expect(response.status).toBe(400);
    expect(await response.text()).toContain('q');
  });
});
