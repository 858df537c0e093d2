/**
 * Finding and reading the config file. Everything after reading the text is {@link parseConfig}'s job.
 */

import { readFileSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { messageOf } from '@praktor/protocol';
import { ConfigError } from './issues.js';
import { buildConfig, type LoadResult, parseConfig } from './parse.js';
import { MAX_CONFIG_BYTES, tooLarge } from './yaml.js';

/** Looked for in this order, relative to the working directory, when `PRAKTOR_CONFIG` is not set. */
const SEARCH_PATHS = ['praktor.yaml', 'config/praktor.yaml'];

/** Whether `path` is a file; anything that prevents looking (a missing or unreadable folder) counts as no. */
function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

/**
 * Loads the configuration: the file named by `PRAKTOR_CONFIG` (which must exist), else `./praktor.yaml`, else
 * `./config/praktor.yaml`, else built-in defaults. `env` defaults to `process.env` and `cwd` to
 * `process.cwd()`. Throws {@link ConfigError} listing every problem.
 */
export function loadConfig(opts: { env?: NodeJS.ProcessEnv; cwd?: string } = {}): LoadResult {
  const env = opts.env ?? process.env;
  const cwd = opts.cwd ?? process.cwd();
  const warnings: string[] = [];
  let source: string | undefined;

  const requested = env.PRAKTOR_CONFIG;
  if (requested) {
    source = resolve(cwd, requested);
    if (!isFile(source)) {
      throw new ConfigError(
        [{ path: 'PRAKTOR_CONFIG', message: `${source} does not exist or is not a file` }],
        null,
      );
    }
  } else {
    const found = SEARCH_PATHS.map((path) => resolve(cwd, path)).filter(isFile);
    source = found[0];
    for (const ignored of found.slice(1)) warnings.push(`${ignored} is ignored because ${source} is used`);
  }
  if (source === undefined) return buildConfig({}, { env, cwd, source: null });

  let size = 0;
  let text: string | undefined;
  try {
    size = statSync(source).size;
    // Checked before reading, so a huge file is refused without being held in memory.
    if (size <= MAX_CONFIG_BYTES) text = readFileSync(source, 'utf8');
  } catch (error) {
    throw new ConfigError([{ path: source, message: `cannot be read (${messageOf(error)})` }], source);
  }
  if (text === undefined) throw tooLarge(source, size);
  const result = parseConfig(text, { env, cwd, source });
  return { config: result.config, warnings: [...warnings, ...result.warnings] };
}
