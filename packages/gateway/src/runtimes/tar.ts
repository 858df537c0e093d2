/**
 * The little of the tar format the Docker runtime needs to move files through the Engine API's archive and exec
 * streams: writing a few regular files, folders and symlinks with exact owners and modes, and reading one file
 * back. Entries are POSIX ustar; names longer than ustar allows are refused rather than silently cut.
 */

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

const BLOCK = 512;
const TYPE_FLAG = { file: '0', dir: '5', symlink: '2' } as const;

function octal(value: number, width: number): string {
  return `${value.toString(8).padStart(width - 1, '0')}\0`;
}

/** Splits a long name into ustar's prefix (up to 155 bytes) and name (up to 100 bytes) at a `/`. */
function splitName(name: string): { prefix: string; base: string } {
  if (Buffer.byteLength(name) <= 100) return { prefix: '', base: name };
  for (let at = name.indexOf('/'); at >= 0; at = name.indexOf('/', at + 1)) {
    const prefix = name.slice(0, at);
    const base = name.slice(at + 1);
    if (Buffer.byteLength(prefix) <= 155 && Buffer.byteLength(base) <= 100 && base !== '')
      return { prefix, base };
  }
  throw new Error(`the path ${name} is too long to copy into a container`);
}

function header(entry: TarEntry, size: number): Buffer {
  const block = Buffer.alloc(BLOCK);
  const { prefix, base } = splitName(entry.name);
  const target = entry.target ?? '';
  if (Buffer.byteLength(target) > 100) throw new Error(`the link target ${target} is too long`);
  block.write(base, 0, 100, 'utf8');
  block.write(octal(entry.mode & 0o7777, 8), 100, 'ascii');
  block.write(octal(entry.uid, 8), 108, 'ascii');
  block.write(octal(entry.gid, 8), 116, 'ascii');
  block.write(octal(size, 12), 124, 'ascii');
  block.write(octal(Math.floor(Date.now() / 1000), 12), 136, 'ascii');
  block.fill(' ', 148, 156);
  block.write(TYPE_FLAG[entry.type], 156, 'ascii');
  block.write(target, 157, 100, 'utf8');
  block.write('ustar\0' + '00', 257, 'ascii');
  block.write(prefix, 345, 155, 'utf8');
  let sum = 0;
  for (const byte of block) sum += byte;
  block.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 'ascii');
  return block;
}

/** A tar archive of `entries`, in order. */
export function tarOf(entries: readonly TarEntry[]): Buffer {
  const parts: Buffer[] = [];
  for (const entry of entries) {
    const content = entry.type === 'file' ? (entry.content ?? Buffer.alloc(0)) : Buffer.alloc(0);
    parts.push(header(entry, content.length), content);
    const pad = (BLOCK - (content.length % BLOCK)) % BLOCK;
    if (pad > 0) parts.push(Buffer.alloc(pad));
  }
  parts.push(Buffer.alloc(BLOCK * 2));
  return Buffer.concat(parts);
}

function readOctal(block: Buffer, start: number, width: number): number {
  const text = block
    .toString('ascii', start, start + width)
    .replace(/\0.*$/s, '')
    .trim();
  return text === '' ? 0 : Number.parseInt(text, 8);
}

/**
 * The content of the first regular file in `archive` (as the archive API returns a single file), or null when it
 * holds none. Extended headers (pax, GNU long names) are skipped.
 */
export function firstFileOf(archive: Buffer): Buffer | null {
  for (let at = 0; at + BLOCK <= archive.length; ) {
    const block = archive.subarray(at, at + BLOCK);
    if (block.every((byte) => byte === 0)) return null;
    const size = readOctal(block, 124, 12);
    const type = String.fromCharCode(block[156] ?? 0);
    const start = at + BLOCK;
    if (type === '0' || type === '\0') return archive.subarray(start, start + size);
    at = start + Math.ceil(size / BLOCK) * BLOCK;
  }
  return null;
}
