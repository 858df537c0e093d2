import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Store } from './index.js';

let dir: string;
let store: Store;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'praktor-deliveries-'));
  store = Store.open(dir);
});

afterEach(() => {
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

const chunk = (text: string) => ({ html: text, plain: text });

/** An answer from `agentId` to a Telegram message in chat 42, waiting for delivery. */
function answered(agentId: string, text: string) {
  const { message } = store.messages.receive({
    channel: 'telegram',
    chatId: '42',
    sender: 'user:7',
    text: 'hello',
  });
  store.messages.route(message.id, agentId, 'question');
  return store.messages.answer(message.id, { agentId, sender: 'agent', text });
}

describe('TelegramDeliveryStore', () => {
  let deliveries: Store['telegramDeliveries'];
  beforeEach(() => {
    deliveries = store.telegramDeliveries;
  });

  it('finds the agent behind a delivered chunk', () => {
    const answer = answered('coder', 'long');
    deliveries.planDelivery(answer.id, '42', [chunk('a'), chunk('b')]);
    deliveries.chunkSent(answer.id, 0, '100');
    deliveries.chunkSent(answer.id, 1, '101');
    expect(deliveries.agentOfDelivery('42', '101')).toBe('coder');
    expect(deliveries.agentOfDelivery('43', '101')).toBeNull();
  });

  it('marks an answer sent only when its last chunk is confirmed', () => {
    const answer = answered('coder', 'long');
    deliveries.planDelivery(answer.id, '42', [chunk('a'), chunk('b')]);
    expect(deliveries.chunkSent(answer.id, 0, '100')).toBeNull();
    expect(store.messages.get(answer.id)?.state).toBe('pending');
    expect(deliveries.chunkSent(answer.id, 1, '101')?.state).toBe('sent');
  });

  it('keeps the first delivery plan, so a restart does not send confirmed chunks again', () => {
    const answer = answered('coder', 'long');
    deliveries.planDelivery(answer.id, '42', [chunk('a'), chunk('b')]);
    deliveries.chunkSent(answer.id, 0, '100');
    deliveries.planDelivery(answer.id, '42', [chunk('a'), chunk('b')]);
    expect(deliveries.pendingChunks(answer.id).map((c) => c.plain)).toEqual(['b']);
  });

  it('fails the unsent chunks with their answer, counted as a failed delivery', () => {
    const answer = answered('coder', 'lost');
    deliveries.planDelivery(answer.id, '42', [chunk('a'), chunk('b')]);
    deliveries.chunkSent(answer.id, 0, '100');
    expect(deliveries.deliveryFailed(answer.id, 'Forbidden: bot was blocked by the user')).toMatchObject({
      state: 'failed',
      error: 'delivery failed: Forbidden: bot was blocked by the user',
    });
    expect(deliveries.pendingChunks(answer.id)).toEqual([]);
    expect(store.messages.backlog().failedDeliveries).toBe(1);
  });

  it('counts the chunks a stopped run left in flight', () => {
    const answer = answered('coder', 'long');
    deliveries.planDelivery(answer.id, '42', [chunk('a'), chunk('b')]);
    deliveries.chunkSending(answer.id, 0);
    expect(deliveries.chunksInFlight()).toBe(1);
    deliveries.chunkAttemptFailed(answer.id, 0, 'network error');
    expect(deliveries.chunksInFlight()).toBe(0);
    expect(deliveries.pendingChunks(answer.id)[0]).toMatchObject({ seq: 0, attempts: 1 });
  });
});
