/**
 * Answers streamed into Telegram while the model writes them: drafts in a private chat, or a preview message edited
 * in place (groups, `telegram.stream: edit`, or a Bot API that refuses drafts) and removed once the answer arrives;
 * either way the answer itself is delivered once, the same as without streaming, even when Telegram throttles every
 * draft.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  defaultStackConfig,
  eventually,
  type ModelRequest,
  type RecordedCall,
  reply,
  type SentMessage,
  type Stack,
  startStack,
  TEST_USER_ID,
} from '@praktor/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const STORY = Array.from({ length: 60 }, (_, i) => `Sentence number ${i + 1} of the story.`).join(' ');
const GROUP_ID = -1001234567890;
const SECOND_USER_ID = 2002;
const THIRD_USER_ID = 3003;

// About four seconds of streaming: long enough for several drafts or two preview updates at their pace. Asked
// "slowly", about seven: long enough for a preview message and two edits.
function model(req: ModelRequest) {
  if (req.kind !== 'main') return reply.text('side call');
  const chunkDelayMs = req.lastUserText.includes('slowly') ? 40 : 25;
  return reply.text(STORY, { chunkChars: 12, chunkDelayMs });
}

/** `userId` asks `text` in `chatId` (their private chat unless told); resolves once the whole story arrived there. */
async function ask(stack: Stack, text: string, opts: { userId?: number; chatId?: number } = {}) {
  const userId = opts.userId ?? TEST_USER_ID;
  const chatId = opts.chatId ?? userId;
  const asked = Date.now();
  stack.telegram.sendText({ userId, chatId, text });
  const answer = await stack.telegram.waitFor(
    () =>
      stack.telegram
        .messagesIn(chatId)
        .find((m) => m.method === 'sendMessage' && m.text === STORY && m.at >= asked),
    60_000,
  );
  return { asked, answer };
}

function draftsSince(stack: Stack, since: number, chatId = TEST_USER_ID): RecordedCall[] {
  return stack.telegram.calls.filter(
    (c) => c.method === 'sendMessageDraft' && c.at >= since && Number(c.params.chat_id) === chatId,
  );
}

/** What the bot sent or edited in `chatId` since `since`, apart from the answer. */
function previewsSince(stack: Stack, since: number, answer: SentMessage): SentMessage[] {
  return stack.telegram
    .messagesIn(answer.chatId)
    .filter((m) => m.at >= since && m.messageId !== answer.messageId);
}

/** Expects one preview message, edited in place, then removed after the answer arrived. */
async function expectEditedPreview(stack: Stack, since: number, answer: SentMessage): Promise<SentMessage[]> {
  const previews = previewsSince(stack, since, answer);
  const previewId = previews[0]?.messageId;
  expect(previews[0]?.method).toBe('sendMessage');
  expect(previews.every((m) => m.messageId === previewId)).toBe(true);
  expect(previews.some((m) => m.method === 'editMessageText')).toBe(true);
  for (const preview of previews) expect(STORY.startsWith(preview.text.replace(/…$/, ''))).toBe(true);
  const deleted = await stack.telegram.waitFor(() =>
    stack.telegram.calls.find(
      (c) =>
        c.method === 'deleteMessage' &&
        Number(c.params.chat_id) === answer.chatId &&
        Number(c.params.message_id) === previewId,
    ),
  );
  expect(deleted.at).toBeGreaterThanOrEqual(answer.at);
  return previews;
}

/** Messages sent with the whole story (a preview's last edit may show it all too). */
function answersSince(stack: Stack, since: number, chatId = TEST_USER_ID): SentMessage[] {
  return stack.telegram
    .messagesIn(chatId)
    .filter((m) => m.method === 'sendMessage' && m.text === STORY && m.at >= since);
}

