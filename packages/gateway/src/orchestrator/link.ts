/**
 * The gateway's end of the link to one runner: handshake, one conversation turn at a time beside any number of task
 * runs, the agent's tool calls answered, and the sandbox's death noticed.
 */

import { createInterface } from 'node:readline';
import type { Duplex } from 'node:stream';
import {
  type Activity,
  type ApprovalRequestMessage,
  type CallMessage,
  type ExtensionStatus,
  LINK_PROTOCOL_VERSION,
  type MemoryOp,
  type MemoryResult,
  messageOf,
  type NixAction,
  type ResultMessage,
  type RunnerToGateway,
  RunnerToGateway as RunnerToGatewaySchema,
  readLines,
  type StartExtensions,
  type StreamService,
  type TurnImage,
  writeLine,
} from '@praktor/protocol';
import { LinkStreams } from '@praktor/protocol/link-streams';
import type { Sandbox, SandboxExit } from '../runtimes/runtime.js';

/** What the link needs to set the runner up and to report what it hears. */
export interface LinkOptions {
  agentId: string;
  model: string;
  resumeSessionId: string | null;
  tools: string[] | null;
  /** Environment for Claude Code in the sandbox, secrets included. */
  env: Record<string, string>;
  /** The embedding model for the agent's memory; null: full-text search alone. */
  embeddingModel: string | null;
  /** The embedding model folder as the sandbox sees it; null: none. */
  embeddingModelDir: string | null;
  /** Whether the agent has nix (`nix_enabled`, and nix where it runs). */
  nixEnabled: boolean;
  /** Why an agent with `nix_enabled` has no nix where it runs; null when it has, or did not ask for it. */
  nixUnavailable?: string | null;
  readyTimeoutMs: number;
  /** Whether the sandbox starts ahead of any message (see the init message's `startedAhead`). */
  startedAhead: boolean;
  onSession: (sessionId: string) => void;
  onLog: (line: string) => void;
  /** Carries out a built-in tool's request; the resolved text goes back to the model. */
  onCall: (call: CallMessage) => Promise<{ ok: boolean; text: string }>;
  /** The agent's tools changed its memory. */
  onMemoryChanged: () => void;
  /** Tool-call patterns that wait for a person's yes (Claude Code permission rules). */
  approvals: string[];
  /** Asks a person about a tool call that matched an approval rule; resolves with the decision, never rejects. */
  onApproval: (request: ApprovalRequestMessage) => Promise<ApprovalVerdict>;
  /** Serves the stream `streamId` the runner opened to `service` (the model API, a file it sends). */
  serveStream: (service: StreamService, stream: Duplex, streamId: string) => void;
  /** The agent's extensions, secrets resolved, for the runner to apply before it is ready. */
  extensions: StartExtensions;
  /** The runner reported what it found of the agent's extensions. */
  onExtensionStatus: (status: ExtensionStatus) => void;
}

/** What the runner is told about an approval request. */
export interface ApprovalVerdict {
  allow: boolean;
  always: boolean;
  /** What the model reads when the call is denied. */
  message: string;
}

interface PendingTurn {
  turnId: string;
  onDelta: (text: string) => void;
  onActivity: (activity: Activity) => void;
  resolve: (result: ResultMessage) => void;
}

/** A runner that is up and answering; created only by {@link openLink}. */
export class AgentLink {
  /** The conversation's turn in progress. */
  private pending: PendingTurn | null = null;
  /** Memory requests waiting for the runner's answer, by request id. */
  private readonly memoryRequests = new Map<string, (result: MemoryResult) => void>();
  private nextMemoryRequest = 1;
  /** Nix actions waiting for the runner's answer, by request id. */
  private readonly nixRequests = new Map<string, (answer: { ok: boolean; text: string }) => void>();
  private nextNixRequest = 1;
  /** Task runs in progress, by turn id. */
  private readonly tasks = new Map<string, PendingTurn>();
  private exit: SandboxExit | null = null;
  /** Set by {@link close}: the sandbox ending now was asked for, so the turns it cuts short were stopped, not lost. */
  private closing = false;

