import type { Message } from 'grammy/types';
import { describe, expect, it } from 'vitest';
import { attachmentOf } from './attachments.js';

/** A private-chat message carrying `fields`, as the Bot API delivers it. */
function message(fields: Partial<Message>): Message {
  return {
    message_id: 1,
    date: 1_800_000_000,
    chat: { id: 1001, type: 'private', first_name: 'Ann' },
    ...fields,
  } as Message;
}

const file = (id: string, size?: number) => ({
  file_id: id,
  file_unique_id: `u-${id}`,
  ...(size === undefined ? {} : { file_size: size }),
});

describe('the file a Telegram message carries', () => {
  it('is none for a text message', () => {
    expect(attachmentOf(message({ text: 'hello' }))).toBeNull();
  });

  it('is a document with the name and type the sender gave', () => {
    const document = { ...file('doc', 1234), file_name: 'report.pdf', mime_type: 'application/pdf' };
    expect(attachmentOf(message({ document }))).toEqual({
      fileId: 'doc',
      name: 'report.pdf',
      mimeType: 'application/pdf',
      kind: 'document',
      size: 1234,
    });
  });

  it('is the largest size of a photo, whatever the order Telegram lists them in', () => {
    const photo = [
      { ...file('medium', 20_000), width: 320, height: 240 },
      { ...file('large', 90_000), width: 1280, height: 960 },
      { ...file('small', 2_000), width: 90, height: 67 },
    ];
    expect(attachmentOf(message({ photo, caption: 'look' }))).toEqual({
      fileId: 'large',
      name: null,
      mimeType: 'image/jpeg',
      kind: 'photo',
      size: 90_000,
    });
  });

  it('is an audio file with its name and type', () => {
    const audio = { ...file('song', 5_000), duration: 180, file_name: 'song.flac', mime_type: 'audio/flac' };
    expect(attachmentOf(message({ audio }))).toEqual({
      fileId: 'song',
      name: 'song.flac',
      mimeType: 'audio/flac',
      kind: 'audio',
      size: 5_000,
    });
  });

  it('is a video with its name and type', () => {
    const video = {
      ...file('clip', 8_000),
      width: 640,
      height: 360,
      duration: 12,
      file_name: 'clip.webm',
      mime_type: 'video/webm',
    };
    expect(attachmentOf(message({ video }))).toEqual({
      fileId: 'clip',
      name: 'clip.webm',
      mimeType: 'video/webm',
      kind: 'video',
      size: 8_000,
    });
  });

  it('is a voice note, nameless', () => {
    const voice = { ...file('voice', 700), duration: 3, mime_type: 'audio/ogg' };
    expect(attachmentOf(message({ voice }))).toEqual({
      fileId: 'voice',
      name: null,
      mimeType: 'audio/ogg',
      kind: 'voice',
      size: 700,
    });
  });

  it('is a video note, nameless and MP4, as Telegram records them', () => {
    const video_note = { ...file('round', 3_000), length: 240, duration: 5 };
    expect(attachmentOf(message({ video_note }))).toEqual({
      fileId: 'round',
      name: null,
      mimeType: 'video/mp4',
      kind: 'video note',
      size: 3_000,
    });
  });

  it('is an animation, not the document Telegram sends along with it', () => {
    const animation = {
      ...file('gif', 4_000),
      width: 320,
      height: 240,
      duration: 2,
      file_name: 'dance.mp4',
      mime_type: 'video/mp4',
    };
    const document = { ...file('gif', 4_000), file_name: 'dance.mp4', mime_type: 'video/mp4' };
    expect(attachmentOf(message({ animation, document }))).toEqual({
      fileId: 'gif',
      name: 'dance.mp4',
      mimeType: 'video/mp4',
      kind: 'animation',
      size: 4_000,
    });
  });

  it('has each kind’s usual type and an unknown size when Telegram reports neither', () => {
    const kinds: [Partial<Message>, string][] = [
      [{ document: file('d') }, 'application/octet-stream'],
      [{ audio: { ...file('a'), duration: 1 } }, 'audio/mpeg'],
      [{ video: { ...file('v'), width: 1, height: 1, duration: 1 } }, 'video/mp4'],
      [{ voice: { ...file('n'), duration: 1 } }, 'audio/ogg'],
      [{ animation: { ...file('g'), width: 1, height: 1, duration: 1 } }, 'video/mp4'],
    ];
    for (const [fields, mimeType] of kinds) {
      const attachment = attachmentOf(message(fields));
      expect(attachment?.mimeType, attachment?.kind).toBe(mimeType);
      expect(attachment?.size, attachment?.kind).toBeNull();
      expect(attachment?.name, attachment?.kind).toBeNull();
    }
  });
});
