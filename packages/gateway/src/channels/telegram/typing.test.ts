import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { TypingIndicator } from './typing.js';

beforeEach(() => {
  vi.useFakeTimers();
});

afterEach(() => {
  vi.useRealTimers();
});

describe('TypingIndicator', () => {
  it('renews "typing…" every four seconds until the message is answered', async () => {
    const sent: string[] = [];
    const typing = new TypingIndicator(
      async (chatId) => sent.push(chatId),
      () => {},
    );
    typing.start(1, '42');
    await vi.advanceTimersByTimeAsync(8_500);
    typing.stop(1);
    await vi.advanceTimersByTimeAsync(8_000);
    expect(sent).toEqual(['42', '42', '42']);
  });

  it('reports the first failure of a message once and keeps trying', async () => {
    let attempts = 0;
    const failures: [string, string][] = [];
    const typing = new TypingIndicator(
      async () => {
        attempts++;
        throw new Error('Network request for sendChatAction failed!');
      },
      (err, chatId) => failures.push([(err as Error).message, chatId]),
    );
    typing.start(1, '42');
    await vi.advanceTimersByTimeAsync(8_500);
    typing.stopAll();
    expect(attempts).toBe(3);
    expect(failures).toEqual([['Network request for sendChatAction failed!', '42']]);
  });
});
