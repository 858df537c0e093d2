/**
 * The gateway's end of the link to one runner: handshake, one turn at a time, and the sandbox's death noticed.
 */
import {
  LINK_PROTOCOL_VERSION,
  type ResultMessage,
  type RunnerToGateway,
  RunnerToGateway as RunnerToGatewaySchema,
  readLines,
  writeLine,
} from '@praktor/protocol';
import type { Sandbox, SandboxExit } from '../runtimes/runtime.js';

/** What the link needs to set the runner up and to report what it hears. */
export interface LinkOptions {
  agentId: string;
  model: string;
  resumeSessionId: string | null;
  tools: string[] | null;
  readyTimeoutMs: number;
  onSession: (sessionId: string) => void;
  onLog: (line: string) => void;
}

interface PendingTurn {
  turnId: string;
  onDelta: (text: string) => void;
  resolve: (result: ResultMessage) => void;
}

/** A runner that is up and answering; created only by {@link openLink}. */
export class AgentLink {
  private pending: PendingTurn | null = null;
  private exit: SandboxExit | null = null;

  private constructor(
    private readonly sandbox: Sandbox,
    readonly closed: Promise<SandboxExit>,
  ) {}

  /** Whether the sandbox is gone. */
  get dead(): boolean {
    return this.exit !== null;
  }

  /**
   * Sends one user message and resolves with how the turn ended. Never rejects: a sandbox that dies mid-turn
   * ends the turn with status `error`.
   */
  turn(turnId: string, text: string, onDelta: (text: string) => void): Promise<ResultMessage> {
    if (this.pending) throw new Error('a turn is already running on this link');
    if (this.exit) return Promise.resolve(crashResult(turnId, this.exit));
    return new Promise((resolve) => {
      this.pending = { turnId, onDelta, resolve };
      writeLine(this.sandbox.stdin, { type: 'turn', turnId, text });
    });
  }

  /** Asks the runner to stop the turn in progress. */
  abort(): void {
    writeLine(this.sandbox.stdin, { type: 'abort' });
  }

  /** Asks the runner to start a new conversation at its next turn. */
  reset(): void {
    writeLine(this.sandbox.stdin, { type: 'reset' });
  }

  /** Shuts the runner down and waits for the sandbox to be gone, forcing it after `graceMs`. */
  async close(graceMs: number): Promise<void> {
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
      const closed = sandbox.exited.then((exit) => {
        clearTimeout(timer);
        if (link) link.onExit(exit);
        else reject(new Error(`the sandbox stopped during start-up (${describeExit(exit)})`));
        return exit;
      });
      sandbox.stderr.setEncoding('utf8');
      let partial = '';
      sandbox.stderr.on('data', (chunk: string) => {
        partial += chunk;
        const lines = partial.split('\n');
        partial = lines.pop() ?? '';
        for (const line of lines) if (line.trim() !== '') opts.onLog(line);
      });
      readLines(sandbox.stdout, RunnerToGatewaySchema, {
        onMessage: (message: RunnerToGateway) => {
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
            link = new AgentLink(sandbox, closed);
            resolve(link);
          } else if (message.type === 'fatal') {
            fail(`the runner could not start: ${message.message}`);
          } else if (message.type === 'session') {
            opts.onSession(message.sessionId);
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
      });
    });
  }

  private onMessage(message: RunnerToGateway, opts: LinkOptions): void {
    switch (message.type) {
      case 'session':
        opts.onSession(message.sessionId);
        return;
      case 'delta':
        if (this.pending?.turnId === message.turnId) this.pending.onDelta(message.text);
        return;
      case 'result':
        if (this.pending?.turnId === message.turnId) {
          const turn = this.pending;
          this.pending = null;
          turn.resolve(message);
        } else {
          opts.onLog(`result for unknown turn ${message.turnId} ignored`);
        }
        return;
      case 'fatal':
        opts.onLog(`runner failed: ${message.message}`);
        return;
      case 'ready':
        return;
    }
  }

  private onExit(exit: SandboxExit): void {
    this.exit = exit;
    const turn = this.pending;
    this.pending = null;
    turn?.resolve(crashResult(turn.turnId, exit));
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
  };
}
