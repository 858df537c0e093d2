/**
 * Tool dispatch: an agent's built-in tool call, handed over the link, carried out by the gateway on behalf of the
 * message the agent was answering, and answered with text for the model.
 */

import type { CallMessage, MessageView, ToolRequest } from '@praktor/protocol';
import { messageOf } from '@praktor/protocol';
import type { Store } from '../store/index.js';

/**
 * Carries out what an agent asks through its built-in tools. `origin` is the message the agent was answering when it
 * asked (null when unknown); throw an error with a message for the agent to refuse.
 */
export type AgentTools = (
  agentId: string,
  request: ToolRequest,
  origin: MessageView | null,
) => Promise<string>;

/** What goes back to the agent for one tool call. */
export interface ToolReply {
  ok: boolean;
  text: string;
}

/**
 * Answers one tool call of `agentId` with `tools` (absent: the tools are not available). Never rejects: a refusal
 * or failure becomes an error reply the model reads.
 */
export async function answerToolCall(
  tools: AgentTools | undefined,
  store: Store,
  agentId: string,
  call: CallMessage,
): Promise<ToolReply> {
  if (!tools) return { ok: false, text: `Error: ${call.request.tool} is not available.` };
  // The runner names the turn by the id of the message it answers.
  const messageId = call.turnId === null ? Number.NaN : Number(call.turnId);
  const origin = Number.isInteger(messageId) ? store.messages.get(messageId) : null;
  try {
    return { ok: true, text: await tools(agentId, call.request, origin) };
  } catch (err) {
    return { ok: false, text: `Error: ${messageOf(err)}` };
  }
}
