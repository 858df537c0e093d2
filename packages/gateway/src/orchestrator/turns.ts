/**
 * The turn runner: each agent's conversation answers its waiting messages one at a time, taking turns between the
 * chats they came from; scheduled task runs go beside it; every turn's outcome is recorded as the answer for its
 * chat or a failure the user sees.
 */

import type {
  Activity,
  MessageView,
  ModelSpend,
  ResultMessage,
  TurnImage,
  TurnUsage,
} from '@praktor/protocol';
import { isModelImage, messageOf } from '@praktor/protocol';
import type { EventBus } from '../events/bus.js';
import type { Logger } from '../log.js';
import type { SavedUpload, Store } from '../store/index.js';
import { activityLine } from './activity.js';
import type { AgentPool } from './agent-pool.js';
import type { Budgets, Refusal } from './budgets.js';
import { FairQueue } from './fair-queue.js';
import type { AgentLink } from './link.js';
import type { Redactor } from './redactor.js';
import {
  answerText,
  CANCELLED_BY_STOP,
  couldNotStart,
  credentialProblem,
  failureText,
  NEW_CONVERSATION,
  resumedPrompt,
  SHUTTING_DOWN,
  STOPPED_ON_REQUEST,
} from './wording.js';

/** What the turn runner works with. */
export interface TurnRunnerDeps {
  store: Store;
  bus: EventBus;
  /** Masks secret values in what agents write, before anyone else sees it. */
  redactor: Redactor;
  pool: AgentPool;
  /** Checked before work starts, and warned about after it spent. */
  budgets: Budgets;
  log: Logger;
  /** The time now, in ms since the epoch: spend is dated by the clock the budgets count days by. */
  now: () => number;
}

/** How a task run ended, for its history. */
export interface TaskOutcome {
  status: ResultMessage['status'];
  /** The answer (status ok) or what went wrong. */
  text: string;
  /** Why it failed, null when it did not. */
  error: string | null;
  costUsd: number | null;
  usage: TurnUsage | null;
  durationMs: number;
  /** The outbound message the chat got, null when none was recorded. */
  answerId: number | null;
}

/** One agent's conversation: its waiting messages and the one being answered. */
interface Conversation {
  waiting: FairQueue<number>;
  /** The inbound message being answered. */
  current: number | null;
  /** Whether its waiting messages are being answered (by {@link TurnRunner.answerWaiting}). */
  answering: boolean;
}

/** A conversation turn, or a task run in a session of its own. */
type TurnKind = 'turn' | 'task';

/** Runs the agents' turns and records how they end. */
export class TurnRunner {
  private readonly conversations = new Map<string, Conversation>();
  private closing = false;
  /** Whether the model API refused the credentials in the latest turn that reached it. */
  private credentialsRefused = false;

  constructor(private readonly deps: TurnRunnerDeps) {}

  /**
   * Queues a routed inbound message for the conversation of `agentId`. It is answered after the messages of its chat
   * queued before it, and after at most one message of each other chat waiting for the agent.
   */
  enqueue(agentId: string, message: MessageView): void {
    if (this.closing) return;
    const conversation = this.conversation(agentId);
    conversation.waiting.push(`${message.channel}:${message.chatId ?? ''}`, message.id);
    if (!conversation.answering) void this.answerWaiting(agentId, conversation);
  }

  /**
   * Stops what an agent's conversation is doing: drops its waiting messages (marked stopped) and interrupts the turn
   * in progress. Returns how many waiting messages were dropped and whether a turn was interrupted.
   */
  abort(agentId: string): { dropped: number; interrupted: boolean } {
    const conversation = this.conversations.get(agentId);
    if (!conversation) return { dropped: 0, interrupted: false };
    const dropped = conversation.waiting.clear();
    for (const id of dropped) this.announce(this.deps.store.messages.stop(id, CANCELLED_BY_STOP));
    const link = this.deps.pool.running(agentId);
    const interrupted = conversation.current !== null && link !== null;
    if (interrupted) link?.abort();
    return { dropped: dropped.length, interrupted };
  }

  /**
   * Starts a new conversation for an agent: its next message no longer carries the earlier ones. A note in the
   * conversation marks where the new one starts.
   */
  reset(agentId: string): void {
    this.deps.store.sessions.clear(agentId);
    this.deps.pool.running(agentId)?.reset();
    this.announce(this.deps.store.messages.note(agentId, NEW_CONVERSATION));
  }

  /**
   * Runs a stored inbound message routed to `agentId` as a scheduled task: in a new session of its own, beside the
   * agent's conversation, which neither sees it nor waits for it. The outcome is recorded like a conversation
   * turn's and returned. Rejects only for a message that does not exist.
   */
  async runTask(agentId: string, messageId: number): Promise<TaskOutcome> {
    const message = this.deps.store.messages.get(messageId);
    if (!message) throw new Error(`message ${messageId} does not exist`);
    this.deps.pool.hold(agentId);
    try {
      return await this.run(agentId, message, 'task', (link, onDelta, onActivity) =>
        link.task(String(messageId), message.text, onDelta, onActivity),
      );
    } finally {
      this.deps.pool.release(agentId);
    }
  }

