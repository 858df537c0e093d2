/**
 * The names uploads are saved under in an agent's workspace. A sender chooses the name, and a sender may be careless
 * or hostile: a name must never reach outside `uploads/`, hide as a dotfile, pose as a file Claude Code reads as
 * instructions (`CLAUDE.md`, `AGENT.md`), or be too long for a file system. What survives is kept readable.
 */
import { extname } from 'node:path';
import { extensionOfMediaType } from '@praktor/protocol';

/** The folder of an agent's workspace that uploads are saved in. */
export const UPLOADS_FOLDER = 'uploads';

/** Longest name kept, in characters, and in UTF-8 bytes (file systems allow 255). */
const MAX_NAME = 100;
const MAX_BYTES = 200;
const MAX_EXTENSION = 12;

/** Names Claude Code or Praktor read as instructions or identity, wherever they lie. */
const INSTRUCTION_FILES = new Set(['claude.md', 'agent.md', 'claude.local.md', 'agents.md']);

/**
 * A safe file name for an upload the sender called `raw` (null when it had no name), of type `mimeType`. `fallback`
 * names the kind of file when nothing of `raw` survives (`photo`, `voice`).
 */
export function safeUploadName(raw: string | null, mimeType: string, fallback = 'file'): string {
  // Only the last path segment counts, whichever separator the sender's system uses.
  const base = (raw ?? '').split(/[/\\]/).pop() ?? '';
  let name = base
    .normalize('NFC')
    .replace(/[^\p{L}\p{N}._ -]/gu, '_')
    .replace(/\s+/g, ' ')
    .trim()
    .replace(/^[.\s_-]+/, '');
  // An upload that came without a name (a photo, a voice note) gets its type's usual extension.
  if (name === '' || /^[._ -]*$/.test(name)) name = `${fallback}${extensionOfMediaType(mimeType) ?? ''}`;
  if (INSTRUCTION_FILES.has(name.toLowerCase())) name = `upload-${name}`;
  return shorten(name);
}

/**
 * The `n`th choice of name for `name` when earlier ones are taken: `report.pdf`, `report-2.pdf`, `report-3.pdf`, …
 */
export function numberedName(name: string, n: number): string {
  if (n <= 1) return name;
  const ext = extensionOf(name);
  return shorten(`${name.slice(0, name.length - ext.length)}-${n}${ext}`);
}

/** Keeps a name within {@link MAX_NAME} characters and {@link MAX_BYTES} bytes, cutting the stem, not the extension. */
function shorten(name: string): string {
  const fits = (text: string) => [...text].length <= MAX_NAME && Buffer.byteLength(text) <= MAX_BYTES;
  if (fits(name)) return name;
  const ext = extensionOf(name);
  const stem = [...name.slice(0, name.length - ext.length)];
  while (stem.length > 1 && !fits(`${stem.join('')}${ext}`)) stem.pop();
  return `${stem.join('').replace(/[ .]+$/, '')}${ext}`;
}

function extensionOf(name: string): string {
  const ext = extname(name);
  return ext.length > 1 && [...ext].length <= MAX_EXTENSION ? ext : '';
}
