/**
 * The orchestrator: the one object the rest of the gateway talks to about agents. It wires the agent pool
 * (sandboxes, slots, idle stops), the turn runner (queues, turns, outcomes) and tool dispatch together, and shuts
 * them down in order.
 */
import type { Duplex } from 'node:stream';
import type {
  AgentStatus,
  AgentWorkbench,
  Channel,
  MemoryOp,
  MemoryResult,
  MessageView,
  NixAction,
  StartExtensions,
  StreamService,
} from '@praktor/protocol';
import type { Config, ResolvedAgent } from '../config/index.js';
import type { EventBus } from '../events/bus.js';
import type { Logger } from '../log.js';
import type { Runtime, SandboxFile } from '../runtimes/runtime.js';
import type { Store } from '../store/index.js';
import { AgentPool, type StopReason } from './agent-pool.js';
import { ApprovalDesk, type DecideOutcome, decisionNote } from './approvals.js';
import { Budgets, type BudgetUse } from './budgets.js';
import { fileAgentTool } from './file-tool.js';
import type { Redactor } from './redactor.js';
import { type AgentTools, answerToolCall } from './tool-calls.js';
import { type TaskOutcome, TurnRunner } from './turns.js';

// Other rooms import from here only: the facade is the orchestrator's public face.
export type { AgentTools, ApprovalDesk, Budgets, BudgetUse, DecideOutcome, StopReason, TaskOutcome };
export { decisionNote, fileAgentTool };

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
  /** The agent's extensions as its runner applies them at start (secrets resolved). */
  agentExtensions: (agent: ResolvedAgent) => StartExtensions;
  /** Masks secret values in what agents write, before anyone else sees it. */
  redactor: Redactor;
  /** Carries out an agent's built-in tool requests; absent, the tools answer that they are not available. */
  agentTools?: AgentTools;
  /** Serves a stream an agent's runner opened over its link (the model API, the internet). */
  serveStream: (agentId: string, service: StreamService, stream: Duplex, streamId: string) => void;
  /** Whether an agent is kept warm (started ahead of its first message and kept up). */
  keepWarm: (agentId: string) => boolean;
  log: Logger;
  /** The time now, in ms since the epoch: budgets' days and months are counted by it. */
  now: () => number;
  /** The chat budget warnings go to. */
  mainChat: () => { channel: Channel; chatId: string };
  readyTimeoutMs?: number;
  stopGraceMs?: number;
}

/** Runs agents and their queues. */
export class Orchestrator {
  private readonly pool: AgentPool;
  private readonly turns: TurnRunner;
  private readonly bus: EventBus;
  /** Tool calls waiting for a person's yes. */
  readonly approvals: ApprovalDesk;
  /** What agents may spend, and what they did. */
  readonly budgets: Budgets;

  constructor(deps: OrchestratorDeps) {
    const { store, bus, log } = deps;
    this.bus = bus;
    this.approvals = new ApprovalDesk({ config: deps.config, store, bus, redactor: deps.redactor, log });
    this.pool = new AgentPool({
      config: deps.config,
      store,
      bus,
      runtimeFor: deps.runtimeFor,
      agentEnv: deps.agentEnv,
      agentFiles: deps.agentFiles,
      agentExtensions: deps.agentExtensions,
      onCall: (agentId, call) => answerToolCall(deps.agentTools, store, agentId, call),
      onApproval: (agentId, request) => this.approvals.ask(agentId, request),
      serveStream: deps.serveStream,
      keepWarm: deps.keepWarm,
      log,
      readyTimeoutMs: deps.readyTimeoutMs,
      stopGraceMs: deps.stopGraceMs,
    });
    this.budgets = new Budgets({ config: deps.config, store, now: deps.now, mainChat: deps.mainChat });
    this.turns = new TurnRunner({
      store,
      bus,
      redactor: deps.redactor,
      pool: this.pool,
      budgets: this.budgets,
      log,
      now: deps.now,
    });
  }

  /**
   * Queues a routed inbound message for its agent. It is answered after the messages of its chat queued before it,
   * and after at most one message of each other chat waiting for the same agent.
   */
  enqueue(agentId: string, message: MessageView): void {
    this.turns.enqueue(agentId, message);
  }

