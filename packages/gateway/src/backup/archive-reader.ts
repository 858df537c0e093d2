/**
 * Reads a backup archive as a stream and checks it: every entry's name is safe, every regular file has the size and
 * SHA-256 the manifest gives, nothing is missing or extra, and the manifest closes the archive. A truncated or
 * damaged archive is found by zstd's frame checksum, by the tar reader, or by these checks.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { PassThrough, type Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { BackupManifest, messageOf } from '@praktor/protocol';
import { extract, type Header } from 'tar-stream';
import { DecompressStream } from 'zstd-napi';
import { MANIFEST_NAME, safeEntryName } from './layout.js';

/** An archive that cannot be restored; the message says what is wrong with it. */
export class ArchiveError extends Error {
  override name = 'ArchiveError';
}

/** Hears of each entry (with its content for regular files) in archive order; must consume `content`. */
export type EntryVisitor = (header: Header, content: Readable) => Promise<void>;

/**
 * Reads `file` to its end, handing each entry before the manifest to `visit` (when given), and resolves with the
 * manifest once the whole archive proved complete and unchanged. `onBytes` hears of every compressed byte read.
 */
export async function readArchive(
  file: string,
  visit: EntryVisitor | null,
  onBytes: (n: number) => void = () => {},
): Promise<BackupManifest> {
  const reader = extract();
  const counting = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      onBytes(chunk.length);
      done(null, chunk);
    },
  });
  const feeding = pipeline(
    createReadStream(file, { highWaterMark: 1024 * 1024 }),
    counting,
    new DecompressStream(),
    reader,
  );
  let failure: unknown = null;
  feeding.catch((err: unknown) => {
    failure = err;
  });
  const seen = new Map<string, { size: number; sha256: string }>();
  let entries = 0;
  let manifest: BackupManifest | null = null;
  try {
    for await (const entry of reader) {
      const header = entry.header;
      if (manifest !== null) throw new ArchiveError(`${header.name} comes after ${MANIFEST_NAME}`);
      if (header.name === MANIFEST_NAME) {
        manifest = parseManifest(await readAll(entry));
        continue;
      }
      if (!safeEntryName(header.name)) throw new ArchiveError(`unsafe path in the archive: ${header.name}`);
      entries += 1;
      if (header.type !== 'file') {
        const empty = new PassThrough();
        empty.end();
        if (visit) await visit(header, empty);
        entry.resume();
        continue;
      }
      const hash = createHash('sha256');
      let size = 0;
      const hashing = new Transform({
        transform(chunk: Buffer, _encoding, done) {
          size += chunk.length;
          hash.update(chunk);
          done(null, chunk);
        },
      });
      const through = pipeline(entry, hashing);
      through.catch(() => {});
      if (visit) await visit(header, hashing);
      hashing.resume();
      await through;
      seen.set(header.name, { size, sha256: hash.digest('hex') });
    }
    await feeding;
  } catch (err) {
    reader.destroy();
    if (err instanceof ArchiveError) throw err;
    throw new ArchiveError(`the archive is damaged or incomplete: ${messageOf(failure ?? err)}`);
  }
  if (manifest === null) throw new ArchiveError(`the archive has no ${MANIFEST_NAME}: it is incomplete`);
  checkAgainst(manifest, seen, entries);
  return manifest;
}

function parseManifest(text: Buffer): BackupManifest {
  let json: unknown;
  try {
    json = JSON.parse(text.toString('utf8'));
  } catch (err) {
    throw new ArchiveError(`${MANIFEST_NAME} is not JSON: ${messageOf(err)}`);
  }
  const parsed = BackupManifest.safeParse(json);
  if (!parsed.success)
    throw new ArchiveError(`${MANIFEST_NAME} is not a Praktor backup manifest: ${parsed.error.message}`);
  return parsed.data;
}

function checkAgainst(
  manifest: BackupManifest,
  seen: Map<string, { size: number; sha256: string }>,
  entries: number,
): void {
  for (const [name, expected] of Object.entries(manifest.files)) {
    const found = seen.get(name);
    if (found === undefined) throw new ArchiveError(`${name} is missing from the archive`);
    if (found.size !== expected.size || found.sha256 !== expected.sha256) {
      throw new ArchiveError(`${name} does not match its checksum: it was changed or damaged`);
    }
  }
  for (const name of seen.keys()) {
    if (!Object.hasOwn(manifest.files, name)) throw new ArchiveError(`${name} is not in the manifest`);
  }
  if (entries !== manifest.entries) {
    throw new ArchiveError(`the archive has ${entries} entries, its manifest ${manifest.entries}`);
  }
}

async function readAll(stream: AsyncIterable<unknown>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.from(chunk as Uint8Array));
  return Buffer.concat(chunks);
}
