/**
 * The files every agent shares: the user's profile, created from a template the first time. Every agent's sandbox
 * reads them, and a local sandbox may run as the agent user rather than the gateway's (when the gateway is root),
 * so they are readable by all; the data directory around them (0700) is what keeps other users of the machine out.
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

/** Makes sure the shared folder and USER.md exist (the folder 0755, USER.md 0644, inside the private data directory). */
export function ensureGlobalFiles(dataDir: string): void {
  const dir = globalDir(dataDir);
  mkdirSync(dir, { recursive: true, mode: 0o755 });
  const userMd = join(dir, 'USER.md');
  if (!existsSync(userMd)) writeFileSync(userMd, USER_MD_TEMPLATE, { mode: 0o644 });
}