  /**
   * Holds one of the `max_running` slots for a sandbox started outside the pool (a swarm member); resolves with the
   * function that gives it back, or null when `signal` aborted first.
   */
  lendSlot(signal: AbortSignal): Promise<(() => void) | null> {
    return this.pool.lendSlot(signal);
  }

  /** The status of an agent's sandbox. */
  status(agentId: string): AgentStatus {
    return this.pool.status(agentId);
  }

  /** What an agent's sandbox had to work with when it last started (its browser); null until it has started. */
  workbench(agentId: string): AgentWorkbench | null {
    return this.pool.workbench(agentId);
  }

  /**
   * Stops what an agent is doing: drops its waiting messages (marked stopped) and interrupts the turn in progress.
   * Returns how many waiting messages were dropped and whether a turn was interrupted.
   */
  abort(agentId: string): { dropped: number; interrupted: boolean } {
    return this.turns.abort(agentId);
  }

  /**
   * Starts a new conversation for an agent: its next message no longer carries the earlier ones, and a note marks
   * the place in its conversation.
   */
  reset(agentId: string): void {
    this.turns.reset(agentId);
  }

  /**
   * Acts on an agent's memory, which lives in its sandbox: a stopped agent is started for it (and stops again after
   * `idle_timeout`). Rejects with an error a user can act on when the sandbox cannot start; a refused request
   * resolves with the reason. A change is announced on the bus.
   */
  async memory(agentId: string, op: MemoryOp): Promise<MemoryResult> {
    this.pool.hold(agentId);
    try {
      const result = await (await this.pool.link(agentId)).memory(op);
      if (result.ok && (op.op === 'store' || op.op === 'delete')) this.bus.emit({ type: 'memory', agentId });
      return result;
    } finally {
      this.pool.release(agentId);
    }
  }

  /**
   * Runs a nix action in an agent's sandbox (its own nix profile), starting a stopped agent for it as
   * {@link memory} does. Resolves with the runner's answer; rejects when the sandbox cannot start.
   */
  async nix(agentId: string, action: NixAction, args: string[]): Promise<{ ok: boolean; text: string }> {
    this.pool.hold(agentId);
    try {
      return await (await this.pool.link(agentId)).nix(action, args);
    } finally {
      this.pool.release(agentId);
    }
  }

  /** Whether the model API refused the credentials in the latest turn that reached it (for the Setup card). */
  get modelCredentialsRefused(): boolean {
    return this.turns.modelCredentialsRefused;
  }

  /** Starts an agent's sandbox ahead of its first message; it stops again after `idle_timeout` if left idle. */
  start(agentId: string): Promise<void> {
    return this.pool.start(agentId);
  }

  /**
   * Starts a warm agent's sandbox in the background, when there is room for it without stopping another agent
   * (else as soon as there is).
   */
  warm(agentId: string): void {
    this.pool.warm(agentId);
  }

  /**
   * Takes a new configuration of an agent into use: its sandbox stops once its turns in progress have ended (never
   * in the middle of one), and its next turn starts one on the new configuration, resuming its conversation. A
   * removed agent's sandbox stops the same way; its history stays.
   */
  reconfigure(agentId: string, change: 'changed' | 'removed'): void {
    this.pool.stopAfterTurns(agentId, change === 'changed' ? 'reconfigured' : 'removed');
  }

  /**
   * Runs a stored inbound message routed to `agentId` as a scheduled task, beside the agent's conversation, and
   * returns how it ended (recorded like a conversation turn's). Rejects only for a message that does not exist.
   */
  runTask(agentId: string, messageId: number): Promise<TaskOutcome> {
    return this.turns.runTask(agentId, messageId);
  }

  /**
   * Stops an agent's sandbox on a user's request, the way `/stop` stops its work first: its waiting messages are
   * dropped and its turn in progress ends as stopped, never as a failure. Its next message starts it again.
   */
  async stop(agentId: string): Promise<{ dropped: number; interrupted: boolean }> {
    const stopped = this.turns.abort(agentId);
    await this.pool.stop(agentId, 'manual');
    return stopped;
  }

  /**
   * Starts no new turn, lets the turns in progress finish for up to `graceMs`, then stops every sandbox. Messages
   * still waiting, or interrupted, keep their state, so the next start picks them up.
   */
  async shutdown(graceMs = 0): Promise<void> {
    this.turns.close();
    this.approvals.close();
    await this.pool.shutdown(graceMs);
  }
}
