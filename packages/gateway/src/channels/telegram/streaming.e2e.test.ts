/**
 * Answers streamed into Telegram while the model writes them: drafts in a private chat, or a preview message edited
 * in place (`telegram.stream: edit`) and removed once the answer arrives; either way the answer itself is delivered
 * once, the same as without streaming, even when Telegram throttles every draft.
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

const STORY = Array.from({ length: 60 }, (_, i) => `Sentence number ${i + 1} of the story.`).join(' ');

// About four seconds of streaming: long enough for several previews at their pace.
function model(req: ModelRequest) {
  if (req.kind !== 'main') return reply.text('side call');
  return reply.text(STORY, { chunkChars: 12, chunkDelayMs: 25 });
}

async function ask(stack: Stack, text: string) {
  const before = stack.telegram.messagesIn(TEST_USER_ID).filter((m) => m.method === 'sendMessage').length;
  const asked = Date.now();
  stack.telegram.sendText({ userId: TEST_USER_ID, text });
  const answer = await stack.telegram.waitFor(
    () =>
      stack.telegram
        .messagesIn(TEST_USER_ID)
        .find((m) => m.method === 'sendMessage' && m.text === STORY && m.at >= asked),
    60_000,
  );
  return { asked, answer, before };
}

describe('answers streamed as drafts in a private chat', () => {
  let stack: Stack;

  beforeAll(async () => {
    stack = await startStack({ handler: model });
  });

  afterAll(async () => {
    await stack?.close();
  });

  it('shows drafts while the model writes, at most one a second, then delivers the answer once', async () => {
    const { asked, answer } = await ask(stack, 'tell me a story');
    const drafts = stack.telegram.calls.filter((c) => c.method === 'sendMessageDraft' && c.at >= asked);
    expect(drafts.length).toBeGreaterThanOrEqual(2);
    for (const draft of drafts)
      expect(STORY.startsWith(String(draft.params.text).replace(/…$/, ''))).toBe(true);
    // Written while the model was still streaming: before the answer, and not the whole story yet.
    expect(drafts[0]?.at).toBeLessThan(answer.at);
    expect(String(drafts[0]?.params.text).length).toBeLessThan(STORY.length);
    for (let i = 1; i < drafts.length; i++) {
      expect((drafts[i]?.at ?? 0) - (drafts[i - 1]?.at ?? 0)).toBeGreaterThanOrEqual(950);
    }
    const answers = stack.telegram.messagesIn(TEST_USER_ID).filter((m) => m.text === STORY);
    expect(answers).toHaveLength(1);
  });

  it('delivers the answer once when Telegram throttles every draft', async () => {
    stack.telegram.failNext('sendMessageDraft', {
      errorCode: 429,
      description: 'Too Many Requests: retry after 1',
      retryAfter: 1,
      times: 100,
    });
    const { asked } = await ask(stack, 'another story');
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const answers = stack.telegram.messagesIn(TEST_USER_ID).filter((m) => m.text === STORY && m.at >= asked);
    expect(answers).toHaveLength(1);
  });
});

describe('answers streamed by editing a preview message', () => {
  let stack: Stack;

  beforeAll(async () => {
    stack = await startStack({
      handler: model,
      config: (urls) => {
        const config = defaultStackConfig(urls);
        return { ...config, telegram: { ...(config.telegram as object), stream: 'edit' } };
      },
    });
  });

  afterAll(async () => {
    await stack?.close();
  });

  it('edits one preview in place, then removes it once the answer has arrived', async () => {
    const { asked, answer } = await ask(stack, 'tell me a story');
    const previews = stack.telegram
      .messagesIn(TEST_USER_ID)
      .filter((m) => m.at >= asked && m.messageId !== answer.messageId);
    const previewId = previews[0]?.messageId;
    expect(previews[0]?.method).toBe('sendMessage');
    expect(previews.every((m) => m.messageId === previewId)).toBe(true);
    expect(previews.some((m) => m.method === 'editMessageText')).toBe(true);
    const deleted = await stack.telegram.waitFor(() =>
      stack.telegram.calls.find(
        (c) => c.method === 'deleteMessage' && Number(c.params.message_id) === previewId,
      ),
    );
    expect(deleted.at).toBeGreaterThanOrEqual(answer.at);
    expect(stack.telegram.calls.some((c) => c.method === 'sendMessageDraft')).toBe(false);
  });
});
