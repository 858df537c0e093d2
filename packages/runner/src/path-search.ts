/**
 * Finding programs as a shell would: folder by folder along a PATH value. The browser setup looks for Chromium this
 * way, and extensions check that a stdio server's command is there before handing it to Claude Code.
 */
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';

/**
 * The first of `names` that is executable along `path` (each folder tried for every name before the next folder),
 * or null. A name with a slash is a path and is checked as it is.
 */
export function findOnPath(names: readonly string[], path: string | undefined): string | null {
  const folders = (path ?? '').split(delimiter).filter((dir) => dir !== '');
  for (const name of names.filter((n) => n.includes('/'))) {
    if (isExecutable(name)) return name;
  }
  for (const dir of folders) {
    for (const name of names.filter((n) => !n.includes('/'))) {
      const candidate = join(dir, name);
      if (isExecutable(candidate)) return candidate;
    }
  }
  return null;
}

/** Where `command` is found along `path`; null when it is not there. */
export function findCommand(command: string, path: string | undefined): string | null {
  return findOnPath([command], path);
}

function isExecutable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch (err) {
    // Missing, not executable, or a PATH entry that is not a folder: not here. Anything else is a real problem.
    if (['ENOENT', 'EACCES', 'ENOTDIR'].includes((err as NodeJS.ErrnoException).code ?? '')) return false;
    throw err;
  }
}
