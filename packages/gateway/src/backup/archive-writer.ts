/**
 * Writes a backup archive as a stream: tar entries go through zstd into the file as they come, each regular file
 * hashed on the way, and the manifest closes the archive. Memory stays flat whatever the archive's size.
 */
import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { BackupFile, BackupManifest } from '@praktor/protocol';
import { extract, type Header, pack } from 'tar-stream';
import { CompressStream } from 'zstd-napi';
import { MANIFEST_NAME } from './layout.js';

/** The metadata of an entry to write; its name is the path in the archive. */
export type EntryHeader = Pick<Header, 'name' | 'mode' | 'uid' | 'gid' | 'mtime'>;

/** A regular file's content and its size. */
export interface Content {
  size: number;
  content: AsyncIterable<unknown>;
}

/** How much the tar stream is gathered into before zstd sees it: it is many times faster on large chunks. */
const COMPRESS_CHUNK = 1024 * 1024;

/** Gathers small chunks (tar headers, short files) into chunks of about {@link COMPRESS_CHUNK} bytes. */
function gather(): Transform {
  let held: Buffer[] = [];
  let size = 0;
  return new Transform({
    transform(chunk: Buffer, _encoding, done) {
      held.push(chunk);
      size += chunk.length;
      if (size >= COMPRESS_CHUNK) {
        const whole = Buffer.concat(held, size);
        held = [];
        size = 0;
        done(null, whole);
      } else done();
    },
    flush(done) {
      done(null, size > 0 ? Buffer.concat(held, size) : undefined);
    },
  });
}

/** An archive being written to a file. */
export class ArchiveWriter {
  private readonly tar = pack();
  private readonly written: Promise<void>;
  private readonly files: Record<string, BackupFile> = {};
  private entries = 0;

  /** Starts writing to `file` (created, or truncated); `onBytes` hears of every uncompressed byte. */
  constructor(
    file: string,
    private readonly onBytes: (n: number) => void = () => {},
  ) {
    this.written = pipeline(
      this.tar,
      gather(),
      new CompressStream({ checksumFlag: true }),
      createWriteStream(file),
    );
    // Seen by finish(); without a handler here a failed write would be an unhandled rejection meanwhile.
    this.written.catch(() => {});
  }

  /** Adds a folder. */
  dir(header: EntryHeader): Promise<void> {
    return this.add({ ...header, name: header.name.replace(/\/?$/, '/'), type: 'directory' });
  }

  /** Adds a symbolic link to `target`, which is kept as it is (absolute or relative). */
  symlink(header: EntryHeader, target: string): Promise<void> {
    return this.add({ ...header, type: 'symlink', linkname: target });
  }

  /**
   * Adds a regular file of `size` bytes read from `content`; rejects naming the file when it yields another
   * number of bytes (it changed while it was read).
   */
  async file(header: EntryHeader, size: number, content: AsyncIterable<unknown>): Promise<void> {
    const hash = createHash('sha256');
    let seen = 0;
    const sink = this.tar.entry({ ...header, type: 'file', size });
    const done = new Promise<void>((resolve, reject) => {
      sink.once('error', reject);
      sink.once('finish', () => resolve());
    });
    const hashing = new Transform({
      transform: (chunk: Buffer, _encoding, next) => {
        seen += chunk.length;
        hash.update(chunk);
        this.onBytes(chunk.length);
        next(null, chunk);
      },
    });
    try {
      await pipeline(content, hashing, sink);
      await done;
    } catch (err) {
      throw seen === size
        ? err
        : new Error(`${header.name} changed while it was read: ${seen} of ${size} bytes`);
    }
    this.files[header.name] = { size, sha256: hash.digest('hex') };
    this.entries += 1;
  }

  /**
   * Copies every entry of the tar stream `source` (as Docker's archive API gives a volume) under `prefix`, keeping
   * owners, modes, times and links. `rename` maps an entry's name to the part after the prefix, or null to skip it;
   * `substitute` may give other content for a regular file (by that part), written under the entry's metadata.
   */
  async copyTar(
    source: NodeJS.ReadableStream,
    prefix: string,
    rename: (name: string) => string | null,
    substitute: (relative: string) => Content | null = () => null,
  ): Promise<void> {
    const reader = extract();
    const feeding = pipeline(source, reader);
    feeding.catch(() => {});
    for await (const entry of reader) {
      const header = entry.header;
      const relative = rename(header.name);
      if (relative === null) {
        entry.resume();
        continue;
      }
      const name = `${prefix}${relative}`;
      const meta = { name, mode: header.mode, uid: header.uid, gid: header.gid, mtime: header.mtime };
      if (header.type === 'directory') {
        await this.dir(meta);
        entry.resume();
      } else if (header.type === 'symlink') {
        await this.symlink(meta, header.linkname);
        entry.resume();
      } else if (header.type === 'file' || header.type === 'contiguous-file') {
        const other = substitute(relative);
        if (other === null) await this.file(meta, header.size, entry);
        else {
          entry.resume();
          await this.file(meta, other.size, other.content);
        }
      } else if (header.type === 'link') {
        const target = rename(header.linkname);
        if (target === null)
          throw new Error(`${name} is a hard link to ${header.linkname}, outside the volume`);
        await this.add({ ...meta, type: 'link', linkname: `${prefix}${target}` });
        entry.resume();
      } else {
        entry.resume();
      }
    }
    await feeding;
  }

  /** Writes the manifest with `about`, closes the archive and waits until the file is written. */
  async finish(about: Omit<BackupManifest, 'entries' | 'files'>): Promise<BackupManifest> {
    const manifest: BackupManifest = { ...about, entries: this.entries, files: this.files };
    const text = Buffer.from(`${JSON.stringify(manifest, null, 2)}\n`);
    await new Promise<void>((resolve, reject) =>
      this.tar.entry({ name: MANIFEST_NAME, mode: 0o644, mtime: new Date() }, text, (err) =>
        err ? reject(err) : resolve(),
      ),
    );
    this.tar.finalize();
    await this.written;
    return manifest;
  }

  /** Stops writing after a failure; the caller removes the partial file. */
  abort(err: Error): void {
    this.tar.destroy(err);
  }

  private add(header: Partial<Header> & Pick<Header, 'name'>): Promise<void> {
    this.entries += 1;
    return new Promise((resolve, reject) =>
      this.tar.entry({ ...header, size: 0 }, (err) => (err ? reject(err) : resolve())),
    );
  }
}
