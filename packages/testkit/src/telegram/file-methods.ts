import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { badRequest } from './api-error.js';
import { MAX_DOWNLOAD_BYTES, mimeTypeFor, type StoredFile } from './files.js';
import { CAPTION, formatText } from './formatted-text.js';
import { deliver, type MessageContent, requireChat } from './message-methods.js';
import type { MethodContext, MethodHandler } from './state.js';
import type { SentFile, UploadedFile } from './types.js';

type MediaKind = 'photo' | 'document' | 'voice';

/**
 * The file a media parameter names: an upload referenced as `attach://<part>`, a part named like
 * the parameter itself, or a file_id the fake already knows. New uploads are stored.
 */
function inputFile(context: MethodContext, kind: MediaKind): { stored: StoredFile; upload?: UploadedFile } {
  const { params, files, state } = context;
  const reference = params.string(kind);
  let upload: UploadedFile | undefined;
  if (reference === undefined) {
    upload = files.find((file) => file.field === kind);
    if (!upload) throw badRequest(`there is no ${kind} in the request`);
  } else if (reference.startsWith('attach://')) {
    const part = reference.slice('attach://'.length);
    upload = files.find((file) => file.field === part);
    if (!upload) throw badRequest('wrong file identifier/HTTP URL specified');
  } else {
    const known = state.files.get(reference);
    if (!known) throw badRequest('wrong file identifier/HTTP URL specified');
    return { stored: known };
  }
  if (upload.size === 0) throw badRequest('file must be non-empty');
  // Telegram re-encodes photos as JPEG; a voice message is OGG/Opus; documents keep a type derived from their name.
  const mimeType =
    kind === 'photo'
      ? 'image/jpeg'
      : kind === 'voice'
        ? 'audio/ogg'
        : mimeTypeFor(upload.fileName, upload.mimeType);
  const folder = kind === 'photo' ? 'photos' : kind === 'voice' ? 'voice' : 'documents';
  return { stored: state.files.add(upload.bytes, upload.fileName, mimeType, folder), upload };
}

// The fake does not decode images, so photo sizes carry no real dimensions.
function mediaFields(kind: MediaKind, file: StoredFile): MessageContent {
  const common = { file_id: file.fileId, file_unique_id: file.fileUniqueId, file_size: file.bytes.length };
  if (kind === 'photo') return { photo: [{ ...common, width: 0, height: 0 }] };
  if (kind === 'voice') return { voice: { ...common, duration: 0, mime_type: file.mimeType } };
  return { document: { ...common, file_name: file.fileName, mime_type: file.mimeType } };
}

function sendMedia(kind: MediaKind): MethodHandler {
  return (context) => {
    const { params } = context;
    const chat = requireChat(context);
    const caption = formatText(
      params.string('caption') ?? '',
      params.string('parse_mode'),
      params.array('caption_entities'),
      CAPTION,
    );
    const { stored, upload } = inputFile(context, kind);
    const content: MessageContent = mediaFields(kind, stored);
    if (caption.text !== '') content.caption = caption.text;
    if (caption.entities.length > 0) content.caption_entities = caption.entities;
    const sentFile: SentFile = {
      kind,
      fileId: stored.fileId,
      fileName: upload?.fileName ?? stored.fileName,
      mimeType: stored.mimeType,
      size: stored.bytes.length,
    };
    return deliver(
      context,
      chat,
      kind === 'photo' ? 'sendPhoto' : kind === 'voice' ? 'sendVoice' : 'sendDocument',
      caption,
      content,
      sentFile,
    );
  };
}

/** sendPhoto: an upload or known file_id, with an optional formatted caption. */
export const sendPhoto = sendMedia('photo');
/** sendDocument: an upload or known file_id, with an optional formatted caption. */
export const sendDocument = sendMedia('document');
/** sendVoice: an OGG/Opus upload or known file_id, with an optional formatted caption. */
export const sendVoice = sendMedia('voice');

/**
 * getFile: the file_path to download a known file from; playing a local Bot API server, the absolute path of the
 * file written to disk, whatever its size.
 */
export const getFile: MethodHandler = ({ params, state }) => {
  const fileId = params.string('file_id');
  const file = fileId === undefined ? undefined : state.files.get(fileId);
  if (!file) throw badRequest('invalid file_id');
  let filePath = file.filePath;
  if (state.localFilesDir === null) {
    if (file.bytes.length > MAX_DOWNLOAD_BYTES) throw badRequest('file is too big');
  } else {
    filePath = join(state.localFilesDir, file.filePath);
    mkdirSync(dirname(filePath), { recursive: true });
    writeFileSync(filePath, file.bytes);
  }
  return {
    file_id: file.fileId,
    file_unique_id: file.fileUniqueId,
    file_size: file.bytes.length,
    file_path: filePath,
  };
};
