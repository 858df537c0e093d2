/**
 * The files inbound messages brought, as saved in their agent's workspace: what a turn shows the model as images,
 * and whether a message was a voice note (to be answered with a voice message too).
 */
import type { Db } from './database.js';

/** A file saved from an inbound message. */
export interface SavedUpload {
  /** Relative to the agent's workspace. */
  path: string;
  mimeType: string;
  /** What the channel called it: `photo`, `document`, `voice`, … */
  kind: string;
  size: number;
}

/** Reads and writes the uploads of messages. */
export class MessageUploadStore {
  constructor(private readonly db: Db) {}

  /** Records the files saved from inbound message `messageId`. */
  record(messageId: number, uploads: readonly SavedUpload[]): void {
    const insert = this.db.prepare(
      'INSERT INTO message_uploads (message_id, path, mime_type, kind, size) VALUES (?, ?, ?, ?, ?)',
    );
    this.db.transaction(() => {
      for (const u of uploads) insert.run(messageId, u.path, u.mimeType, u.kind, u.size);
    })();
  }

  /** The files saved from message `messageId`, in the order they came. */
  of(messageId: number): SavedUpload[] {
    return this.db
      .prepare<[number], { path: string; mime_type: string; kind: string; size: number }>(
        'SELECT path, mime_type, kind, size FROM message_uploads WHERE message_id = ? ORDER BY rowid',
      )
      .all(messageId)
      .map((row) => ({ path: row.path, mimeType: row.mime_type, kind: row.kind, size: row.size }));
  }
}
