/**
 * An agent's conversation: its history, and the web chat's messages to it (answers arrive on the live feed).
 */
import { ActivityItem, ActivityQuery, ChatRequest, MessageItem, MessagesQuery } from '@praktor/protocol';
import { z } from 'zod';
import { configuredAgent, type Route, route } from '../route.js';
import { activityItem, messageItem, messageItems } from '../views.js';

/** The conversation routes. */
export const messageRoutes: Route[] = [
  route({
    method: 'GET',
    url: '/api/agents/definitions/:id/messages',
    summary: 'The agent’s conversation, oldest first: the newest `limit` messages, or those before `before`.',
    query: MessagesQuery,
    response: z.array(MessageItem),
    handle({ params, query }, deps) {
      const id = configuredAgent(deps, params.id);
      return messageItems(deps.store.messages.recentForAgent(id, query.limit, query.before), deps.store);
    },
  }),
  route({
    method: 'GET',
    url: '/api/agents/definitions/:id/activity',
    summary:
      'What the agent did while answering the messages from id `since` on: its tool calls (the tool, a short summary and the full input) and retried model API errors, secret values masked.',
    query: ActivityQuery,
    response: z.array(ActivityItem),
    handle({ params, query }, deps) {
      const id = configuredAgent(deps, params.id);
      return deps.store.activities.forAgent(id, query.since).map(activityItem);
    },
  }),
  route({
    method: 'POST',
    url: '/api/agents/definitions/:id/messages',
    summary:
      'Send the agent a message from the web chat; the answer arrives over the WebSocket. A chat command (`/stop`, `/reset`, …) is answered by Praktor, and never reaches the agent.',
    body: ChatRequest,
    status: 202,
    response: z.object({ message: MessageItem }),
    handle({ params, body }, deps) {
      const id = configuredAgent(deps, params.id);
      const incoming = { channel: 'web', chatId: 'web', sender: 'user:web', text: body.text } as const;
      const outcome = deps.commands.run(body.text, { ...incoming, agentId: id, ownName: null });
      if (outcome.command) {
        // `/start` was handed to the agent as its greeting: the conversation shows that, not the command.
        if (outcome.reply === null) return { message: messageItem(outcome.forwarded) };
        return { message: messageItem(deps.inbox.answerDirectly(incoming, id, outcome.reply).message) };
      }
      const received = deps.inbox.receive(incoming, { forceAgent: id });
      return { message: messageItem(received.message) };
    },
  }),
];
