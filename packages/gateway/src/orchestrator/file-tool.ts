/**
 * The agent's `file_send` tool, carried out by the gateway: the file goes to the chat of the message the agent is
 * answering, recorded with its message before anything is sent, so it is delivered in order with the answer and a
 * restart still delivers it.
 */
import { formatBytes } from '@praktor/protocol';
import type { EventBus } from '../events/bus.js';
import type { Store } from '../store/index.js';
import type { SentFileStreams } from './sent-files.js';
import type { AgentTools } from './tool-calls.js';

/**
 * `file_send` over `store`, the file's bytes taken from the stream of `files` the call names; announces the recorded
 * message on `bus`, where the channels deliver it.
 */
export function fileAgentTool(store: Store, bus: EventBus, files: SentFileStreams): AgentTools {
  return async (agentId, request, origin) => {
    if (request.tool !== 'file_send') throw new Error(`${request.tool} is not the file tool`);
    if (origin === null || origin.chatId === null) {
      const why = 'there is no chat to send the file to: file_send works while answering a message';
      files.refuse(agentId, request.stream, why);
      throw new Error(why);
    }
    const content = await files.take(agentId, request.stream, request.name);
    const file = { name: request.name, mimeType: request.mime_type, content };
    const message = store.messageFiles.send(origin.id, agentId, file, request.caption ?? '');
    bus.emit({ type: 'message', message });
    return `Sent ${request.name} (${request.mime_type}, ${formatBytes(content.length)}) to the user's chat.`;
  };
}
