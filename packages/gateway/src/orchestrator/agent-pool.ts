/**
 * The agent pool: each agent's sandbox and the link to its runner, started when first needed (once, however many
 * need it meanwhile), at most `max_running` at a time together with the swarm members it lends slots to (room made
 * by stopping the agent idle the longest), stopped after `idle_timeout` without work, and the status Mission Control
 * shows for it. Warm agents are started ahead of their first message and kept up; an agent whose configuration
 * changed starts again between two turns.
 */
import type { Duplex } from 'node:stream';
import {
  type AgentStatus,
  type AgentWorkbench,
  type ApprovalRequestMessage,
  type CallMessage,
  messageOf,
  type StartExtensions,
  type StreamService,
} from '@praktor/protocol';
import type { Config, ResolvedAgent } from '../config/index.js';
import { embeddingsOf, resolveAgent } from '../config/index.js';
import type { EventBus } from '../events/bus.js';
import type { Logger } from '../log.js';
import {
  nixFor,
  type Runtime,
  type SandboxFile,
  type SandboxSpec,
  safeWorkspaceName,
} from '../runtimes/runtime.js';
import type { Store } from '../store/index.js';
import { AgentLink, type ApprovalVerdict } from './link.js';
import type { ToolReply } from './tool-calls.js';

/** What the pool works with. */
export interface AgentPoolDeps {
  /** The configuration in force (it can change between calls). */
  config: () => Config;
  /** Where each agent's conversation session is kept, to resume it in a new sandbox. */
  store: Store;
  bus: EventBus;
  /** The runtime for an agent; throws an error a user can act on when it cannot run there. */
  runtimeFor: (agent: ResolvedAgent) => Runtime;
  /** The environment Claude Code gets in an agent's sandbox (sent over the link); throws an error a user can act on. */
  agentEnv: (agent: ResolvedAgent) => Record<string, string>;
  /** The files (secrets) to place in an agent's sandbox; throws an error a user can act on. */
  agentFiles: (agent: ResolvedAgent) => SandboxFile[];
  /** The agent's extensions as its runner applies them at start (secrets resolved). */
  agentExtensions: (agent: ResolvedAgent) => StartExtensions;
  /** Answers a tool call an agent makes. */
  onCall: (agentId: string, call: CallMessage) => Promise<ToolReply>;
  /** Asks a person about a tool call that matched one of the agent's approval rules. */
  onApproval: (agentId: string, request: ApprovalRequestMessage) => Promise<ApprovalVerdict>;
  /** Serves a stream an agent's runner opened over its link (the model API, the internet). */
  serveStream: (agentId: string, service: StreamService, stream: Duplex, streamId: string) => void;
  /**
   * Whether an agent is kept warm: started ahead of its first message, never stopped for being idle, and started
   * again in the background when room for another agent or a new configuration stopped it.
   */
  keepWarm: (agentId: string) => boolean;
  log: Logger;
  readyTimeoutMs?: number;
  stopGraceMs?: number;
}

/**
 * Why an agent's sandbox stopped; `reconfigured`: its configuration changed (it starts again on the new one),
 * `removed`: it is no longer configured.
 */
export type StopReason = 'idle_timeout' | 'manual' | 'shutdown' | 'evicted' | 'reconfigured' | 'removed';

/** Stops after which a warm agent is started again at once (a crash or a failed start waits for a message). */
const REWARM_AFTER: ReadonlySet<string> = new Set<StopReason>(['evicted', 'reconfigured']);

