/**
 * The inbox: a message from any channel is stored, routed and queued for its agent, in that order, so that nothing
 * reaches an agent without first being on record.
 */
import { type MessageView, messageOf } from '@praktor/protocol';
import type { Config } from './config/index.js';
import type { EventBus } from './events/bus.js';
import type { Logger } from './log.js';
import type { Orchestrator } from './orchestrator/orchestrator.js';
import { classify, type ModelAccess } from './router/classifier.js';
import { type Route, route } from './router/router.js';
import { safeUploadName } from './runtimes/upload-names.js';
import type { TranscriptionSettings } from './speech/settings.js';
import { transcribe } from './speech/transcription.js';
import type { IncomingMessage, SavedUpload, Store } from './store/index.js';
import {
  noTranscriptionNote,
  transcriptionFailedNote,
  transcriptNote,
  uploadFailedNote,
  uploadNote,
} from './upload-notes.js';

/** Kinds of upload whose speech is transcribed (when an endpoint is configured). */
const SPOKEN_KINDS = new Set(['voice', 'audio', 'video note']);

/** A follow-up this soon after a chat's last message is asked to stay with the agent it talked to. */
const STICKY_MS = 5 * 60_000;

/** The outcome of handing a message in. */
export interface Received {
  message: MessageView;
  /** Null while AI routing decides (the message is queued once it has), and for a duplicate. */
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
  /** The model API and credentials AI routing uses; null: AI routing is off. */
  modelAccess: ModelAccess | null;
  /**
   * Saves an upload as a new file in the agent's `uploads/` folder under a safe `name` (or a numbered variant) and
   * returns its path relative to the workspace; rejects with a reason a user can read.
   */
  saveUpload: (agentId: string, name: string, content: Buffer) => Promise<string>;
  /** Where voice notes are transcribed, as configured now; null: they are not. */
  transcription: () => TranscriptionSettings | null;
  log: Logger;
}

/** Takes messages from channels and hands them to agents. */
export class Inbox {
  /** Per chat, the routing still being decided: a later message of the chat is queued after it, never before. */
  private readonly deciding = new Map<string, Promise<void>>();

  constructor(private readonly deps: InboxDeps) {}

  /**
   * Stores, routes and queues one message. `repliedToAgent` is the agent whose message this one answers, if the
   * channel knows it. `forceAgent` skips routing (for example `/start coder`). A message for AI routing is queued
   * once the classifier has answered (or failed, within `router.timeout`): `route` is then null.
   */
  receive(
    incoming: IncomingMessage,
    opts: { repliedToAgent?: string | null; forceAgent?: string } = {},
  ): Received {
    const { store, bus } = this.deps;
    const { message, duplicate } = store.messages.receive(incoming);
    if (duplicate) return { message, route: null, duplicate };
    bus.emit({ type: 'message', message });
    if (opts.forceAgent) {
      const forced: Route = { agentId: opts.forceAgent, text: incoming.text, via: 'direct' };
      return { message: this.queue(message, incoming, forced), route: forced, duplicate };
    }
    const chosen = this.route(message.text, opts.repliedToAgent ?? null);
    const chat = incoming.chatId === null ? null : `${incoming.channel}:${incoming.chatId}`;
    const before = chat === null ? undefined : this.deciding.get(chat);
    const ai = chosen.via === 'default' && this.aiApplies();
    if (!ai && before === undefined) {
      return { message: this.queue(message, incoming, chosen), route: chosen, duplicate };
    }
    const decided = (before ?? Promise.resolve())
      .then(async () => {
        const final = ai ? await this.classifyRoute(message, incoming, chosen) : chosen;
        this.queue(message, incoming, final);
      })
      .catch((err: unknown) =>
        this.deps.log.error({ message: message.id, err: messageOf(err) }, 'a message could not be routed'),
      )
      .finally(() => {
        if (chat !== null && this.deciding.get(chat) === decided) this.deciding.delete(chat);
      });
    if (chat !== null) this.deciding.set(chat, decided);
    return { message, route: null, duplicate };
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
    const { store, bus } = this.deps;
    const { message, duplicate } = store.messages.receive(incoming);
    if (duplicate) return { message, route: null, duplicate };
    bus.emit({ type: 'message', message });
    let chosen: Route = opts.forceAgent
      ? { agentId: opts.forceAgent, text: incoming.text, via: 'direct' }
      : this.route(message.text, opts.repliedToAgent ?? null);
    if (!opts.forceAgent && chosen.via === 'default' && this.aiApplies())
      chosen = await this.classifyRoute(message, incoming, chosen);
    const notes: string[] = [];
    const saved: SavedUpload[] = [];
    for (const file of files) {
      const name = safeUploadName(file.name, file.mimeType, file.kind);
      try {
        const path = await this.deps.saveUpload(chosen.agentId, name, file.content);
        saved.push({ path, mimeType: file.mimeType, kind: file.kind, size: file.content.length });
        notes.push(uploadNote(file, path));
      } catch (err) {
        notes.push(uploadFailedNote(file, name, messageOf(err)));
      }
      if (SPOKEN_KINDS.has(file.kind)) notes.push(await this.transcriptOf(message.id, file, name));
    }
    store.messageUploads.record(message.id, saved);
    const text = [chosen.text.trim(), ...notes].filter((part) => part !== '').join('\n\n');
    const final = { ...chosen, text };
    return { message: this.queue(message, incoming, final), route: final, duplicate };
  }

