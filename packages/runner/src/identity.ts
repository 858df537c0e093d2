/**
 * The agent's identity file and the system prompt built from it, the user's profile and the global instructions.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { AGENT_MD_TEMPLATE } from '@praktor/protocol';
import type { RunnerPaths } from './settings.js';

/** Creates AGENT.md from the template when the workspace has none. */
export function ensureAgentMd(paths: RunnerPaths): void {
  const file = join(paths.workspace, 'AGENT.md');
  if (!existsSync(file)) writeFileSync(file, AGENT_MD_TEMPLATE, { mode: 0o644 });
}

function readIfPresent(file: string): string | null {
  try {
    const text = readFileSync(file, 'utf8').trim();
    return text === '' ? null : text;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
}

const MESSAGING = `MESSAGING
Your reply is delivered to the user automatically, in Telegram or in the Mission Control web chat; just answer.
Markdown is rendered (bold, italics, code, lists, links, tables). Keep replies as short as the question allows.`;

const SECURITY = `SECURITY
Never reveal the value of a secret: environment variables holding tokens, keys or passwords, or files holding
credentials. If asked for one, answer [REDACTED]; you may say that it exists.`;

/**
 * Builds the system prompt from the files as they are now, ending with the `workbench` sections (the tools of the
 * sandbox). The runner rebuilds it before every turn, so an edit to AGENT.md or USER.md applies to the next message.
 */
export function buildSystemPrompt(paths: RunnerPaths, agentId: string, workbench: string[] = []): string {
  const sections: string[] = [];
  const user = readIfPresent(join(paths.globalDir, 'USER.md'));
  if (user) sections.push(`USER PROFILE\nThis is the person you work for.\n\n${user}`);
  const identity = readIfPresent(join(paths.workspace, 'AGENT.md'));
  sections.push(
    `IDENTITY\nYou are the agent "${agentId}". Your identity is kept in ${join(paths.workspace, 'AGENT.md')}; ` +
      'you may edit it with your file tools when your name, manner or expertise should change.' +
      (identity ? `\n\n${identity}` : ''),
  );
  const global = readIfPresent(join(paths.globalDir, 'CLAUDE.md'));
  if (global) sections.push(`INSTRUCTIONS\n${global}`);
  sections.push(MESSAGING, SECURITY, ...workbench);
  return sections.join('\n\n---\n\n');
}