/** One agent's place in the pool. */
interface AgentState {
  id: string;
  link: AgentLink | null;
  status: AgentStatus;
  /** The sandbox being started, shared by everyone who needs it meanwhile. */
  starting: Promise<AgentLink> | null;
  stopping: boolean;
  /** The sandbox being stopped: a new one waits for it to be gone. */
  closing: Promise<void> | null;
  /** Why to stop the sandbox once its turns in progress have ended, if it must. */
  stopAfterTurns: StopReason | null;
  /** Holders that need the agent kept up; while there are any it is neither evicted nor stopped for being idle. */
  holds: number;
  /** Turns and task runs being answered: the agent shows busy while there are any. */
  turns: number;
  lastActive: number;
  idleTimer: NodeJS.Timeout | null;
  /**
   * Whether the running sandbox has nix (a store of its own in Docker, the host's with a profile of its own in the
   * local runtime), whose garbage is collected when it goes idle.
   */
  hasNix: boolean;
  /** What the sandbox had to work with when it last started; null until it has started. */
  workbench: AgentWorkbench | null;
}

/** The sandboxes of all agents, within the limits of the configuration. */
export class AgentPool {
  private readonly agents = new Map<string, AgentState>();
  private readonly slotWaiters: (() => void)[] = [];
  /** Slots under `max_running` held by sandboxes the pool does not run (swarm members). */
  private lent = 0;
  /** Warm agents to start as soon as there is room. */
  private readonly waitingToWarm = new Set<string>();
  private closing = false;

  constructor(private readonly deps: AgentPoolDeps) {}

  /** The status of an agent's sandbox. */
  status(agentId: string): AgentStatus {
    return this.agents.get(agentId)?.status ?? 'stopped';
  }

  /** What the agent's sandbox had to work with when it last started; null until it has started. */
  workbench(agentId: string): AgentWorkbench | null {
    return this.agents.get(agentId)?.workbench ?? null;
  }

  /** The link to an agent's runner while its sandbox runs, else null. */
  running(agentId: string): AgentLink | null {
    return this.agents.get(agentId)?.link ?? null;
  }

  /** Keeps an agent up until {@link release}: it is neither evicted nor stopped for being idle meanwhile. */
  hold(agentId: string): void {
    const state = this.state(agentId);
    state.holds++;
    this.clearIdleTimer(state);
  }

  /** Ends a {@link hold}; the last one to end starts the agent's idle time. */
  release(agentId: string): void {
    const state = this.state(agentId);
    state.holds--;
    state.lastActive = Date.now();
    if (state.holds > 0) return;
    this.armIdleTimer(state);
    // Someone waiting for a slot may now evict this agent.
    if (state.status === 'idle') this.wakeSlotWaiters();
  }

  /**
   * The link to an agent's runner, its sandbox started first when it does not run; rejects with an error a user can
   * act on. Call it while holding the agent, so that it is not stopped again before it is used. `ahead`: no message
   * waits for this start.
   */
  async link(agentId: string, ahead = false): Promise<AgentLink> {
    const state = this.state(agentId);
    if (state.closing) await state.closing;
    // Resolved even for a running sandbox: an agent no longer configured gets no more work.
    const agent = resolveAgent(this.deps.config(), agentId);
    if (state.link && !state.link.dead) return state.link;
    // A conversation turn and a task run may both need the sandbox at once: start it once.
    state.starting ??= this.startSandbox(state, agent, ahead).finally(() => {
      state.starting = null;
    });
    return state.starting;
  }

  /** Starts an agent's sandbox ahead of its first message; it stops again after `idle_timeout` if left idle. */
  async start(agentId: string): Promise<void> {
    const state = this.state(agentId);
    await this.link(agentId, true);
    if (state.holds === 0) this.armIdleTimer(state);
  }

  /**
   * Starts an agent's sandbox in the background when there is room for it without stopping another agent;
   * otherwise it starts as soon as there is. A failure is logged: the next message tries again and tells the user.
   */
  warm(agentId: string): void {
    const state = this.state(agentId);
    if (this.closing || state.link || state.starting) return;
    if (this.runningCount() >= this.deps.config().defaults.max_running) {
      this.waitingToWarm.add(agentId);
      return;
    }
    this.waitingToWarm.delete(agentId);
    this.link(agentId, true).then(
      () => {
        if (state.holds === 0) this.armIdleTimer(state);
      },
      (err: Error) =>
        this.deps.log.warn({ agent: agentId, err: err.message }, 'agent could not be warmed up'),
    );
  }