  /**
   * Whether the model API refused the gateway's credentials (401) in the latest turn or task run that reached it;
   * an answered one clears it.
   */
  get modelCredentialsRefused(): boolean {
    return this.credentialsRefused;
  }

  /** Starts no new turn or task run from now on; those in progress go on. */
  close(): void {
    this.closing = true;
  }

  private conversation(agentId: string): Conversation {
    let conversation = this.conversations.get(agentId);
    if (!conversation) {
      conversation = { waiting: new FairQueue(), current: null, answering: false };
      this.conversations.set(agentId, conversation);
    }
    return conversation;
  }

  /** Answers the conversation's waiting messages one after another until none is left, keeping the agent up. */
  private async answerWaiting(agentId: string, conversation: Conversation): Promise<void> {
    conversation.answering = true;
    this.deps.pool.hold(agentId);
    try {
      for (
        let id = conversation.waiting.shift();
        id !== undefined && !this.closing;
        id = conversation.waiting.shift()
      ) {
        await this.answer(agentId, conversation, id);
      }
    } finally {
      conversation.answering = false;
      this.deps.pool.release(agentId);
    }
  }

  /** Answers one message of the conversation, unless it was closed meanwhile. */
  private async answer(agentId: string, conversation: Conversation, messageId: number): Promise<void> {
    const { store } = this.deps;
    const message = store.messages.get(messageId);
    // Closed already (cancelled, or answered before a restart): never answer a message twice.
    if (!message || ['failed', 'stopped', 'answered'].includes(message.state)) return;
    // Still `processing` from before a restart: the agent was interrupted, and the user saw no answer.
    const prompt = message.state === 'processing' ? resumedPrompt(message.text) : message.text;
    conversation.current = messageId;
    const images = imagesOf(store.messageUploads.of(messageId));
    try {
      await this.run(agentId, message, 'turn', (link, onDelta, onActivity) =>
        link.turn(String(messageId), prompt, onDelta, onActivity, images),
      );
    } finally {
      conversation.current = null;
    }
  }

  /**
   * Runs one message on the agent's sandbox, started first when it does not run, and records the outcome: the
   * answer, a clear failure (a sandbox that could not start included), or nothing for a requested stop.
   */
  private async run(
    agentId: string,
    message: MessageView,
    kind: TurnKind,
    send: (
      link: AgentLink,
      onDelta: (text: string) => void,
      onActivity: (activity: Activity) => void,
    ) => Promise<ResultMessage>,
  ): Promise<TaskOutcome> {
    const { store, pool, log } = this.deps;
    const refusal = this.deps.budgets.refusal(agentId, message);
    if (refusal) return this.refuse(message, agentId, kind, refusal);
    let link: AgentLink;
    try {
      if (this.closing) throw new Error(SHUTTING_DOWN);
      link = await pool.link(agentId);
    } catch (err) {
      const reason = messageOf(err);
      log.error({ agent: agentId, message: message.id, kind, err: reason }, 'agent could not start');
      this.deps.bus.emit({ type: 'error', agentId, message: reason });
      const text = couldNotStart(reason);
      const answerId = this.record(message, agentId, { status: 'error', text, terminalReason: null });
      return { status: 'error', text, error: text, costUsd: null, usage: null, durationMs: 0, answerId };
    }
    this.announce(store.messages.startProcessing(message.id));
    pool.turnStarted(agentId);
    const result = await this.converse(agentId, message.id, (onDelta, onActivity) =>
      send(link, onDelta, onActivity),
    );
    if (kind === 'turn' && result.sessionId) store.sessions.set(agentId, result.sessionId);
    const spent = store.spend.record({
      agentId,
      kind,
      messageId: message.id,
      sessionId: result.sessionId,
      processSpend: result.processSpend,
      at: this.deps.now(),
    });
    const costs =
      result.processSpend.length > 0 ? totalOf(spent) : { costUsd: result.costUsd, usage: result.usage };
    const credentials = result.status === 'error' ? credentialProblem(result.text) : null;
    if (credentials === 'rejected') this.credentialsRefused = true;
    else if (result.status === 'ok') this.credentialsRefused = false;
    if (credentials) {
      log.error(
        { agent: agentId, message: message.id, problem: credentials, err: result.text },
        credentials === 'missing'
          ? 'no model credentials: set ANTHROPIC_API_KEY (or CLAUDE_CODE_OAUTH_TOKEN) and restart'
          : 'the model API refused the credentials (401): check ANTHROPIC_API_KEY (or CLAUDE_CODE_OAUTH_TOKEN) and restart',
      );
    }
    log.info(
      {
        agent: agentId,
        message: message.id,
        status: result.status,
        ms: result.durationMs,
        costUsd: costs.costUsd,
      },
      kind === 'turn' ? 'turn finished' : 'task run finished',
    );
    // Cut short by a shutdown: the message stays open, for the next start to answer (a conversation's) or settle (a
    // task run's).
    const answerId = this.closing && result.status !== 'ok' ? null : this.record(message, agentId, result);
    pool.turnEnded(agentId);
    // After the answer, so the chat reads the answer first.
    for (const warning of this.deps.budgets.warn(agentId)) this.announce(warning);
    return {
      status: result.status,
      text: result.text,
      error: result.status === 'ok' ? null : result.text,
      costUsd: costs.costUsd,
      usage: costs.usage,
      durationMs: result.durationMs,
      answerId,
    };
  }

