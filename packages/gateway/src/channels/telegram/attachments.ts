/**
 * Files people send the bot: which one a message carries (a document, the largest size of a photo, audio, video, a
 * voice note, a video note, an animation) and its download through getFile and the Bot API's file URL, within the
 * size Telegram lets a bot download.
 */
import { readFile } from 'node:fs/promises';
import { isAbsolute } from 'node:path';
import { messageOf } from '@praktor/protocol';
import type { Api } from 'grammy';
import type { Message } from 'grammy/types';
import type { IncomingFile } from '../../inbox.js';

/** A file a message carries, before it is downloaded. */
export interface TelegramAttachment {
  fileId: string;
  /** The sender's name for it; null for kinds that have none (photos, voice notes, video notes). */
  name: string | null;
  mimeType: string;
  /** `document`, `photo`, `audio`, `video`, `voice`, `video note` or `animation`. */
  kind: string;
  /** As Telegram reports it; it may not. */
  size: number | null;
}

/** Telegram's cloud Bot API lets a bot download files up to 20 MB; a local Bot API server has no such limit. */
export const CLOUD_DOWNLOAD_LIMIT = 20 * 1024 * 1024;
const CLOUD_API_ROOT = 'https://api.telegram.org';
/** Long enough for a large file from a local Bot API server. */
const DOWNLOAD_TIMEOUT_MS = 10 * 60_000;

/** A file that could not be downloaded; the message says why, for the sender. */
export class DownloadError extends Error {}

/** The file `message` carries, or null for a message without one. */
export function attachmentOf(message: Message): TelegramAttachment | null {
  const size = (file: { file_size?: number }) => file.file_size ?? null;
  // An animation also comes as a document; it is told as what it is.
  if (message.animation) {
    const a = message.animation;
    return {
      fileId: a.file_id,
      name: a.file_name ?? null,
      mimeType: a.mime_type ?? 'video/mp4',
      kind: 'animation',
      size: size(a),
    };
  }
  if (message.document) {
    const d = message.document;
    return {
      fileId: d.file_id,
      name: d.file_name ?? null,
      mimeType: d.mime_type ?? 'application/octet-stream',
      kind: 'document',
      size: size(d),
    };
  }
  if (message.photo && message.photo.length > 0) {
    const largest = message.photo.reduce((best, p) =>
      p.width * p.height > best.width * best.height ? p : best,
    );
    return {
      fileId: largest.file_id,
      name: null,
      mimeType: 'image/jpeg',
      kind: 'photo',
      size: size(largest),
    };
  }
  if (message.audio) {
    const a = message.audio;
    return {
      fileId: a.file_id,
      name: a.file_name ?? null,
      mimeType: a.mime_type ?? 'audio/mpeg',
      kind: 'audio',
      size: size(a),
    };
  }
  if (message.video) {
    const v = message.video;
    return {
      fileId: v.file_id,
      name: v.file_name ?? null,
      mimeType: v.mime_type ?? 'video/mp4',
      kind: 'video',
      size: size(v),
    };
  }
  if (message.voice) {
    const v = message.voice;
    return {
      fileId: v.file_id,
      name: null,
      mimeType: v.mime_type ?? 'audio/ogg',
      kind: 'voice',
      size: size(v),
    };
  }
  if (message.video_note) {
    const v = message.video_note;
    return { fileId: v.file_id, name: null, mimeType: 'video/mp4', kind: 'video note', size: size(v) };
  }
  return null;
}

/**
 * Downloads `attachment` from the Bot API at `apiRoot` with `token`: by its file URL, or, from a local Bot API
 * server that answers getFile with an absolute path, from disk. Throws a DownloadError for a file over the cloud
 * API's limit (without trying), or one whose download fails.
 */
export async function download(
  api: Api,
  apiRoot: string,
  token: string,
  attachment: TelegramAttachment,
): Promise<IncomingFile> {
  const limited = apiRoot === CLOUD_API_ROOT;
  const tooLarge = () =>
    new DownloadError(
      `it is larger than the ${CLOUD_DOWNLOAD_LIMIT / (1024 * 1024)} MB Telegram lets a bot download ` +
        '(a local Bot API server, set as telegram.api_root, lifts the limit)',
    );
  if (limited && attachment.size !== null && attachment.size > CLOUD_DOWNLOAD_LIMIT) throw tooLarge();
  let path: string | undefined;
  try {
    path = (await api.getFile(attachment.fileId)).file_path;
  } catch (err) {
    const reason = messageOf(err);
    throw new DownloadError(
      /file is too big/i.test(reason) ? tooLarge().message : `Telegram refused it (${reason})`,
    );
  }
  if (!path) throw new DownloadError('Telegram gave no path to download it from');
  const content = isAbsolute(path)
    ? ((await readLocalFile(path)) ?? (await fetchFile(`${apiRoot}/file/bot${token}${path}`)))
    : await fetchFile(`${apiRoot}/file/bot${token}/${path}`);
  return { name: attachment.name, mimeType: attachment.mimeType, kind: attachment.kind, content };
}

/**
 * A file a local Bot API server (started with `--local`) names by its absolute path: read from disk, which the
 * gateway shares with it. Null when it is not there (a server on another host), to try its URL instead.
 */
async function readLocalFile(path: string): Promise<Buffer | null> {
  try {
    return await readFile(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new DownloadError(`the local Bot API server's file could not be read (${messageOf(err)})`);
  }
}

async function fetchFile(url: string): Promise<Buffer> {
  const response = await fetch(url, { signal: AbortSignal.timeout(DOWNLOAD_TIMEOUT_MS) }).catch(
    (err: unknown) => {
      throw new DownloadError(`the download failed (${messageOf(err)})`);
    },
  );
  if (!response.ok) throw new DownloadError(`the download failed (HTTP ${response.status})`);
  return Buffer.from(await response.arrayBuffer());
}
