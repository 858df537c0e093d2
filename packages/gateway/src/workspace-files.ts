/**
 * The files every agent shares: the user's profile, created from a template the first time, read and replaced
 * from Mission Control. Every agent's sandbox reads them, and a local sandbox may run as the agent user rather than
 * the gateway's (when the gateway is root), so they are readable by all: the data directory around them (0700) is
 * what keeps other users of the machine out.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
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

const userMdPath = (dataDir: string) => join(globalDir(dataDir), 'USER.md');

/** Makes sure the shared folder and USER.md exist (the folder 0755, USER.md 0644). */
export function ensureGlobalFiles(dataDir: string): void {
  mkdirSync(globalDir(dataDir), { recursive: true, mode: 0o755 });
  const userMd = userMdPath(dataDir);
  if (!existsSync(userMd)) writeFileSync(userMd, USER_MD_TEMPLATE, { mode: 0o644 });
}

/** The user's profile, USER.md; empty when there is none. */
export function readUserProfile(dataDir: string): string {
  try {
    return readFileSync(userMdPath(dataDir), 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return '';
    throw err;
  }
}

/** Replaces USER.md. Written beside it and renamed over it, so that a failed write leaves the old profile whole. */
export function writeUserProfile(dataDir: string, content: string): void {
  mkdirSync(globalDir(dataDir), { recursive: true });
  const file = userMdPath(dataDir);
  const partial = `${file}.${process.pid}.tmp`;
  writeFileSync(partial, content, { mode: 0o644 });
  renameSync(partial, file);
}