  /**
   * Leaves work over budget undone: the first refusal of the period is the chat's answer, which says why; later ones
   * close their message quietly, so the chat is not told again for every message.
   */
  private refuse(message: MessageView, agentId: string, kind: TurnKind, refusal: Refusal): TaskOutcome {
    const { store, log } = this.deps;
    const { budget, text } = refusal;
    log.warn(
      {
        agent: agentId,
        message: message.id,
        kind,
        budget: budget.id,
        spentUsd: budget.spentUsd,
        limitUsd: budget.limitUsd,
      },
      'work not started: over budget',
    );
    let answerId: number | null = null;
    if (refusal.tell) {
      const outbound = store.messages.answer(message.id, { agentId, sender: 'system', text, error: text });
      const inbound = store.messages.get(message.id);
      if (inbound) this.announce(inbound);
      this.announce(outbound);
      answerId = outbound.id;
    } else {
      this.announce(store.messages.fail(message.id, text));
    }
    return { status: 'error', text, error: text, costUsd: null, usage: null, durationMs: 0, answerId };
  }

  /**
   * Runs one turn or task on the link, streaming its answer as deltas and recording what the agent does meanwhile,
   * both with secrets masked, and masks the result.
   */
  private async converse(
    agentId: string,
    messageId: number,
    run: (
      onDelta: (text: string) => void,
      onActivity: (activity: Activity) => void,
    ) => Promise<ResultMessage>,
  ): Promise<ResultMessage> {
    const { store, bus, redactor } = this.deps;
    const masker = redactor.stream(agentId);
    const emitDelta = (text: string) => {
      if (text !== '') bus.emit({ type: 'delta', agentId, messageId, text });
    };
    const recordActivity = (activity: Activity) => {
      const line = activityLine(agentId, messageId, activity, (text) => redactor.text(agentId, text));
      try {
        bus.emit({ type: 'activity', activity: store.activities.add(line) });
      } catch (err) {
        // A line that cannot be stored is only missing from the view; the turn itself goes on.
        this.deps.log.error(
          { agent: agentId, message: messageId, err: messageOf(err) },
          'activity not stored',
        );
      }
    };
    const raw = await run((text) => emitDelta(masker.push(text)), recordActivity);
    emitDelta(masker.end());
    return { ...raw, text: redactor.text(agentId, raw.text) };
  }

  /**
   * Turns a turn's end into what the user sees: the answer, a clear failure, or nothing for a requested stop.
   * Returns the id of the message recorded for the chat, if any.
   */
  private record(
    message: MessageView,
    agentId: string,
    result: Pick<ResultMessage, 'status' | 'text' | 'terminalReason'>,
  ): number | null {
    const { store } = this.deps;
    if (result.status === 'aborted') {
      this.announce(store.messages.stop(message.id, STOPPED_ON_REQUEST));
      return null;
    }
    const outbound =
      result.status === 'ok'
        ? store.messages.answer(message.id, { agentId, sender: 'agent', text: answerText(result) })
        : store.messages.answer(message.id, {
            agentId,
            sender: 'system',
            text: failureText(result.text),
            error: result.text,
          });
    const inbound = store.messages.get(message.id);
    if (inbound) this.announce(inbound);
    this.announce(outbound);
    return outbound.id;
  }

  private announce(message: MessageView): void {
    this.deps.bus.emit({ type: 'message', message });
  }
}

/** The uploads of a message that the model sees as images (within the API's types and size). */
function imagesOf(uploads: readonly SavedUpload[]): TurnImage[] {
  return uploads.flatMap((u) =>
    isModelImage(u.mimeType, u.size) ? [{ path: u.path, mediaType: u.mimeType }] : [],
  );
}

/** What a turn spent on all its models together. */
function totalOf(spent: readonly ModelSpend[]): { costUsd: number; usage: TurnUsage } {
  return {
    costUsd: spent.reduce((sum, s) => sum + s.costUsd, 0),
    usage: {
      inputTokens: spent.reduce((sum, s) => sum + s.inputTokens, 0),
      outputTokens: spent.reduce((sum, s) => sum + s.outputTokens, 0),
      cacheReadTokens: spent.reduce((sum, s) => sum + s.cacheReadTokens, 0),
      cacheWriteTokens: spent.reduce((sum, s) => sum + s.cacheWriteTokens, 0),
    },
  };
}
