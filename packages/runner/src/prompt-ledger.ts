/**
 * Which instructions each Claude session holds. Claude Code keeps the system prompt a session started with and uses
 * it again whenever the session is resumed, whatever prompt it is given then. So an edit to AGENT.md, USER.md or
 * CLAUDE.md reaches an ongoing conversation only as a message in it; the ledger remembers, per session, the
 * instructions it last received, in the agent's home, where the session itself lives and survives restarts.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** Session ids are UUIDs; anything else is not used as a file name. */
const SESSION_ID = /^[A-Za-z0-9-]{1,100}$/;

/** The instructions each session holds, one file per session under `dir`. */
export class PromptLedger {
  /** What was read or written in this run, so a turn does not read the disk again. */
  private readonly known = new Map<string, string | null>();

  constructor(private readonly dir: string) {}

  /** The instructions `sessionId` holds, or null when the ledger does not know. */
  held(sessionId: string): string | null {
    if (!SESSION_ID.test(sessionId)) return null;
    if (!this.known.has(sessionId)) this.known.set(sessionId, this.read(sessionId));
    return this.known.get(sessionId) ?? null;
  }

  /** Notes that `sessionId` now holds `prompt`. */
  record(sessionId: string, prompt: string): void {
    if (!SESSION_ID.test(sessionId)) return;
    mkdirSync(this.dir, { recursive: true });
    writeFileSync(join(this.dir, `${sessionId}.txt`), prompt, { mode: 0o600 });
    this.known.set(sessionId, prompt);
  }

  private read(sessionId: string): string | null {
    try {
      return readFileSync(join(this.dir, `${sessionId}.txt`), 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw err;
    }
  }
}

/** The user's message with the new instructions put before it, for a session that holds older ones. */
export function withNewInstructions(prompt: string, text: string): string {
  return [
    '<praktor-instructions-update>',
    'Your instructions (AGENT.md, USER.md or CLAUDE.md) were edited. From now on follow this version; it replaces',
    'the system prompt you were given.',
    '',
    prompt,
    '</praktor-instructions-update>',
    '',
    text,
  ].join('\n');
}
