/**
 * An agent's conversation: its history, and the web chat's messages to it (answers arrive on the live feed).
 */
import {
  ActivityItem,
  ActivityQuery,
  ChatRequest,
  INLINE_IMAGE_TYPES,
  MessageItem,
  MessageSearchQuery,
  MessagesQuery,
} from '@praktor/protocol';
import { z } from 'zod';
import { HttpError } from '../http-error.js';
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
    url: '/api/agents/definitions/:id/messages/search',
    summary:
      'The agent’s messages that best match `q`, best first: any of its words, by stem and prefix (“running” finds “runs”). Any text is accepted; one without words finds nothing.',
    query: MessageSearchQuery,
    response: z.array(MessageItem),
    handle({ params, query }, deps) {
      const id = configuredAgent(deps, params.id);
      return messageItems(deps.store.messages.search(id, query.q, query.limit), deps.store);
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
      'Send the agent a message from the web chat, with a file if any (saved under `uploads/` of its workspace); the answer arrives over the WebSocket. A chat command (`/stop`, `/reset`, …) is answered by Praktor, and never reaches the agent.',
    body: ChatRequest,
    // One file of up to 20 MB, in base64, with its message.
    bodyLimit: 30 * 1024 * 1024,
    status: 202,
    response: z.object({ message: MessageItem }),
    async handle({ params, body }, deps) {
      const id = configuredAgent(deps, params.id);
      const incoming = { channel: 'web', chatId: 'web', sender: 'user:web', text: body.text } as const;
      if (body.files.length > 0) {
        const files = body.files.map((file) => ({
          name: file.name,
          mimeType: file.mime_type,
          kind: 'file',
          content: Buffer.from(file.base64, 'base64'),
        }));
        const received = await deps.inbox.receiveWithFiles(incoming, files, { forceAgent: id });
        return { message: messageItem(received.message) };
      }
      const outcome = await deps.commands.run(body.text, { ...incoming, agentId: id, ownName: null });
      if (outcome.command) {
        // `/start` was handed to the agent as its greeting: the conversation shows that, not the command.
        if (outcome.reply === null) return { message: messageItem(outcome.forwarded) };
        return { message: messageItem(deps.inbox.answerDirectly(incoming, id, outcome.reply).message) };
      }
      const received = deps.inbox.receive(incoming, { forceAgent: id });
      return { message: messageItem(received.message) };
    },
  }),
  route({
    method: 'GET',
    url: '/api/messages/:id/file',
    summary:
      'The file an agent sent with a message, as it sent it: raster images inline (for previews), anything else as a download.',
    response: null,
    handle({ params, reply }, deps) {
      const id = Number(params.id);
      const file = Number.isInteger(id) ? deps.store.messageFiles.get(id) : null;
      if (file === null) throw new HttpError(404, `message ${params.id} has no file`);
      // A file an agent made could be HTML or SVG with scripts: only plain raster images are shown in place.
      const inline = INLINE_IMAGE_TYPES.has(file.mimeType);
      return reply
        .header('content-type', inline ? file.mimeType : 'application/octet-stream')
        .header('x-content-type-options', 'nosniff')
        .header('content-security-policy', "default-src 'none'; sandbox")
        .header(
          'content-disposition',
          `${inline ? 'inline' : 'attachment'}; filename*=UTF-8''${encodeURIComponent(file.name)}`,
        )
        .send(file.content);
    },
  }),
];
