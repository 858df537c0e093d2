/**
 * What users read of the orchestrator's work, in one place: the texts composed around an agent's answer or its
 * failure, and the reasons given for messages that closed without one.
 */
import type { ResultMessage } from '@praktor/protocol';
import { CREDENTIALS_FIX } from '../setup.js';

/** Prefixed to a message whose answer a restart interrupted, so the agent knows to answer it afresh. */
const RESUMED_NOTE =
  '(Praktor restarted while you were answering this message; the user has not seen any answer to it. Answer it in full.)';

/** The prompt for a message whose answer a restart interrupted. */
export function resumedPrompt(text: string): string {
  return `${RESUMED_NOTE}\n\n${text}`;
}

/** The failure a chat gets when the agent's sandbox could not start. */
export function couldNotStart(reason: string): string {
  return `I could not start: ${reason}`;
}

/** Why a task run could not start while the gateway stops. */
export const SHUTTING_DOWN = 'Praktor is shutting down';

/** The agent's answer as the chat shows it: never empty, and saying so when the agent was cut short. */
export function answerText(result: Pick<ResultMessage, 'text' | 'terminalReason'>): string {
  const text = result.text.trim() === '' ? '(The agent finished without writing a reply.)' : result.text;
  if (!result.terminalReason) return text;
  return `${text}\n\n⚠️ Agent stopped early: ${result.terminalReason.replaceAll('_', ' ')}`;
}

// Claude Code's own words when the model API refused the credentials (401), and when it has none at all. Its advice
// ("run /login") cannot be followed from a chat, so the chat is told what to do instead.
const REJECTED_CREDENTIALS =
  /invalid api key|authentication_error|api error: 401|oauth token has expired|invalid bearer token/i;
const MISSING_CREDENTIALS = /not logged in|please run \/login/i;

/** Whether a failure is about the model API's credentials: none given, or refused. */
export function credentialProblem(error: string): 'missing' | 'rejected' | null {
  if (REJECTED_CREDENTIALS.test(error)) return 'rejected';
  if (MISSING_CREDENTIALS.test(error)) return 'missing';
  return null;
}

/** A failure as the chat shows it; a credentials problem in Praktor's words, with the fix. */
export function failureText(error: string): string {
  switch (credentialProblem(error)) {
    case 'missing':
      return `⚠️ Praktor has no credentials for the model API, so agents cannot answer. To fix: ${CREDENTIALS_FIX}.`;
    case 'rejected':
      return `⚠️ The model API refused Praktor's credentials (401: the key or token is wrong, revoked or expired). To fix: ${CREDENTIALS_FIX}.`;
    default:
      return `⚠️ ${error}`;
  }
}

/** The note that marks where a new conversation starts (`/reset`, Mission Control's New conversation). */
export const NEW_CONVERSATION = 'New conversation';

/** Why a waiting message was dropped by a stop (`/stop`, Mission Control's Stop or stop agent). */
export const CANCELLED_BY_STOP = 'dropped: the agent was stopped before its turn';

/** Why a message whose turn was interrupted by a stop has no answer. */
export const STOPPED_ON_REQUEST = 'stopped by the user';
