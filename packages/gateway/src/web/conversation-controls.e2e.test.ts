/**
 * Stopping and starting over from Mission Control: a stop — of the answer, or of the whole sandbox — is reported as
 * stopped by the user and drops the waiting messages, as `/stop` does; a new conversation is marked in the
 * conversation and starts the model at turn 1.
 */
import type { MessageItem } from '@praktor/protocol';
import { type ModelRequest, reply, type Stack, startStack } from '@praktor/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

function model(req: ModelRequest) {
  if (req.kind !== 'main') return reply.text('side call');
  // Only the job itself: after a stop, the next request carries it again, followed by the new message.
  if (/^a very long job for \w+$/.test(req.lastUserText))
    return reply.text('never delivered', { delayMs: 20_000 });
  return reply.text(`heard: ${req.lastUserText}`);
}

async function api<T>(stack: Stack, method: string, path: string, body?: unknown): Promise<T> {
  const response = await fetch(`${stack.praktor.webUrl}/api${path}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  expect(response.ok).toBe(true);
  return (await response.json()) as T;
}

const send = (stack: Stack, agent: string, text: string) =>
  api<{ message: MessageItem }>(stack, 'POST', `/agents/definitions/${agent}/messages`, { text }).then(
    (r) => r.message,
  );
const conversation = (stack: Stack, agent: string) =>
  api<MessageItem[]>(stack, 'GET', `/agents/definitions/${agent}/messages?limit=200`);

async function until<T>(check: () => Promise<T | undefined>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

const message = (stack: Stack, agent: string, id: number) =>
  conversation(stack, agent).then((all) => all.find((m) => m.id === id));

/** Starts a long answer and queues a message behind it; returns both. */
async function busyWithQueue(stack: Stack, agent: string) {
  const job = `a very long job for ${agent}`;
  const long = await send(stack, agent, job);
  await stack.anthropic.waitForRequest((r) => r.kind === 'main' && r.lastUserText === job);
  const queued = await send(stack, agent, `queued behind it for ${agent}`);
  return { long, queued };
}

describe('stopping from Mission Control', () => {
  let stack: Stack;

  beforeAll(async () => {
    stack = await startStack({ handler: model });
  });

  afterAll(async () => {
    await stack?.close();
  });

  it('stops the agent mid-answer as stopped by the user, not failed, and drops the waiting message', async () => {
    const { long, queued } = await busyWithQueue(stack, 'general');
    const stopped = await api(stack, 'POST', '/agents/definitions/general/stop');
    expect(stopped).toEqual({ status: 'stopped', dropped: 1, interrupted: true });
    const answered = await until(async () => {
      const m = await message(stack, 'general', long.id);
      return m?.state === 'stopped' ? m : undefined;
    });
    expect(answered.error).toBe('stopped by the user');
    expect((await message(stack, 'general', queued.id))?.state).toBe('stopped');
    expect((await message(stack, 'general', queued.id))?.error).toBe(
      'dropped: the agent was stopped before its turn',
    );
    const all = await conversation(stack, 'general');
    expect(all.filter((m) => m.in_reply_to === long.id)).toEqual([]);
    expect(all.some((m) => m.text.includes('stopped unexpectedly'))).toBe(false);
    expect(stack.anthropic.requests.some((r) => r.lastUserText === 'queued behind it for general')).toBe(
      false,
    );
  });

  it('stops the answer within a second on Stop, keeping the sandbox, and answers the next message', async () => {
    const { long, queued } = await busyWithQueue(stack, 'coder');
    const asked = Date.now();
    const interrupted = await api(stack, 'POST', '/agents/definitions/coder/interrupt');
    expect(interrupted).toEqual({ status: 'interrupted', dropped: 1, interrupted: true });
    await until(async () =>
      (await message(stack, 'coder', long.id))?.state === 'stopped' ? true : undefined,
    );
    expect(Date.now() - asked).toBeLessThan(1000);
    expect((await message(stack, 'coder', queued.id))?.state).toBe('stopped');
    const next = await send(stack, 'coder', 'are you free now?');
    const answer = await until(async () =>
      (await conversation(stack, 'coder')).find((m) => m.in_reply_to === next.id),
    );
    expect(answer.text).toMatch(/heard: .*are you free now\?$/s);
  });
});

describe('a new conversation from Mission Control', () => {
  let stack: Stack;

  beforeAll(async () => {
    stack = await startStack({ handler: model });
  });

  afterAll(async () => {
    await stack?.close();
  });

  it('marks where the new conversation starts and sends the next message as turn 1', async () => {
    const first = await send(stack, 'general', 'remember the word mango');
    await until(async () => (await conversation(stack, 'general')).find((m) => m.in_reply_to === first.id));
    expect(await api(stack, 'POST', '/agents/definitions/general/reset')).toEqual({ status: 'reset' });
    const marker = (await conversation(stack, 'general')).at(-1);
    expect(marker).toMatchObject({ channel: 'system', role: 'system', text: 'New conversation' });
    const next = await send(stack, 'general', 'which word?');
    await until(async () => (await conversation(stack, 'general')).find((m) => m.in_reply_to === next.id));
    const request = await stack.anthropic.waitForRequest(
      (r) => r.kind === 'main' && r.lastUserText === 'which word?',
    );
    expect(request.transcript).not.toContain('mango');
    expect(request.messages.some((m) => (m as { role: string }).role === 'assistant')).toBe(false);
  });
});