  private constructor(
    private readonly sandbox: Sandbox,
    readonly closed: Promise<SandboxExit>,
    /** The Chromium the agent's browser tools drive, as the runner found it; null: the sandbox has none. */
    readonly browser: string | null,
  ) {}

  /** Whether the sandbox is gone. */
  get dead(): boolean {
    return this.exit !== null;
  }

  /**
   * Sends one user message and resolves with how the turn ended; `onDelta` receives the answer as it is written,
   * `onActivity` what the agent does meanwhile; `images` go with the text for the model to see. Never rejects: a sandbox that dies mid-turn ends the turn with
   * status `error`.
   */
  turn(
    turnId: string,
    text: string,
    onDelta: (text: string) => void,
    onActivity: (activity: Activity) => void,
    images: readonly TurnImage[] = [],
  ): Promise<ResultMessage> {
    if (this.pending) throw new Error('a turn is already running on this link');
    if (this.exit) return Promise.resolve(crashResult(turnId, this.exit));
    return new Promise((resolve) => {
      this.pending = { turnId, onDelta, onActivity, resolve };
      writeLine(this.sandbox.stdin, { type: 'turn', turnId, text, images: [...images] });
    });
  }

  /**
   * Runs a task prompt in a new session of its own, beside the conversation. Never rejects: a sandbox that dies
   * mid-run ends it with status `error`.
   */
  task(
    turnId: string,
    text: string,
    onDelta: (text: string) => void,
    onActivity: (activity: Activity) => void,
  ): Promise<ResultMessage> {
    if (this.tasks.has(turnId) || this.pending?.turnId === turnId) {
      throw new Error(`turn ${turnId} is already running on this link`);
    }
    if (this.exit) return Promise.resolve(crashResult(turnId, this.exit));
    return new Promise((resolve) => {
      this.tasks.set(turnId, { turnId, onDelta, onActivity, resolve });
      writeLine(this.sandbox.stdin, { type: 'task', turnId, text });
    });
  }

  /**
   * Acts on the agent's memory (which lives in the sandbox) and resolves with the outcome. Never rejects: a sandbox
   * that dies first gives an error result.
   */
  memory(op: MemoryOp): Promise<MemoryResult> {
    if (this.exit) return Promise.resolve(goneResult(this.exit));
    const requestId = String(this.nextMemoryRequest++);
    return new Promise((resolve) => {
      this.memoryRequests.set(requestId, resolve);
      writeLine(this.sandbox.stdin, { type: 'memory_request', requestId, op });
    });
  }

  /**
   * Runs a nix action in the sandbox (the agent's nix profile) and resolves with the runner's answer. Never rejects:
   * a sandbox that dies first gives a failed answer.
   */
  nix(action: NixAction, args: string[]): Promise<{ ok: boolean; text: string }> {
    if (this.exit) return Promise.resolve({ ok: false, text: goneText(this.exit) });
    const requestId = String(this.nextNixRequest++);
    return new Promise((resolve) => {
      this.nixRequests.set(requestId, resolve);
      writeLine(this.sandbox.stdin, { type: 'nix_request', requestId, action, args });
    });
  }

  /** Asks the runner to stop the conversation's turn in progress (task runs go on). */
  abort(): void {
    writeLine(this.sandbox.stdin, { type: 'abort' });
  }

  /** Asks the runner to start a new conversation at its next turn. */
  reset(): void {
    writeLine(this.sandbox.stdin, { type: 'reset' });
  }

  /** Shuts the runner down and waits for the sandbox to be gone, forcing it after `graceMs`. */
  async close(graceMs: number): Promise<void> {
    this.closing = true;
    writeLine(this.sandbox.stdin, { type: 'shutdown' });
    const timer = setTimeout(() => void this.sandbox.stop(0), graceMs);
    await this.closed;
    clearTimeout(timer);
    await this.sandbox.stop(0);
  }