  /** The note saying what a recording says, or why that is not known. */
  private async transcriptOf(messageId: number, file: IncomingFile, name: string): Promise<string> {
    const settings = this.deps.transcription();
    if (settings === null) return noTranscriptionNote(file);
    try {
      return transcriptNote(file, await transcribe(settings, file.content, name, file.mimeType));
    } catch (err) {
      this.deps.log.warn(
        { message: messageId, kind: file.kind, err: messageOf(err) },
        'transcription failed',
      );
      return transcriptionFailedNote(file, messageOf(err));
    }
  }

  /**
   * Records a message Praktor itself answered (a chat command) with its reply, as a closed exchange in the
   * conversation of `agentId`: on record like any other message, and never queued for the agent.
   */
  answerDirectly(incoming: IncomingMessage, agentId: string, reply: string): Received {
    const { store, bus } = this.deps;
    const { message, duplicate } = store.messages.receive(incoming);
    if (duplicate) return { message, route: null, duplicate };
    store.messages.route(message.id, agentId, incoming.text, { via: 'direct', reason: null });
    const answer = store.messages.answer(message.id, { agentId, sender: 'praktor', text: reply });
    const closed = store.messages.get(message.id) ?? message;
    bus.emit({ type: 'message', message: closed });
    bus.emit({ type: 'message', message: answer });
    return { message: closed, route: { agentId, text: incoming.text, via: 'direct' }, duplicate };
  }

  /**
   * Queues again every message a previous run received but did not answer, in arrival order. Returns how many.
   * A message not yet routed, or for an agent that is no longer configured, goes where the router's rules send it
   * (without asking the classifier, so that a restart does not wait for it).
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
        queued = store.messages.route(message.id, chosen.agentId, chosen.text, routingOf(chosen));
        bus.emit({ type: 'message', message: queued });
      }
      orchestrator.enqueue(agentId, queued);
    }
    return open.length;
  }

  /** Records the route of a stored message and queues it for its agent. */
  private queue(message: MessageView, incoming: IncomingMessage, chosen: Route): MessageView {
    const { store, bus, orchestrator } = this.deps;
    const routed = store.messages.route(message.id, chosen.agentId, chosen.text, routingOf(chosen));
    bus.emit({ type: 'message', message: routed });
    if (incoming.chatId !== null) store.chats.setLastAgent(incoming.channel, incoming.chatId, chosen.agentId);
    orchestrator.enqueue(chosen.agentId, routed);
    return routed;
  }

  /** Whether plain text goes to the classifier: on, with credentials, and more than one agent to choose from. */
  private aiApplies(): boolean {
    const config = this.deps.config();
    return config.router.ai && this.deps.modelAccess !== null && Object.keys(config.agents).length > 1;
  }

  /** Asks the classifier; any failure routes to the default agent, saying why. */
  private async classifyRoute(
    message: MessageView,
    incoming: IncomingMessage,
    fallback: Route,
  ): Promise<Route> {
    const config = this.deps.config();
    const access = this.deps.modelAccess as ModelAccess;
    const current =
      incoming.chatId === null
        ? null
        : this.deps.store.chats.lastAgentSince(incoming.channel, incoming.chatId, Date.now() - STICKY_MS);
    const agents = Object.entries(config.agents).map(([id, agent]) => ({
      id,
      description: agent.description,
    }));
    const startedAt = Date.now();
    const picked = await classify(access, {
      text: message.text,
      agents,
      current: current !== null && Object.hasOwn(config.agents, current) ? current : null,
      model: config.router.model,
      timeoutMs: config.router.timeout,
    });
    // The configuration may have changed while the classifier thought: route only to an agent that still exists.
    const now = this.deps.config();
    const ms = Date.now() - startedAt;
    if (picked.ok && Object.hasOwn(now.agents, picked.agentId)) {
      this.deps.log.info(
        { message: message.id, agent: picked.agentId, reason: picked.reason, ms },
        'routed by AI',
      );
      return { agentId: picked.agentId, text: message.text, via: 'ai', reason: picked.reason };
    }
    const problem = picked.ok ? `${picked.agentId} is no longer configured` : picked.problem;
    this.deps.log.warn({ message: message.id, problem, ms }, 'AI routing failed; the default agent answers');
    return { ...fallback, agentId: now.router.default_agent, reason: `AI routing failed: ${problem}` };
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

/** What is recorded of a route. */
function routingOf(chosen: Route): { via: Route['via']; reason: string | null } {
  return { via: chosen.via, reason: chosen.reason ?? null };
}