describe('answers streamed as drafts in a private chat', () => {
  let stack: Stack;

  beforeAll(async () => {
    stack = await startStack({ handler: model });
  });

  afterAll(async () => {
    await stack?.close();
  });

  /** Rewrites praktor.yaml with `telegram.stream` set and waits for the gateway to reload it. */
  async function setStream(mode: 'draft' | 'off'): Promise<void> {
    const file = join(stack.praktor.home, 'praktor.yaml');
    const config = JSON.parse(readFileSync(file, 'utf8')) as { telegram: Record<string, unknown> };
    const reloads = () => stack.praktor.logs().filter((line) => line.msg === 'config reloaded').length;
    const before = reloads();
    writeFileSync(
      file,
      JSON.stringify({ ...config, telegram: { ...config.telegram, stream: mode } }, null, 2),
    );
    await eventually(
      'the config reloaded',
      async () => reloads(),
      (count) => count > before,
    );
  }

  it('shows drafts while the model writes, at most one a second, then delivers the answer once', async () => {
    const { asked, answer } = await ask(stack, 'tell me a story');
    const drafts = draftsSince(stack, asked);
    expect(drafts.length).toBeGreaterThanOrEqual(2);
    for (const draft of drafts)
      expect(STORY.startsWith(String(draft.params.text).replace(/…$/, ''))).toBe(true);
    // Written while the model was still streaming: before the answer, and not the whole story yet.
    expect(drafts[0]?.at).toBeLessThan(answer.at);
    expect(String(drafts[0]?.params.text).length).toBeLessThan(STORY.length);
    for (let i = 1; i < drafts.length; i++) {
      expect((drafts[i]?.at ?? 0) - (drafts[i - 1]?.at ?? 0)).toBeGreaterThanOrEqual(950);
    }
    expect(answersSince(stack, asked)).toHaveLength(1);
    expect(previewsSince(stack, asked, answer)).toEqual([]);
  });

  it('delivers the same final message with streaming off as with drafts', async () => {
    const streamed = await ask(stack, 'tell me a story');
    expect(draftsSince(stack, streamed.asked).length).toBeGreaterThanOrEqual(1);
    await setStream('off');
    try {
      const { asked, answer } = await ask(stack, 'tell me a story');
      expect(draftsSince(stack, asked)).toEqual([]);
      expect(previewsSince(stack, asked, answer)).toEqual([]);
      const { at: _streamedAt, messageId: _streamedId, ...streamedAnswer } = streamed.answer;
      const { at: _at, messageId: _id, ...plainAnswer } = answer;
      expect(plainAnswer).toEqual(streamedAnswer);
    } finally {
      await setStream('draft');
    }
  });

  it('edits a preview message in a group, no faster than every three seconds, and sends no drafts', async () => {
    const { asked, answer } = await ask(stack, 'tell the group a story slowly', { chatId: GROUP_ID });
    expect(stack.telegram.calls.filter((c) => c.method === 'sendMessageDraft' && c.at >= asked)).toEqual([]);
    const previews = await expectEditedPreview(stack, asked, answer);
    expect(previews.filter((m) => m.method === 'editMessageText').length).toBeGreaterThanOrEqual(2);
    // When the bot asked (the fake records arrival), not when the fake answered.
    const previewId = previews[0]?.messageId;
    const previewCalls = stack.telegram.calls.filter(
      (c) =>
        c.at >= asked &&
        Number(c.params.chat_id) === GROUP_ID &&
        (c.method === 'editMessageText'
          ? Number(c.params.message_id) === previewId
          : c.method === 'sendMessage' &&
            c.response?.ok === true &&
            (c.response.result as { message_id: number }).message_id === previewId),
    );
    expect(previewCalls.length).toBe(previews.length);
    for (let i = 1; i < previewCalls.length; i++) {
      expect((previewCalls[i]?.at ?? 0) - (previewCalls[i - 1]?.at ?? 0)).toBeGreaterThanOrEqual(2950);
    }
    expect(answersSince(stack, asked, GROUP_ID)).toHaveLength(1);
  });

  // Last: the throttling it injects outlasts the test.
  it('keeps trying drafts at the pace Telegram asks when it throttles every one, and delivers the answer once', async () => {
    stack.telegram.failNext('sendMessageDraft', {
      errorCode: 429,
      description: 'Too Many Requests: retry after 1',
      retryAfter: 1,
      times: 100,
    });
    const { asked, answer } = await ask(stack, 'another story');
    const drafts = draftsSince(stack, asked);
    expect(drafts.length).toBeGreaterThanOrEqual(2);
    for (const draft of drafts) expect(draft.response).toMatchObject({ ok: false, error_code: 429 });
    for (let i = 1; i < drafts.length; i++) {
      expect((drafts[i]?.at ?? 0) - (drafts[i - 1]?.at ?? 0)).toBeGreaterThanOrEqual(950);
    }
    // Throttled is not refused: no preview message instead.
    expect(previewsSince(stack, asked, answer)).toEqual([]);
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(answersSince(stack, asked)).toHaveLength(1);
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
    await expectEditedPreview(stack, asked, answer);
    expect(stack.telegram.calls.some((c) => c.method === 'sendMessageDraft')).toBe(false);
  });
});

describe('answers previewed by editing a message where Telegram refuses drafts', () => {
  let stack: Stack;

  beforeAll(async () => {
    stack = await startStack({
      handler: model,
      config: (urls) => {
        const config = defaultStackConfig(urls);
        const allowFrom = [TEST_USER_ID, SECOND_USER_ID, THIRD_USER_ID];
        return { ...config, telegram: { ...(config.telegram as object), allow_from: allowFrom } };
      },
    });
  });

  afterAll(async () => {
    await stack?.close();
  });

  it('edits a preview message in a chat whose draft Telegram refused, and tries no more drafts there', async () => {
    stack.telegram.failNext('sendMessageDraft', {
      errorCode: 400,
      description: 'Bad Request: TEXTDRAFT_PEER_INVALID',
    });
    const first = await ask(stack, 'tell me a story', { userId: SECOND_USER_ID });
    expect(draftsSince(stack, first.asked, SECOND_USER_ID)).toHaveLength(1);
    await expectEditedPreview(stack, first.asked, first.answer);
    expect(answersSince(stack, first.asked, SECOND_USER_ID)).toHaveLength(1);

    const again = await ask(stack, 'tell me a story', { userId: SECOND_USER_ID });
    expect(draftsSince(stack, again.asked, SECOND_USER_ID)).toEqual([]);
    await expectEditedPreview(stack, again.asked, again.answer);
  });

  it('edits a preview message when the Bot API server has no drafts, and tries no more drafts in any chat', async () => {
    stack.telegram.failNext('sendMessageDraft', {
      errorCode: 404,
      description: 'Not Found: method not found',
    });
    // Drafts were refused in another chat only: this one still tries.
    const first = await ask(stack, 'tell me a story');
    expect(draftsSince(stack, first.asked)).toHaveLength(1);
    await expectEditedPreview(stack, first.asked, first.answer);
    expect(answersSince(stack, first.asked)).toHaveLength(1);

    const elsewhere = await ask(stack, 'tell me a story', { userId: THIRD_USER_ID });
    expect(
      stack.telegram.calls.filter((c) => c.method === 'sendMessageDraft' && c.at >= elsewhere.asked),
    ).toEqual([]);
    await expectEditedPreview(stack, elsewhere.asked, elsewhere.answer);
  });
});
