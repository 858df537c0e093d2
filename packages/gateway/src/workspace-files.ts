/**
 * The files every agent shares: the user's profile, created from a template the first time.
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
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

/** Makes sure the shared folder and USER.md exist. */
export function ensureGlobalFiles(dataDir: string): void {
  const dir = globalDir(dataDir);
  mkdirSync(dir, { recursive: true });
  const userMd = join(dir, 'USER.md');
  if (!existsSync(userMd)) writeFileSync(userMd, USER_MD_TEMPLATE, { mode: 0o644 });
}
