import { extname } from 'node:path';
import { mediaTypeOfName } from '@praktor/protocol';

/** A file Telegram knows: uploaded by the bot or registered by a test as an incoming file. */
export interface StoredFile {
  fileId: string;
  fileUniqueId: string;
  /** Path under `<apiRoot>/file/bot<token>/`, as getFile reports it. */
  filePath: string;
  fileName: string;
  mimeType: string;
  bytes: Buffer;
}

/**
 * The mime type Telegram would report for a file name, falling back to the declared one: Telegram derives a
 * document's type from its name, not from the upload's header.
 */
export function mimeTypeFor(fileName: string, declared = 'application/octet-stream'): string {
  return mediaTypeOfName(fileName) ?? declared;
}

/** Telegram's getFile refuses files over 20 MB for bots. */
export const MAX_DOWNLOAD_BYTES = 20 * 1024 * 1024;

/** All files of the fake, by id and by download path. */
export class FileStore {
  private readonly byId = new Map<string, StoredFile>();
  private readonly byPath = new Map<string, StoredFile>();
  private counter = 0;

  add(
    bytes: Uint8Array,
    fileName: string,
    mimeType: string,
    folder: 'documents' | 'photos' | 'voice',
  ): StoredFile {
    this.counter++;
    const file: StoredFile = {
      fileId: `fake-${folder}-${this.counter}`,
      fileUniqueId: `fake-unique-${this.counter}`,
      filePath: `${folder}/file_${this.counter}${extname(fileName).toLowerCase()}`,
      fileName,
      mimeType,
      bytes: Buffer.from(bytes),
    };
    this.byId.set(file.fileId, file);
    this.byPath.set(file.filePath, file);
    return file;
  }

  get(fileId: string): StoredFile | undefined {
    return this.byId.get(fileId);
  }

  atPath(filePath: string): StoredFile | undefined {
    return this.byPath.get(filePath);
  }
}