  /** Opens the link on a freshly started sandbox and waits for the runner to say it is ready. */
  static open(sandbox: Sandbox, opts: LinkOptions): Promise<AgentLink> {
    let link: AgentLink | null = null;
    return new Promise<AgentLink>((resolve, reject) => {
      const fail = (message: string) => {
        clearTimeout(timer);
        void sandbox.stop(0);
        reject(new Error(message));
      };
      const timer = setTimeout(
        () => fail(`the runner did not get ready within ${opts.readyTimeoutMs / 1000} s`),
        opts.readyTimeoutMs,
      );
      const streams = new LinkStreams((message) => writeLine(sandbox.stdin, message));
      const closed = sandbox.exited.then((exit) => {
        clearTimeout(timer);
        streams.destroyAll('the agent’s sandbox stopped');
        if (link) link.onExit(exit);
        else reject(new Error(`the sandbox stopped during start-up (${describeExit(exit)})`));
        return exit;
      });
      createInterface({ input: sandbox.stderr, crlfDelay: Number.POSITIVE_INFINITY }).on('line', (line) => {
        if (line.trim() !== '') opts.onLog(line);
      });
      readLines(sandbox.stdout, RunnerToGatewaySchema, {
        onMessage: (message: RunnerToGateway) => {
          if (message.type === 'stream_open') {
            opts.serveStream(message.service, streams.create(message.streamId), message.streamId);
            return;
          }
          if (
            message.type === 'stream_data' ||
            message.type === 'stream_ack' ||
            message.type === 'stream_drop' ||
            message.type === 'stream_end'
          ) {
            streams.receive(message);
            return;
          }
          if (link) {
            link.onMessage(message, opts);
            return;
          }
          if (message.type === 'ready') {
            if (message.protocol !== LINK_PROTOCOL_VERSION) {
              fail(
                `the runner speaks link protocol ${message.protocol}, the gateway ${LINK_PROTOCOL_VERSION}`,
              );
              return;
            }
            clearTimeout(timer);
            link = new AgentLink(sandbox, closed, message.browser);
            resolve(link);
          } else if (message.type === 'fatal') {
            fail(`the runner could not start: ${message.message}`);
          } else if (message.type === 'session') {
            opts.onSession(message.sessionId);
          } else if (message.type === 'extension_status') {
            opts.onExtensionStatus(message.status);
          }
        },
        onError: (err) => opts.onLog(`unreadable line from the runner (${err.message}): ${err.line}`),
      });
      writeLine(sandbox.stdin, {
        type: 'init',
        protocol: LINK_PROTOCOL_VERSION,
        agentId: opts.agentId,
        model: opts.model,
        resumeSessionId: opts.resumeSessionId,
        tools: opts.tools,
        env: opts.env,
        embeddingModel: opts.embeddingModel,
        embeddingModelDir: opts.embeddingModelDir,
        approvals: opts.approvals,
        nixEnabled: opts.nixEnabled,
        ...(opts.nixUnavailable ? { nixUnavailable: opts.nixUnavailable } : {}),
        extensions: opts.extensions,
        startedAhead: opts.startedAhead,
      });
    });
  }

