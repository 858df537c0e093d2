/**
 * The orchestrator: one FIFO queue per agent, the agent's sandbox started on demand and stopped when idle, at most
 * `max_running` sandboxes at once, scheduled task runs beside the conversation, and every turn's outcome recorded
 * as an answer or a failure the user sees.
 */
import type { Duplex } from 'node:stream';
import type {
  AgentStatus,
  CallMessage,
  MessageView,
  ResultMessage,
  StreamService,
  ToolRequest,
  TurnUsage,
} from '@praktor/protocol';
import type { Config, ResolvedAgent } from '../config/index.js';
import { resolveAgent } from '../config/index.js';
import type { EventBus } from '../events/bus.js';
import type { Logger } from '../log.js';
import { type Runtime, type SandboxFile, safeWorkspaceName } from '../runtimes/runtime.js';
import type { Store } from '../store/index.js';
import { AgentLink } from './link.js';
import type { Redactor } from './redactor.js';

/** What the orchestrator works with. */
export interface OrchestratorDeps {
  /** The configuration in force (it can change between calls). */
  config: () => Config;
  store: Store;
  bus: EventBus;
  /** The runtime for an agent; throws an error a user can act on when it cannot run there. */
  runtimeFor: (agent: ResolvedAgent) => Runtime;
  /** The environment Claude Code gets in an agent's sandbox (sent over the link); throws an error a user can act on. */
  agentEnv: (agent: ResolvedAgent) => Record<string, string>;
  /** The files (secrets) to place in an agent's sandbox; throws an error a user can act on. */
  agentFiles: (agent: ResolvedAgent) => SandboxFile[];
  /** Masks secret values in what agents write, before anyone else sees it. */
  redactor: Redactor;
  /** Carries out an agent's built-in tool requests; absent, the tools answer that they are not available. */
  agentTools?: AgentTools;
  /** Serves a stream an agent's runner opened over its link to `service` (the model API). */
  serveStream: (agentId: string, service: StreamService, stream: Duplex) => void;
  log: Logger;
  readyTimeoutMs?: number;
  stopGraceMs?: number;
}

/**
 * Carries out what an agent asks through its built-in tools. `origin` is the message the agent was answering when it
 * asked (null when unknown); throw an error with a message for the agent to refuse.
 */
export type AgentTools = (
  agentId: string,
  request: ToolRequest,
  origin: MessageView | null,
) => Promise<string>;

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

/** Prefixed to a message whose answer a restart interrupted, so the agent knows to answer it afresh. */
const RESUMED_NOTE =
  '(Praktor restarted while you were answering this message; the user has not seen any answer to it. Answer it in full.)';

/** Why an agent's sandbox stopped. */
export type StopReason = 'idle_timeout' | 'manual' | 'shutdown' | 'evicted' | 'config';

interface Worker {
  id: string;
  queue: number[];
  link: AgentLink | null;
  status: AgentStatus;
  /** The inbound message being answered. */
  current: number | null;
  /** Task runs in progress. */
  tasks: number;
  /** The sandbox being started, shared by everyone who needs it meanwhile. */
  starting: Promise<AgentLink> | null;
  pumping: boolean;
  stopping: boolean;
  lastActive: number;
  idleTimer: NodeJS.Timeout | null;
}

/** Runs agents and their queues. */
export class Orchestrator {
  private readonly workers = new Map<string, Worker>();
  private readonly slotWaiters: (() => void)[] = [];
  private closing = false;

  constructor(private readonly deps: OrchestratorDeps) {}

  /** Queues a routed inbound message for its agent; it is answered after every message queued before it. */
  enqueue(agentId: string, messageId: number): void {
    if (this.closing) return;
    const worker = this.worker(agentId);
    this.clearIdleTimer(worker);
    worker.queue.push(messageId);
    void this.pump(worker);
  }

  /** The status of an agent's sandbox. */
  status(agentId: string): AgentStatus {
    return this.workers.get(agentId)?.status ?? 'stopped';
  }