  /**
   * Stops an agent's sandbox once the turns and task runs it is answering have ended (at once when there are
   * none), so that its next turn starts a sandbox on the configuration in force. Its conversation goes on there.
   */
  stopAfterTurns(agentId: string, reason: 'reconfigured' | 'removed'): void {
    const state = this.agents.get(agentId);
    this.waitingToWarm.delete(agentId);
    if (!state || (!state.link && !state.starting)) return;
    if (state.turns > 0 || state.starting) state.stopAfterTurns = reason;
    else void this.stopSandbox(state, reason);
  }

  /** A turn or task run of the agent begins on its link: the agent shows busy. */
  turnStarted(agentId: string): void {
    const state = this.state(agentId);
    state.turns++;
    state.lastActive = Date.now();
    this.refreshStatus(state);
  }

  /** A turn or task run of the agent ended: the agent shows idle when nothing else is being answered. */
  turnEnded(agentId: string): void {
    const state = this.state(agentId);
    state.turns--;
    state.lastActive = Date.now();
    const reason = state.stopAfterTurns;
    if (state.turns === 0 && reason) {
      state.stopAfterTurns = null;
      void this.stopSandbox(state, reason);
      return;
    }
    this.refreshStatus(state);
  }

  /** Stops an agent's sandbox; whoever needs it next starts it again. */
  async stop(agentId: string, reason: StopReason): Promise<void> {
    const state = this.agents.get(agentId);
    if (state) await this.stopSandbox(state, reason);
  }

