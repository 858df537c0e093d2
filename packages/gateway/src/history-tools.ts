/**
 * The agents' `history_search` tool: full-text search over the agent's own stored conversation (the gateway's
 * messages table), never another agent's.
 */
import type { MessageView, ToolRequest } from '@praktor/protocol';
import type { AgentTools } from './orchestrator/orchestrator.js';
import type { Store } from './store/index.js';

/** How many messages a search returns unless the agent asks for another number, and at most. */
export const HISTORY_DEFAULT_LIMIT = 20;
export const HISTORY_MAX_LIMIT = 100;
/** A long message is cut in the tool's answer, so a search never floods the agent's context. */
const MAX_MESSAGE_CHARS = 2000;

/** Messages as the tool shows them: who spoke, when, and what was said, separated by rules. */
export function formatHistory(messages: MessageView[]): string {
  if (messages.length === 0) return 'No messages found matching that query.';
  return messages
    .map((m) => {
      const who = m.direction === 'in' ? 'User' : 'Assistant';
      const text = m.text.length > MAX_MESSAGE_CHARS ? `${m.text.slice(0, MAX_MESSAGE_CHARS)}…` : m.text;
      return `**${who}** (${new Date(m.createdAt).toISOString()}):\n${text}`;
    })
    .join('\n\n---\n\n');
}

/** The history tool over `store`. */
export function historyAgentTools(store: Store): AgentTools {
  return async (agentId: string, request: ToolRequest, origin: MessageView | null) => {
    if (request.tool !== 'history_search') throw new Error(`${request.tool} is not a history tool`);
    const limit = request.limit ?? HISTORY_DEFAULT_LIMIT;
    if (limit < 1 || limit > HISTORY_MAX_LIMIT) {
      throw new Error(`limit must be between 1 and ${HISTORY_MAX_LIMIT}, not ${limit}`);
    }
    // The message being answered is the present, not history (and it would always match its own words).
    return formatHistory(store.messages.search(agentId, request.query, limit, origin?.id));
  };
}