  /** Whether an agent is working on a message or has messages waiting. */
  isBusy(agentId: string): boolean {
    const worker = this.workers.get(agentId);
    return worker !== undefined && (worker.current !== null || worker.queue.length > 0 || worker.tasks > 0);
  }

  /**
   * Stops what an agent is doing: drops its waiting messages (marked failed) and interrupts the turn in progress.
   * Returns how many waiting messages were dropped and whether a turn was interrupted.
   */
  abort(agentId: string): { dropped: number; interrupted: boolean } {
    const worker = this.workers.get(agentId);
    if (!worker) return { dropped: 0, interrupted: false };
    const dropped = worker.queue.splice(0);
    for (const id of dropped) this.announce(this.deps.store.messages.fail(id, 'cancelled by /stop'));
    const interrupted = worker.current !== null && worker.link !== null;
    if (interrupted) worker.link?.abort();
    return { dropped: dropped.length, interrupted };
  }

  /** Starts a new conversation for an agent: its next message no longer carries the earlier ones. */
  reset(agentId: string): void {
    this.deps.store.sessions.clear(agentId);
    this.workers.get(agentId)?.link?.reset();
  }

  /** Starts an agent's sandbox ahead of its first message; it stops again after `idle_timeout` if left idle. */
  async start(agentId: string): Promise<void> {
    const worker = this.worker(agentId);
    await this.ensureLink(worker, resolveAgent(this.deps.config(), agentId));
    if (!this.working(worker)) this.armIdleTimer(worker);
  }

  /**
   * Runs a stored inbound message routed to `agentId` as a scheduled task: in a new session of its own, beside the
   * agent's conversation, which neither sees it nor waits for it. The outcome is recorded like a conversation
   * turn's (the answer for its chat, or a failure the user sees) and returned. Rejects only for a message that does
   * not exist.
   */
  async runTask(agentId: string, messageId: number): Promise<TaskOutcome> {
    const { store, log } = this.deps;
    const message = store.messages.get(messageId);
    if (!message) throw new Error(`message ${messageId} does not exist`);
    const worker = this.worker(agentId);
    worker.tasks++;
    this.clearIdleTimer(worker);
    try {
      let link: AgentLink;
      try {
        if (this.closing) throw new Error('Praktor is shutting down');
        link = await this.ensureLink(worker, resolveAgent(this.deps.config(), agentId));
      } catch (err) {
        const reason = (err as Error).message;
        log.error({ agent: agentId, err: reason }, 'agent could not start for a task');
        this.deps.bus.emit({ type: 'error', agentId, message: reason });
        const text = `I could not start: ${reason}`;
        const answer = this.recordOutcome(message, agentId, { status: 'error', text });
        return {
          status: 'error',
          text,
          error: text,
          costUsd: null,
          usage: null,
          durationMs: 0,
          answerId: answer,
        };
      }
      worker.lastActive = Date.now();
      this.announce(store.messages.startProcessing(messageId));
      this.refreshStatus(worker);
      const result = await this.converse(worker, messageId, (onDelta) =>
        link.task(String(messageId), message.text, onDelta),
      );
      log.info(
        {
          agent: agentId,
          message: messageId,
          status: result.status,
          ms: result.durationMs,
          costUsd: result.costUsd,
        },
        'task run finished',
      );
      // Cut short by a shutdown: the message stays open and the scheduler settles the run at the next start.
      const answer =
        this.closing && result.status !== 'ok' ? null : this.recordOutcome(message, agentId, result);
      this.afterTurn(worker, link);
      return {
        status: result.status,
        text: result.text,
        error: result.status === 'ok' ? null : result.text,
        costUsd: result.costUsd,
        usage: result.usage,
        durationMs: result.durationMs,
        answerId: answer,
      };
    } finally {
      worker.tasks--;
      worker.lastActive = Date.now();
      if (worker.link) this.refreshStatus(worker);
      if (!this.closing && !this.working(worker)) this.armIdleTimer(worker);
    }
  }

