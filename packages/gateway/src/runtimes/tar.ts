/**
 * Tar archives for the Docker runtime, which moves files through the Engine API's archive and exec streams:
 * packing a few regular files, folders and symlinks with exact owners and modes, and reading one file back. The
 * format is tar-stream's: ustar, with a pax header for a name ustar cannot hold.
 */
import { buffer } from 'node:stream/consumers';
import { extract, pack } from 'tar-stream';

/** One entry to write. */
export interface TarEntry {
  /** Path inside the archive, relative (no leading `/`); folders may end with `/`. */
  name: string;
  type: 'file' | 'dir' | 'symlink';
  mode: number;
  uid: number;
  gid: number;
  /** The file's bytes (files only). */
  content?: Buffer;
  /** Where a symlink points. */
  target?: string;
}

/** A tar archive of `entries`, in order. */
export async function tarOf(entries: readonly TarEntry[]): Promise<Buffer> {
  const archive = pack();
  const packed = buffer(archive);
  for (const entry of entries) {
    const header = { name: entry.name, mode: entry.mode & 0o7777, uid: entry.uid, gid: entry.gid };
    if (entry.type === 'file') archive.entry({ ...header, type: 'file' }, entry.content ?? Buffer.alloc(0));
    else if (entry.type === 'dir') archive.entry({ ...header, type: 'directory' });
    else archive.entry({ ...header, type: 'symlink', linkname: entry.target ?? '' });
  }
  archive.finalize();
  return packed;
}

/**
 * The content of the first regular file in `archive` (as the archive API returns a single file), or null when it
 * holds none.
 */
export async function firstFileOf(archive: Buffer): Promise<Buffer | null> {
  const reader = extract();
  reader.end(archive);
  for await (const entry of reader) {
    if (entry.header.type === 'file') return buffer(entry);
    entry.resume();
  }
  return null;
}
