/**
 * An agent's conversation: its history, and the web chat's messages to it (answers arrive on the live feed).
 */
import { ChatRequest, MessageItem, MessagesQuery } from '@praktor/protocol';
import { z } from 'zod';
import { configuredAgent, type Route, route } from '../route.js';
import { messageItem } from '../views.js';

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
      return deps.store.messages.recentForAgent(id, query.limit, query.before).map(messageItem);
    },
  }),
  route({
    method: 'POST',
    url: '/api/agents/definitions/:id/messages',
    summary: 'Send the agent a message from the web chat; the answer arrives over the WebSocket.',
    body: ChatRequest,
    status: 202,
    response: z.object({ message: MessageItem }),
    handle({ params, body }, deps) {
      const id = configuredAgent(deps, params.id);
      const received = deps.inbox.receive(
        { channel: 'web', chatId: 'web', sender: 'user:web', text: body.text },
        { forceAgent: id },
      );
      return { message: messageItem(received.message) };
    },
  }),
];
