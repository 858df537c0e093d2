/**
 * The files every agent shares: the user's profile, created from a template the first time. They describe the
 * user, so they are readable by the gateway's user only (sandboxes read them through a bind or a volume copy).
 */
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ensurePrivateDir, type Tightened, tightenIfPresent } from './private-files.js';
import { globalDir } from './runtimes/layout.js';

/** Starting point for USER.md: what the agents should know about the person they work for. */
export const USER_MD_TEMPLATE = `# About me

## Name
(Your name, and what you like to be called.)

## Timezone
(For example Europe/Athens.)

## Notes
(Anything the agents should keep in mind: work, family, preferences, things to avoid.)
`;

/**
 * Makes sure the shared folder and USER.md exist, readable by their owner only; returns what had to be narrowed.
 */
export function ensureGlobalFiles(dataDir: string): Tightened[] {
  const dir = globalDir(dataDir);
  const tightened = [ensurePrivateDir(dir)];
  const userMd = join(dir, 'USER.md');
  if (existsSync(userMd)) tightened.push(tightenIfPresent(userMd));
  else writeFileSync(userMd, USER_MD_TEMPLATE, { mode: 0o600 });
  return tightened.filter((t): t is Tightened => t !== null);
}
