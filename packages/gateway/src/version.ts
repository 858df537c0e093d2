/**
 * Praktor's version, as its package says.
 */
import { readFileSync } from 'node:fs';

/** The version of this Praktor. */
export const VERSION: string = JSON.parse(
  readFileSync(new URL('../package.json', import.meta.url), 'utf8'),
).version;
