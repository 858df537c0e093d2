/**
 * Files that go with messages: what an agent sends with `file_send`, kept in the database with its message, so the
 * message and its file are recorded together and a restart still delivers both.
 */
import type { MessageFile, MessageView } from '@praktor/protocol';
import type { Db } from './database.js';
import type { MessageStore } from './messages.js';

/** A file with its bytes. */
export interface StoredFile {
  name: string;
  mimeType: string;
  content: Buffer;
  /** Sent as a voice message (a spoken answer, OGG/Opus) rather than as a file. */
  voice?: boolean;
}

/** Reads and writes the files of messages. */
export class MessageFileStore {
  constructor(
    private readonly db: Db,
    private readonly messages: MessageStore,
  ) {}

  /**
   * Records a file an agent sends to the chat of inbound message `inboundId` (or its answer spoken, as a voice
   * message), as an outbound message pending delivery with `caption` as its text, in one transaction.
   */
  send(inboundId: number, agentId: string, file: StoredFile, caption: string): MessageView {
    return this.db.transaction(() => {
      const message = this.messages.followUp(inboundId, { agentId, sender: 'agent', text: caption });
      this.db
        .prepare(
          'INSERT INTO message_files (message_id, name, mime_type, size, content, voice) VALUES (?, ?, ?, ?, ?, ?)',
        )
        .run(message.id, file.name, file.mimeType, file.content.length, file.content, file.voice ? 1 : 0);
      return message;
    })();
  }

  /** The file of message `messageId` with its bytes, or null when it has none. */
  get(messageId: number): StoredFile | null {
    const row = this.db
      .prepare<[number], { name: string; mime_type: string; content: Buffer; voice: number }>(
        'SELECT name, mime_type, content, voice FROM message_files WHERE message_id = ?',
      )
      .get(messageId);
    return row
      ? { name: row.name, mimeType: row.mime_type, content: row.content, voice: row.voice === 1 }
      : null;
  }

  /** Whether message `messageId` has a file; reads none of its bytes (up to 50 MB). */
  has(messageId: number): boolean {
    return (
      this.db
        .prepare<[number], unknown>('SELECT 1 FROM message_files WHERE message_id = ?')
        .get(messageId) !== undefined
    );
  }

  /** What the API says of the files of `messageIds`, for those that have one. */
  describe(messageIds: readonly number[]): Map<number, MessageFile> {
    const found = new Map<number, MessageFile>();
    if (messageIds.length === 0) return found;
    const rows = this.db
      .prepare<number[], { message_id: number; name: string; mime_type: string; size: number }>(
        `SELECT message_id, name, mime_type, size FROM message_files WHERE message_id IN (${messageIds.map(() => '?').join(',')})`,
      )
      .all(...messageIds);
    for (const row of rows)
      found.set(row.message_id, { name: row.name, mime_type: row.mime_type, size: row.size });
    return found;
  }
}
