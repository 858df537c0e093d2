/**
 * Changing the user's profile, USER.md, from anywhere (an agent's tool, Mission Control): checked, written whole,
 * handed to running sandboxes, and announced so Mission Control shows it at once. Every agent reads it again at
 * its next message.
 */
import type { MessageView, ToolRequest } from '@praktor/protocol';
import type { EventBus } from './events/bus.js';
import type { AgentTools } from './orchestrator/orchestrator.js';
import { readUserProfile, writeUserProfile } from './workspace-files.js';

/** The longest profile accepted: it is part of every agent's prompt, so it stays small. */
export const USER_PROFILE_MAX_CHARS = 16_000;

/** What the profile's writers need. */
export interface UserProfileDeps {
  dataDir: () => string;
  bus: EventBus;
  /** Gives running sandboxes the shared files as they are now. */
  publishSharedFiles: () => Promise<void>;
}

// Control characters other than tab, line feed and carriage return mean the text is not text.
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding them is the point.
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/;

/** Why `content` cannot be the profile, or null. */
export function userProfileProblem(content: string): string | null {
  if (content.trim() === '')
    return 'the profile is empty; send the whole profile as Markdown, not an empty text';
  if (content.length > USER_PROFILE_MAX_CHARS) {
    return `the profile is ${content.length} characters long; at most ${USER_PROFILE_MAX_CHARS} are allowed (it is part of every prompt, keep it short)`;
  }
  const control = CONTROL.exec(content);
  if (control) {
    const code = control[0].charCodeAt(0).toString(16).padStart(4, '0');
    return `the profile holds a control character (U+${code}) at position ${control.index}; it must be plain text`;
  }
  return null;
}

/**
 * Replaces the profile after checking it; throws with the reason when it is refused (the old profile stays).
 * Resolves once it is written and announced; a failure to hand it to running sandboxes is thrown after that.
 */
export async function updateUserProfile(deps: UserProfileDeps, content: string): Promise<void> {
  const problem = userProfileProblem(content);
  if (problem) throw new Error(problem);
  writeUserProfile(deps.dataDir(), content);
  deps.bus.emit({ type: 'user_profile', content });
  await deps.publishSharedFiles();
}

/** The agents' `user_profile_read` and `user_profile_update` tools. */
export function userProfileAgentTools(deps: UserProfileDeps): AgentTools {
  return async (_agentId: string, request: ToolRequest, _origin: MessageView | null) => {
    if (request.tool === 'user_profile_read') {
      const content = readUserProfile(deps.dataDir());
      return content.trim() === '' ? '(No user profile set)' : content;
    }
    if (request.tool === 'user_profile_update') {
      await updateUserProfile(deps, request.content);
      return 'User profile updated successfully. Every agent reads it from its next message.';
    }
    throw new Error(`${request.tool} is not a user profile tool`);
  };
}