  /** Stops an agent's sandbox (its queue is kept and restarts it). */
  async stop(agentId: string, reason: StopReason): Promise<void> {
    const worker = this.workers.get(agentId);
    if (worker) await this.stopWorker(worker, reason);
  }

  /**
   * Starts no new turn, lets the turns in progress finish for up to `graceMs`, then stops every sandbox. Messages
   * still waiting, or interrupted, keep their state, so the next start picks them up.
   */
  async shutdown(graceMs = 0): Promise<void> {
    this.closing = true;
    for (const worker of this.workers.values()) this.clearIdleTimer(worker);
    const deadline = Date.now() + graceMs;
    const busy = () =>
      [...this.workers.values()].some((worker) => worker.current !== null || worker.tasks > 0);
    while (busy() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
    await Promise.all([...this.workers.values()].map((worker) => this.stopWorker(worker, 'shutdown')));
  }

  private worker(agentId: string): Worker {
    let worker = this.workers.get(agentId);
    if (!worker) {
      worker = {
        id: agentId,
        queue: [],
        link: null,
        status: 'stopped',
        current: null,
        tasks: 0,
        starting: null,
        pumping: false,
        stopping: false,
        lastActive: Date.now(),
        idleTimer: null,
      };
      this.workers.set(agentId, worker);
    }
    return worker;
  }

  private async pump(worker: Worker): Promise<void> {
    if (worker.pumping) return;
    worker.pumping = true;
    try {
      for (let id = worker.queue.shift(); id !== undefined && !this.closing; id = worker.queue.shift()) {
        await this.process(worker, id);
      }
    } finally {
      worker.pumping = false;
    }
    if (!this.closing) this.armIdleTimer(worker);
  }

  private async process(worker: Worker, messageId: number): Promise<void> {
    const { store, log } = this.deps;
    const message = store.messages.get(messageId);
    // Closed already (cancelled, or answered before a restart): never answer a message twice.
    if (!message || message.state === 'failed' || message.state === 'answered') return;
    let agent: ResolvedAgent;
    let link: AgentLink;
    // Claimed before the sandbox starts, so that nobody evicts it between its start and its turn.
    worker.current = messageId;
    try {
      agent = resolveAgent(this.deps.config(), worker.id);
      link = await this.ensureLink(worker, agent);
    } catch (err) {
      worker.current = null;
      const reason = (err as Error).message;
      log.error({ agent: worker.id, err: reason }, 'agent could not start');
      this.deps.bus.emit({ type: 'error', agentId: worker.id, message: reason });
      this.recordOutcome(message, worker.id, { status: 'error', text: `I could not start: ${reason}` });
      return;
    }
    worker.lastActive = Date.now();
    this.announce(store.messages.startProcessing(messageId));
    this.refreshStatus(worker);
    // Still `processing` from before a restart: the agent was interrupted, and the user saw no answer.
    const prompt = message.state === 'processing' ? `${RESUMED_NOTE}\n\n${message.text}` : message.text;
    const result = await this.converse(worker, messageId, (onDelta) =>
      link.turn(String(messageId), prompt, onDelta),
    );
    worker.current = null;
    worker.lastActive = Date.now();
    if (result.sessionId) store.sessions.set(worker.id, result.sessionId);
    log.info(
      {
        agent: worker.id,
        message: messageId,
        status: result.status,
        ms: result.durationMs,
        costUsd: result.costUsd,
      },
      'turn finished',
    );
    if (this.closing && result.status !== 'ok') return;
    this.recordOutcome(message, worker.id, result);
    this.afterTurn(worker, link);
  }

  /** Runs one turn or task on the link, streaming its answer as deltas with secrets masked, and masks the result. */
  private async converse(
    worker: Worker,
    messageId: number,
    run: (onDelta: (text: string) => void) => Promise<ResultMessage>,
  ): Promise<ResultMessage> {
    const masker = this.deps.redactor.stream(worker.id);
    const emitDelta = (text: string) => {
      if (text !== '') this.deps.bus.emit({ type: 'delta', agentId: worker.id, messageId, text });
    };
    const raw = await run((text) => emitDelta(masker.push(text)));
    emitDelta(masker.end());
    return { ...raw, text: this.deps.redactor.text(worker.id, raw.text) };
  }

  /** After a turn or task: notices a sandbox that died under it, or shows the agent idle again. */
  private afterTurn(worker: Worker, link: AgentLink): void {
    if (link.dead) {
      if (worker.link === link) worker.link = null;
      if (!worker.stopping && worker.status !== 'stopped') this.setStatus(worker, 'stopped', 'crashed');
    } else {
      this.refreshStatus(worker);
    }
  }

  /** Whether an agent has anything in hand: a turn, waiting messages or task runs. */
  private working(worker: Worker): boolean {
    return worker.current !== null || worker.queue.length > 0 || worker.tasks > 0;
  }

  /** Shows a running agent as busy while it answers something, idle otherwise. */
  private refreshStatus(worker: Worker): void {
    if (!worker.link || worker.stopping) return;
    this.setStatus(worker, worker.current !== null || worker.tasks > 0 ? 'busy' : 'idle', null);
  }

  /**
   * Turns a turn's end into what the user sees: the answer, a clear failure, or nothing for a requested stop.
   * Returns the id of the message recorded for the chat, if any.
   */
  private recordOutcome(
    message: MessageView,
    agentId: string,
    result: Pick<ResultMessage, 'status' | 'text'> & Partial<Pick<ResultMessage, 'terminalReason'>>,
  ): number | null {
    const { store } = this.deps;
    if (result.status === 'aborted') {
      this.announce(store.messages.fail(message.id, 'stopped on request'));
      return null;
    }
    let outbound: MessageView;
    if (result.status === 'ok') {
      let text = result.text.trim() === '' ? '(The agent finished without writing a reply.)' : result.text;
      if (result.terminalReason)
        text += `\n\n⚠️ Agent stopped early: ${result.terminalReason.replaceAll('_', ' ')}`;
      outbound = store.messages.answer(message.id, { agentId, sender: 'agent', text });
    } else {
      outbound = store.messages.answer(message.id, {
        agentId,
        sender: 'system',
        text: `⚠️ ${result.text}`,
        error: result.text,
      });
    }
    const inbound = store.messages.get(message.id);
    if (inbound) this.announce(inbound);
    this.announce(outbound);
    return outbound.id;
  }

  private ensureLink(worker: Worker, agent: ResolvedAgent): Promise<AgentLink> {
    if (worker.link && !worker.link.dead) return Promise.resolve(worker.link);
    // A conversation turn and a task run may both need the sandbox at once: start it once.
    worker.starting ??= this.startLink(worker, agent).finally(() => {
      worker.starting = null;
    });
    return worker.starting;
  }

  private async startLink(worker: Worker, agent: ResolvedAgent): Promise<AgentLink> {
    const runtime = this.deps.runtimeFor(agent);
    // Both resolved before a slot is taken, so an agent that cannot start does not hold one.
    const env = this.deps.agentEnv(agent);
    const files = this.deps.agentFiles(agent);
    await this.acquireSlot(worker);
    const { store, log } = this.deps;
    try {
      const sandbox = await runtime.start({
        agentId: agent.id,
        workspace: safeWorkspaceName(agent.workspace),
        files,
      });
      const link = await AgentLink.open(sandbox, {
        agentId: agent.id,
        model: agent.model,
        resumeSessionId: store.sessions.get(agent.id),
        tools: agent.allowedTools.length > 0 ? agent.allowedTools : null,
        env,
        readyTimeoutMs: this.deps.readyTimeoutMs ?? 60_000,
        onSession: (sessionId) => store.sessions.set(agent.id, sessionId),
        onLog: (line) => log.debug({ agent: agent.id }, line),
        onCall: (call) => this.toolCall(agent.id, call),
        serveStream: (service, stream) => this.deps.serveStream(agent.id, service, stream),
      });
      worker.link = link;
      worker.stopping = false;
      void link.closed.then((exit) => {
        if (worker.link === link) worker.link = null;
        if (worker.status !== 'stopped' && worker.current === null && !worker.stopping) {
          log.warn({ agent: agent.id, exit }, 'agent sandbox stopped unexpectedly');
          this.setStatus(worker, 'stopped', 'crashed');
        }
      });
      log.info({ agent: agent.id, runtime: runtime.name, model: agent.model }, 'agent started');
      this.setStatus(worker, 'idle', null);
      return link;
    } catch (err) {
      this.setStatus(worker, 'stopped', 'failed');
      throw err;
    }
  }

  /** Waits for room under `max_running`, making room by stopping the agent idle the longest. */
  private async acquireSlot(worker: Worker): Promise<void> {
    for (;;) {
      const running = [...this.workers.values()].filter((w) => w.status !== 'stopped');
      if (running.length < this.deps.config().defaults.max_running) {
        this.setStatus(worker, 'starting', null);
        return;
      }
      const idle = running
        .filter((w) => w.status === 'idle' && !this.working(w) && !w.stopping)
        .sort((a, b) => a.lastActive - b.lastActive)[0];
      if (idle) await this.stopWorker(idle, 'evicted');
      else await new Promise<void>((resolve) => this.slotWaiters.push(resolve));
    }
  }

  private async stopWorker(worker: Worker, reason: StopReason): Promise<void> {
    this.clearIdleTimer(worker);
    const link = worker.link;
    if (!link) return;
    worker.stopping = true;
    worker.link = null;
    await link.close(this.deps.stopGraceMs ?? 5_000);
    worker.stopping = false;
    this.deps.log.info({ agent: worker.id, reason }, 'agent stopped');
    this.setStatus(worker, 'stopped', reason);
  }

  private armIdleTimer(worker: Worker): void {
    this.clearIdleTimer(worker);
    const idleMs = this.deps.config().defaults.idle_timeout;
    if (idleMs <= 0 || !worker.link) return;
    worker.idleTimer = setTimeout(() => {
      worker.idleTimer = null;
      if (!this.working(worker)) void this.stopWorker(worker, 'idle_timeout');
    }, idleMs);
    worker.idleTimer.unref();
  }

  private clearIdleTimer(worker: Worker): void {
    if (worker.idleTimer) clearTimeout(worker.idleTimer);
    worker.idleTimer = null;
  }

  private setStatus(worker: Worker, status: AgentStatus, reason: string | null): void {
    if (worker.status === status) return;
    worker.status = status;
    this.deps.bus.emit({ type: 'agent_status', agentId: worker.id, status, reason });
    if (status === 'stopped' || status === 'idle') {
      // Someone waiting for a slot may now have one, or may now evict this agent.
      for (const wake of this.slotWaiters.splice(0)) wake();
    }
  }

  private async toolCall(agentId: string, call: CallMessage): Promise<{ ok: boolean; text: string }> {
    const tools = this.deps.agentTools;
    if (!tools) return { ok: false, text: `Error: ${call.request.tool} is not available.` };
    const messageId = call.turnId === null ? Number.NaN : Number(call.turnId);
    const origin = Number.isInteger(messageId) ? this.deps.store.messages.get(messageId) : null;
    try {
      return { ok: true, text: await tools(agentId, call.request, origin) };
    } catch (err) {
      return { ok: false, text: `Error: ${(err as Error).message}` };
    }
  }

  private announce(message: MessageView): void {
    this.deps.bus.emit({ type: 'message', message });
  }
}
