/**
 * The inbox: a message from any channel is stored, routed and queued for its agent, in that order, so that nothing
 * reaches an agent without first being on record.
 */
import type { MessageView } from '@praktor/protocol';
import { messageOf } from '@praktor/protocol';
import type { Config } from './config/index.js';
import type { EventBus } from './events/bus.js';
import type { Orchestrator } from './orchestrator/orchestrator.js';
import { type Route, route } from './router/router.js';
import { safeUploadName } from './runtimes/upload-names.js';
import type { IncomingMessage, Store } from './store/index.js';
import { uploadFailedNote, uploadNote } from './upload-notes.js';

/** The outcome of handing a message in. */
export interface Received {
  message: MessageView;
  route: Route | null;
  /** The channel had delivered this message before; it was not queued again. */
  duplicate: boolean;
}

/** A file that came with a message, downloaded by its channel. */
export interface IncomingFile {
  /** The name the sender gave it; null when it had none (a photo, a voice note). */
  name: string | null;
  mimeType: string;
  /** What the channel calls it: `document`, `photo`, `voice`, … (names a nameless file). */
  kind: string;
  content: Buffer;
}

/** What the inbox works with. */
export interface InboxDeps {
  config: () => Config;
  store: Store;
  bus: EventBus;
  orchestrator: Orchestrator;
  /**
   * Saves an upload as a new file in the agent's `uploads/` folder under a safe `name` (or a numbered variant) and
   * returns its path relative to the workspace; rejects with a reason a user can read.
   */
  saveUpload: (agentId: string, name: string, content: Buffer) => Promise<string>;
}

/** Takes messages from channels and hands them to agents. */
export class Inbox {
  constructor(private readonly deps: InboxDeps) {}

  /**
   * Stores, routes and queues one message. `repliedToAgent` is the agent whose message this one answers, if the
   * channel knows it. `forceAgent` skips routing (for example `/start coder`).
   */
  receive(
    incoming: IncomingMessage,
    opts: { repliedToAgent?: string | null; forceAgent?: string } = {},
  ): Received {
    const { store, bus, orchestrator } = this.deps;
    const { message, duplicate } = store.messages.receive(incoming);
    if (duplicate) return { message, route: null, duplicate };
    this.deps.bus.emit({ type: 'message', message });
    const chosen: Route = opts.forceAgent
      ? { agentId: opts.forceAgent, text: incoming.text, via: 'direct' }
      : this.route(message.text, opts.repliedToAgent ?? null);
    const routed = store.messages.route(message.id, chosen.agentId, chosen.text);
    bus.emit({ type: 'message', message: routed });
    if (incoming.chatId !== null) store.chats.setLastAgent(incoming.channel, incoming.chatId, chosen.agentId);
    orchestrator.enqueue(chosen.agentId, routed);
    return { message: routed, route: chosen, duplicate };
  }

  /**
   * Like {@link receive}, for a message that came with files: each is saved into the workspace of the agent the
   * message is routed to (by its text, the caption), and the text the agent gets names every file, its type, size
   * and path. A file that cannot be saved is named with the reason; the rest of the message goes on.
   */
  async receiveWithFiles(
    incoming: IncomingMessage,
    files: readonly IncomingFile[],
    opts: { repliedToAgent?: string | null; forceAgent?: string } = {},
  ): Promise<Received> {
    const { store, bus, orchestrator } = this.deps;
    const { message, duplicate } = store.messages.receive(incoming);
    if (duplicate) return { message, route: null, duplicate };
    bus.emit({ type: 'message', message });
    const chosen: Route = opts.forceAgent
      ? { agentId: opts.forceAgent, text: incoming.text, via: 'direct' }
      : this.route(message.text, opts.repliedToAgent ?? null);
    const notes: string[] = [];
    for (const file of files) {
      const name = safeUploadName(file.name, file.mimeType, file.kind);
      try {
        const path = await this.deps.saveUpload(chosen.agentId, name, file.content);
        notes.push(uploadNote(file, path));
      } catch (err) {
        notes.push(uploadFailedNote(file, name, messageOf(err)));
      }
    }
    const text = [chosen.text.trim(), ...notes].filter((part) => part !== '').join('\n\n');
    const routed = store.messages.route(message.id, chosen.agentId, text);
    bus.emit({ type: 'message', message: routed });
    if (incoming.chatId !== null) store.chats.setLastAgent(incoming.channel, incoming.chatId, chosen.agentId);
    orchestrator.enqueue(chosen.agentId, routed);
    return { message: routed, route: chosen, duplicate };
  }

  /**
   * Records a message Praktor itself answered (a chat command) with its reply, as a closed exchange in the
   * conversation of `agentId`: on record like any other message, and never queued for the agent.
   */
  answerDirectly(incoming: IncomingMessage, agentId: string, reply: string): Received {
    const { store, bus } = this.deps;
    const { message, duplicate } = store.messages.receive(incoming);
    if (duplicate) return { message, route: null, duplicate };
    store.messages.route(message.id, agentId, incoming.text);
    const answer = store.messages.answer(message.id, { agentId, sender: 'praktor', text: reply });
    const closed = store.messages.get(message.id) ?? message;
    bus.emit({ type: 'message', message: closed });
    bus.emit({ type: 'message', message: answer });
    return { message: closed, route: { agentId, text: incoming.text, via: 'direct' }, duplicate };
  }

  /**
   * Queues again every message a previous run received but did not answer, in arrival order. Returns how many.
   * A message for an agent that is no longer configured goes to the default agent.
   */
  resume(): number {
    const { store, bus, orchestrator } = this.deps;
    const agents = this.deps.config().agents;
    const open = store.messages.openInbound();
    for (const message of open) {
      let agentId = message.agentId;
      let queued = message;
      if (message.state === 'received' || agentId === null || !Object.hasOwn(agents, agentId)) {
        const chosen = this.route(message.text, null);
        agentId = chosen.agentId;
        queued = store.messages.route(message.id, chosen.agentId, chosen.text);
        bus.emit({ type: 'message', message: queued });
      }
      orchestrator.enqueue(agentId, queued);
    }
    return open.length;
  }

  private route(text: string, repliedToAgent: string | null): Route {
    const config = this.deps.config();
    return route(text, {
      agents: Object.keys(config.agents),
      defaultAgent: config.router.default_agent,
      repliedToAgent,
    });
  }
}