  private onMessage(message: RunnerToGateway, opts: LinkOptions): void {
    switch (message.type) {
      case 'session':
        opts.onSession(message.sessionId);
        return;
      case 'delta':
        this.running(message.turnId)?.onDelta(message.text);
        return;
      case 'activity':
        this.running(message.turnId)?.onActivity(message.activity);
        return;
      case 'result': {
        const turn = this.running(message.turnId);
        if (!turn) {
          opts.onLog(`result for unknown turn ${message.turnId} ignored`);
          return;
        }
        if (turn === this.pending) this.pending = null;
        else this.tasks.delete(turn.turnId);
        turn.resolve(message);
        return;
      }
      case 'call':
        void this.answer(message, opts);
        return;
      case 'approval':
        void this.decide(message, opts);
        return;
      case 'fatal':
        opts.onLog(`runner failed: ${message.message}`);
        return;
      case 'memory_changed':
        opts.onMemoryChanged();
        return;
      case 'memory_response': {
        const resolve = this.memoryRequests.get(message.requestId);
        this.memoryRequests.delete(message.requestId);
        if (resolve) resolve(message.result);
        else opts.onLog(`answer to unknown memory request ${message.requestId} ignored`);
        return;
      }
      case 'nix_response': {
        const resolve = this.nixRequests.get(message.requestId);
        this.nixRequests.delete(message.requestId);
        if (resolve) resolve({ ok: message.ok, text: message.text });
        else opts.onLog(`answer to unknown nix request ${message.requestId} ignored`);
        return;
      }
      case 'extension_status':
        opts.onExtensionStatus(message.status);
        return;
      case 'ready':
        return;
    }
  }

  private running(turnId: string): PendingTurn | undefined {
    return this.pending?.turnId === turnId ? this.pending : this.tasks.get(turnId);
  }

  private async answer(call: CallMessage, opts: LinkOptions): Promise<void> {
    let reply: { ok: boolean; text: string };
    try {
      reply = await opts.onCall(call);
    } catch (err) {
      reply = { ok: false, text: `Error: ${messageOf(err)}` };
    }
    if (!this.exit) writeLine(this.sandbox.stdin, { type: 'reply', callId: call.callId, ...reply });
  }

  private async decide(request: ApprovalRequestMessage, opts: LinkOptions): Promise<void> {
    const verdict = await opts.onApproval(request);
    if (!this.exit) {
      writeLine(this.sandbox.stdin, {
        type: 'approval_decision',
        approvalId: request.approvalId,
        ...verdict,
      });
    }
  }

  private onExit(exit: SandboxExit): void {
    this.exit = exit;
    const turns = [...(this.pending ? [this.pending] : []), ...this.tasks.values()];
    this.pending = null;
    this.tasks.clear();
    for (const turn of turns) {
      turn.resolve(this.closing ? stoppedResult(turn.turnId) : crashResult(turn.turnId, exit));
    }
    for (const resolve of this.memoryRequests.values()) resolve(goneResult(exit));
    this.memoryRequests.clear();
    for (const resolve of this.nixRequests.values()) resolve({ ok: false, text: goneText(exit) });
    this.nixRequests.clear();
  }
}

function describeExit(exit: SandboxExit): string {
  if (exit.error) return exit.error;
  if (exit.signal) return `killed by ${exit.signal}`;
  return `exit code ${exit.code}`;
}

function crashResult(turnId: string, exit: SandboxExit): ResultMessage {
  return {
    type: 'result',
    turnId,
    status: 'error',
    text: `The agent's sandbox stopped unexpectedly (${describeExit(exit)}).`,
    sessionId: null,
    terminalReason: null,
    durationMs: 0,
    costUsd: null,
    usage: null,
    processSpend: [],
  };
}

/** A turn cut short because its sandbox was stopped on purpose (stop agent, shutdown): reported as stopped. */
function stoppedResult(turnId: string): ResultMessage {
  return {
    type: 'result',
    turnId,
    status: 'aborted',
    text: 'Stopped.',
    sessionId: null,
    terminalReason: null,
    durationMs: 0,
    costUsd: null,
    usage: null,
    processSpend: [],
  };
}

/** A memory request the sandbox's end cut short. */
function goneText(exit: SandboxExit): string {
  return `the agent's sandbox stopped before answering (${describeExit(exit)})`;
}

function goneResult(exit: SandboxExit): MemoryResult {
  return { ok: false, kind: 'failed', error: goneText(exit) };
}
