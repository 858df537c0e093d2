/**
 * What users read of the orchestrator's work, in one place: the texts composed around an agent's answer or its
 * failure, and the reasons given for messages that closed without one.
 */
import type { ResultMessage } from '@praktor/protocol';

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

/** A failure as the chat shows it. */
export function failureText(error: string): string {
  return `⚠️ ${error}`;
}

/** The note that marks where a new conversation starts (`/reset`, Mission Control's New conversation). */
export const NEW_CONVERSATION = 'New conversation';

/** Why a waiting message was dropped by a stop (`/stop`, Mission Control's Stop or stop agent). */
export const CANCELLED_BY_STOP = 'dropped: the agent was stopped before its turn';

/** Why a message whose turn was interrupted by a stop has no answer. */
export const STOPPED_ON_REQUEST = 'stopped by the user';
