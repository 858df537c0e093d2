import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Store } from './index.js';

let dir: string;
let store: Store;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'praktor-message-files-'));
  store = Store.open(dir);
});

afterEach(() => {
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

/** A Telegram message the agent `general` is answering. */
function question() {
  const { message } = store.messages.receive({
    channel: 'telegram',
    chatId: '42',
    sender: 'user:7',
    text: 'hi',
  });
  store.messages.route(message.id, 'general', 'question');
  return message;
}

describe('MessageFileStore', () => {
  it('keeps a 50 MB file with its message, byte for byte', () => {
    const content = Buffer.alloc(50 * 1024 * 1024, 7);
    const sent = store.messageFiles.send(
      question().id,
      'general',
      { name: 'big.bin', mimeType: 'x/y', content },
      '',
    );
    expect(store.messageFiles.get(sent.id)?.content.equals(content)).toBe(true);
  });

  it('tells which messages have a file', () => {
    const asked = question();
    const sent = store.messageFiles.send(
      asked.id,
      'general',
      { name: 'a.txt', mimeType: 'text/plain', content: Buffer.from('a') },
      '',
    );
    expect([store.messageFiles.has(sent.id), store.messageFiles.has(asked.id)]).toEqual([true, false]);
  });
});