  /**
   * Stops no agent for being idle from now on, waits up to `graceMs` for every hold to end, then stops every
   * sandbox.
   */
  async shutdown(graceMs: number): Promise<void> {
    this.closing = true;
    for (const state of this.agents.values()) this.clearIdleTimer(state);
    const deadline = Date.now() + graceMs;
    const held = () => [...this.agents.values()].some((state) => state.holds > 0);
    while (held() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
    await Promise.all([...this.agents.values()].map((state) => this.stopSandbox(state, 'shutdown')));
  }

  private state(agentId: string): AgentState {
    let state = this.agents.get(agentId);
    if (!state) {
      state = {
        id: agentId,
        link: null,
        status: 'stopped',
        starting: null,
        stopping: false,
        closing: null,
        stopAfterTurns: null,
        holds: 0,
        turns: 0,
        lastActive: Date.now(),
        idleTimer: null,
        hasNix: false,
        workbench: null,
      };
      this.agents.set(agentId, state);
    }
    return state;
  }

  private async startSandbox(state: AgentState, agent: ResolvedAgent, ahead: boolean): Promise<AgentLink> {
    const { store, log } = this.deps;
    const runtime = this.deps.runtimeFor(agent);
    // A container has a /nix of its own; the local sandbox uses the host's nix, when the host has a usable one.
    const nix = nixFor(agent, runtime);
    const hasNix = nix.enabled;
    // Both resolved before a slot is taken, so an agent that cannot start does not hold one.
    const env = this.deps.agentEnv(agent);
    const files = this.deps.agentFiles(agent);
    const extensions = this.deps.agentExtensions(agent);
    await this.acquireSlot(state);
    try {
      const embeddings = embeddingsOf(this.deps.config());
      const sandbox = await runtime.start({
        ...sandboxSpec(agent, files),
        ...(embeddings.modelDir ? { embeddingModelDir: embeddings.modelDir } : {}),
      });
      const link = await AgentLink.open(sandbox, {
        agentId: agent.id,
        model: agent.model,
        resumeSessionId: store.sessions.get(agent.id),
        tools: agent.allowedTools.length > 0 ? agent.allowedTools : null,
        env,
        embeddingModel: embeddings.model,
        embeddingModelDir: embeddings.modelDir ? runtime.embeddingModelDir(embeddings.modelDir) : null,
        nixEnabled: hasNix,
        nixUnavailable: nix.problem,
        readyTimeoutMs: this.deps.readyTimeoutMs ?? 60_000,
        startedAhead: ahead,
        onSession: (sessionId) => store.sessions.set(agent.id, sessionId),
        onLog: (line) => log.debug({ agent: agent.id }, line),
        onCall: (call) => this.deps.onCall(agent.id, call),
        onMemoryChanged: () => this.deps.bus.emit({ type: 'memory', agentId: agent.id }),
        approvals: agent.approvalRules,
        onApproval: (request) => this.deps.onApproval(agent.id, request),
        serveStream: (service, stream, streamId) =>
          this.deps.serveStream(agent.id, service, stream, streamId),
        extensions,
        onExtensionStatus: (status) => {
          store.extensions.setStatus(agent.id, status);
          this.deps.bus.emit({ type: 'extensions', agentId: agent.id });
        },
      });
      state.link = link;
      state.workbench = { browser: link.browser };
      state.stopping = false;
      state.hasNix = hasNix;
      void link.closed.then((exit) => {
        if (state.link === link) state.link = null;
        if (state.status !== 'stopped' && !state.stopping) {
          log.warn({ agent: agent.id, exit }, 'agent sandbox stopped unexpectedly');
          this.setStatus(state, 'stopped', 'crashed');
        }
      });
      log.info({ agent: agent.id, runtime: runtime.name, model: agent.model }, 'agent started');
      this.setStatus(state, 'idle', null);
      // The configuration changed while it started, so it runs the old one: stopped now unless a turn is about to
      // use it, in which case that turn's end stops it.
      const reason = state.stopAfterTurns;
      if (reason && state.holds === 0) {
        state.stopAfterTurns = null;
        void this.stopSandbox(state, reason);
      }
      return link;
    } catch (err) {
      this.setStatus(state, 'stopped', 'failed');
      throw err;
    }
  }

  /**
   * Holds one of the `max_running` slots for a sandbox the pool does not run (a swarm member), made room for as a
   * message's agent is; resolves with the function that gives it back, or null when `signal` aborted first.
   */
  async lendSlot(signal: AbortSignal): Promise<(() => void) | null> {
    const taken = await this.takeSlot(() => this.lent++, signal);
    if (!taken) return null;
    let given = false;
    return () => {
      if (given) return;
      given = true;
      this.lent--;
      this.wakeSlotWaiters();
    };
  }

  private async acquireSlot(state: AgentState): Promise<void> {
    await this.takeSlot(() => this.setStatus(state, 'starting', null));
  }

  /**
   * Waits for room under `max_running`, making room by stopping the agent idle the longest, and `claim`s it in the
   * same step as the check, so two waiters never take one slot. False when `signal` aborted first.
   */
  private async takeSlot(claim: () => void, signal?: AbortSignal): Promise<boolean> {
    for (;;) {
      if (signal?.aborted) return false;
      if (this.runningCount() < this.deps.config().defaults.max_running) {
        claim();
        return true;
      }
      const idle = [...this.agents.values()]
        .filter((other) => other.status === 'idle' && other.holds === 0 && !other.stopping)
        .sort((a, b) => a.lastActive - b.lastActive)[0];
      if (idle) await this.stopSandbox(idle, 'evicted');
      else await this.slotFreed(signal);
    }
  }

  /** Resolves when a slot may have been freed, or when `signal` aborts. */
  private slotFreed(signal?: AbortSignal): Promise<void> {
    return new Promise<void>((resolve) => {
      const wake = () => {
        signal?.removeEventListener('abort', wake);
        // Gone from the waiters, so a waiter that gave up never counts as one woken.
        const at = this.slotWaiters.indexOf(wake);
        if (at >= 0) this.slotWaiters.splice(at, 1);
        resolve();
      };
      this.slotWaiters.push(wake);
      signal?.addEventListener('abort', wake);
    });
  }

  /** Sandboxes up or on their way: agents' and the ones lent a slot. */
  private runningCount(): number {
    return [...this.agents.values()].filter((other) => other.status !== 'stopped').length + this.lent;
  }

  private stopSandbox(state: AgentState, reason: StopReason): Promise<void> {
    this.clearIdleTimer(state);
    const link = state.link;
    if (!link) return state.closing ?? Promise.resolve();
    state.stopping = true;
    state.link = null;
    const closing = (async () => {
      try {
        await link.close(this.deps.stopGraceMs ?? 5_000);
      } catch (err) {
        // Counted as stopped all the same: a sandbox the runtime cannot stop must not hold a slot for good.
        this.deps.log.error({ agent: state.id, err: messageOf(err) }, 'agent sandbox could not be stopped');
      }
      state.stopping = false;
      this.deps.log.info({ agent: state.id, reason }, 'agent stopped');
      this.setStatus(state, 'stopped', reason);
    })();
    state.closing = closing.finally(() => {
      if (state.closing === closing) state.closing = null;
    });
    // Warm again, on the configuration in force; set after `closing`, which a new start waits for.
    if (REWARM_AFTER.has(reason) && !this.closing && this.isWarm(state.id)) this.waitingToWarm.add(state.id);
    return state.closing;
  }

  /** Whether a configured agent is kept warm. */
  private isWarm(agentId: string): boolean {
    return Object.hasOwn(this.deps.config().agents, agentId) && this.deps.keepWarm(agentId);
  }

  private armIdleTimer(state: AgentState): void {
    this.clearIdleTimer(state);
    const idleMs = this.deps.config().defaults.idle_timeout;
    if (this.closing || idleMs <= 0 || !state.link || this.isWarm(state.id)) return;
    state.idleTimer = setTimeout(() => {
      state.idleTimer = null;
      if (state.holds === 0) void this.stopIdle(state);
    }, idleMs);
    state.idleTimer.unref();
  }

  /**
   * Stops an agent that was idle for `idle_timeout`; one with nix first collects its store's garbage (what it
   * removed or upgraded away), as the original did for idle agents (§8.7), unless work arrived meanwhile.
   */
  private async stopIdle(state: AgentState): Promise<void> {
    const link = state.link;
    if (link && state.hasNix) {
      const outcome = await link.nix('collect_garbage', []);
      this.deps.log.info({ agent: state.id }, `nix garbage collection: ${outcome.text}`);
      if (state.link !== link || state.holds > 0 || state.turns > 0 || state.idleTimer) return;
    }
    await this.stopSandbox(state, 'idle_timeout');
  }

  private clearIdleTimer(state: AgentState): void {
    if (state.idleTimer) clearTimeout(state.idleTimer);
    state.idleTimer = null;
  }

  /** Shows a running agent as busy while it answers something, idle otherwise; a dead link's end says the rest. */
  private refreshStatus(state: AgentState): void {
    if (!state.link || state.link.dead || state.stopping) return;
    this.setStatus(state, state.turns > 0 ? 'busy' : 'idle', null);
  }

  private setStatus(state: AgentState, status: AgentStatus, reason: string | null): void {
    if (state.status === status) return;
    state.status = status;
    this.deps.bus.emit({ type: 'agent_status', agentId: state.id, status, reason });
    // Someone waiting for a slot may now have one, or may now evict this agent.
    if (status === 'stopped' || status === 'idle') this.wakeSlotWaiters();
  }

  private wakeSlotWaiters(): void {
    const woken = this.slotWaiters.splice(0);
    for (const wake of woken) wake();
    // Agents waiting to be warmed take only room no message is waiting for.
    if (woken.length > 0) return;
    for (const agentId of this.waitingToWarm) {
      if (this.isWarm(agentId)) this.warm(agentId);
      else this.waitingToWarm.delete(agentId);
    }
  }
}

/** What the runtime is asked to start for `agent`. */
function sandboxSpec(agent: ResolvedAgent, files: SandboxFile[]): SandboxSpec {
  return { agentId: agent.id, workspace: safeWorkspaceName(agent.workspace), files };
}
