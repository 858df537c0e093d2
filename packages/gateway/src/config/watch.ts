/**
 * Watching the config file: a change to its content (written in place, or replaced the way editors save) calls
 * back once the writes have settled.
 */
import { createHash } from 'node:crypto';
import { type FSWatcher, readFileSync, watch } from 'node:fs';
import { basename, dirname } from 'node:path';

/** Writes closer together than this count as one change: an editor's save is often several. */
export const SETTLE_MS = 250;

/** The content's fingerprint, or null for a file that cannot be read now (gone between two saves). */
function fingerprint(file: string): string | null {
  try {
    return createHash('sha256').update(readFileSync(file)).digest('hex');
  } catch {
    return null;
  }
}

/**
 * Calls `onChange` when the content of `file` changed and then stayed the same for {@link SETTLE_MS}. The folder is
 * watched rather than the file, because a save that replaces the file would end a watch on the old one. Returns
 * the function that stops watching.
 */
export function watchFile(file: string, onChange: () => void, onError: (err: Error) => void): () => void {
  const name = basename(file);
  let seen = fingerprint(file);
  let timer: NodeJS.Timeout | null = null;
  const settle = () => {
    timer = null;
    const now = fingerprint(file);
    // A touch, or a save of the same text: nothing to reload.
    if (now === seen) return;
    seen = now;
    onChange();
  };
  let watcher: FSWatcher;
  try {
    watcher = watch(dirname(file), (_event, changed) => {
      if (changed !== null && changed !== name) return;
      if (timer) clearTimeout(timer);
      timer = setTimeout(settle, SETTLE_MS);
    });
  } catch (err) {
    onError(err as Error);
    return () => {};
  }
  watcher.on('error', onError);
  return () => {
    if (timer) clearTimeout(timer);
    watcher.close();
  };
}
