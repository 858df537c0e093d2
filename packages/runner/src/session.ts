/**
 * One long-lived Claude Code process per agent, fed message after message (streaming input), so only the first
 * turn pays for starting the CLI. The process is replaced, resuming the same session, when it dies or when the
 * system prompt changed since it started.
 */

import {
  type McpServerStatus,
  type Query,
  query,
  type SDKMessage,
  type SDKUserMessage,
} from '@anthropic-ai/claude-agent-sdk';
import type { Activity, ResultMessage } from '@praktor/protocol';
import { messageOf } from '@praktor/protocol';
import { activitiesOf } from './activity.js';
import {
  type AgentSetup,
  isMissingSession,
  outcomeOf,
  processSpendOf,
  sdkOptions,
  terminalReasonOf,
  usageOf,
} from './agent-setup.js';
import { type PromptLedger, withNewInstructions } from './prompt-ledger.js';
import { PushQueue } from './push-queue.js';
import type { ImageBlock, UserContent } from './turn-images.js';

/** What the conversation needs beyond the agent's setup. */
export interface SessionConfig extends AgentSetup {
  resumeSessionId: string | null;
  /** What each session holds of the instructions, so that edits reach a resumed conversation. */
  ledger: PromptLedger;
  onSession: (sessionId: string) => void;
  onDelta: (turnId: string, text: string) => void;
  /** The agent called a tool, or Claude Code is retrying the model API, during turn `turnId`. */
  onActivity: (turnId: string, activity: Activity) => void;
}

interface PendingTurn {
  turnId: string;
  content: UserContent;
  startedAt: number;
  aborted: boolean;
  resolve: (result: ResultMessage) => void;
}

/** A running Claude Code process and what we know of it. */
interface Process {
  query: Query;
  input: PushQueue<SDKUserMessage>;
  systemPrompt: string;
  /** The SDK reports cost as a running total per process; null until a baseline is known. */
  costBaseline: number | null;
  /** The session it was asked to resume, if any. */
  resumed: string | null;
  /** Set when Claude Code could not load the session to resume: the turn is retried on a new session. */
  resumeFailed: boolean;
}

/**
 * The longest a warm start waits for Claude Code to build its first prompt: the count asks the model API, which may
 * be slow or out of reach, and a message that arrives meanwhile waits for the start.
 */
const FIRST_PROMPT_LIMIT_MS = 5_000;

/** `promise`'s value, or undefined once `ms` have passed without one. */
async function within<T>(ms: number, promise: Promise<T>): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const limit = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), ms);
  });
  try {
    return await Promise.race([promise, limit]);
  } finally {
    clearTimeout(timer);
  }
}

/** Drives the Claude Agent SDK for one agent, one turn at a time. */
export class ClaudeSession {
  private sessionId: string | null;
  private process: Process | null = null;
  private pending: PendingTurn | null = null;

  constructor(private readonly config: SessionConfig) {
    this.sessionId = config.resumeSessionId;
  }

  /**
   * Starts the Claude Code process ahead of the first turn, so the first answer does not wait for it. With
   * `buildPrompt`, Claude Code also builds its first prompt (see `buildFirstPrompt`). Resolves once that is done,
   * or when Claude Code did not initialise within `limitMs` or build the prompt within `FIRST_PROMPT_LIMIT_MS` (a
   * start-up problem then shows in the first turn).
   */
  async warm(limitMs: number, buildPrompt: boolean): Promise<void> {
    if (!this.process) this.process = this.spawn(this.config.systemPrompt());
    const { query } = this.process;
    const initialised = await within(
      limitMs,
      query.initializationResult().then(
        () => true,
        (err) => {
          this.config.log(`Claude Code did not initialise ahead of the first turn: ${messageOf(err)}`);
          return false;
        },
      ),
    );
    if (initialised === true && buildPrompt)
      await within(FIRST_PROMPT_LIMIT_MS, this.buildFirstPrompt(query));
  }

  /**
   * Claude Code assembles a session's first prompt lazily: system prompt, tool schemas, the skills listing, its
   * hooks and the start-up work it holds back until its host has spoken. Counting the context does all of that
   * without a model turn and without adding anything to the conversation, so the first message is answered about as
   * fast as the next ones. The count asks the model API's `count_tokens`, which uses no tokens.
   */
  private async buildFirstPrompt(query: Query): Promise<void> {
    try {
      await query.getContextUsage();
    } catch (err) {
      // Only speed is lost: the first turn builds the prompt itself.
      this.config.log(
        `Claude Code could not build its first prompt ahead of the first turn: ${messageOf(err)}`,
      );
    }
  }

  /** The MCP servers as the running Claude Code process reports them; empty when none runs. */
  async mcpServerStatus(): Promise<McpServerStatus[]> {
    return this.process ? await this.process.query.mcpServerStatus() : [];
  }

  /**
   * Sends one user message (with `images`, blocks the model sees beside the text) and resolves with how the turn
   * ended; never rejects.
   */
  runTurn(turnId: string, text: string, images: readonly ImageBlock[] = []): Promise<ResultMessage> {
    if (this.pending) throw new Error('a turn is already running');
    const systemPrompt = this.config.systemPrompt();
    // A process warmed for a new session can simply start again with the files as they are now.
    if (this.process && this.sessionId === null && this.process.systemPrompt !== systemPrompt)
      this.stopProcess();
    if (!this.process) this.process = this.spawn(systemPrompt);
    const proc = this.process;
    let message = text;
    const held = this.sessionId === null ? null : this.config.ledger.held(this.sessionId);
    if (this.sessionId !== null && held !== null && held !== systemPrompt) {
      this.config.log('instructions changed; passing them on in this turn');
      message = withNewInstructions(systemPrompt, text);
      this.config.ledger.record(this.sessionId, systemPrompt);
    }
    const content: UserContent = images.length === 0 ? message : [{ type: 'text', text: message }, ...images];
    return new Promise((resolve) => {
      this.pending = { turnId, content, startedAt: Date.now(), aborted: false, resolve };
      this.push(proc, content);
    });
  }

  private push(proc: Process, content: UserContent): void {
    proc.input.push({ type: 'user', message: { role: 'user', content }, parent_tool_use_id: null });
  }

  /** Interrupts the turn in progress, if any; its result arrives with status `aborted`. */
  async abort(): Promise<void> {
    const turn = this.pending;
    if (!turn || !this.process) return;
    turn.aborted = true;
    try {
      await this.process.query.interrupt();
    } catch (err) {
      // The process may already be gone; make sure the turn still ends.
      this.config.log(`interrupt failed: ${messageOf(err)}`);
      this.finish({ status: 'aborted', text: 'Stopped.' });
      this.stopProcess();
    }
  }

  /** Forgets the conversation; the next turn starts a new Claude session. */
  reset(): void {
    this.stopProcess();
    this.sessionId = null;
  }

  /** Ends the Claude Code process for good. */
  close(): void {
    this.stopProcess();
  }

  private spawn(systemPrompt: string): Process {
    const input = new PushQueue<SDKUserMessage>();
    const options = sdkOptions(this.config, systemPrompt, () => this.pending?.turnId ?? null);
    if (this.sessionId) options.resume = this.sessionId;
    const proc: Process = {
      query: query({ prompt: input, options }),
      input,
      systemPrompt,
      costBaseline: this.sessionId ? null : 0,
      resumed: this.sessionId,
      resumeFailed: false,
    };
    void this.consume(proc);
    return proc;
  }

  private async consume(proc: Process): Promise<void> {
    let failure: string | null = null;
    try {
      for await (const message of proc.query) this.handle(proc, message);
    } catch (err) {
      failure = messageOf(err);
    }
    if (this.process !== proc) return;
    this.process = null;
    if (proc.resumeFailed && this.pending) {
      // The session is gone (its home was wiped, say): carry on with a new one rather than fail every turn.
      this.config.log(`could not resume session ${proc.resumed}; starting a new one`);
      this.sessionId = null;
      this.process = this.spawn(this.config.systemPrompt());
      this.push(this.process, this.pending.content);
      return;
    }
    if (this.pending) {
      this.finish({
        status: this.pending.aborted ? 'aborted' : 'error',
        text: this.pending.aborted
          ? 'Stopped.'
          : `Claude Code stopped unexpectedly: ${failure ?? 'no result'}`,
      });
    }
  }

  private handle(proc: Process, message: SDKMessage): void {
    const turn = this.pending;
    if (turn) for (const activity of activitiesOf(message)) this.config.onActivity(turn.turnId, activity);
    switch (message.type) {
      case 'system':
        if (message.subtype !== 'init' || !message.session_id) return;
        // A session the ledger does not know started (or, before the ledger, was last given) this prompt.
        if (this.config.ledger.held(message.session_id) === null) {
          this.config.ledger.record(message.session_id, proc.systemPrompt);
        }
        if (message.session_id !== this.sessionId) {
          this.sessionId = message.session_id;
          this.config.onSession(message.session_id);
        }
        return;
      case 'stream_event': {
        const event = message.event;
        if (
          this.pending &&
          message.parent_tool_use_id === null &&
          event.type === 'content_block_delta' &&
          event.delta.type === 'text_delta'
        ) {
          this.config.onDelta(this.pending.turnId, event.delta.text);
        }
        return;
      }
      case 'result': {
        if (proc.resumed && message.is_error && isMissingSession(message)) {
          proc.resumeFailed = true;
          return;
        }
        const cost = message.total_cost_usd;
        const turnCost = proc.costBaseline === null ? null : Math.max(0, cost - proc.costBaseline);
        proc.costBaseline = cost;
        const usage = usageOf(message);
        const processSpend = processSpendOf(message);
        const terminalReason = terminalReasonOf(message);
        if (this.pending?.aborted) {
          this.finish({ status: 'aborted', text: 'Stopped.', costUsd: turnCost, usage, processSpend });
        } else {
          this.finish({ ...outcomeOf(message), terminalReason, costUsd: turnCost, usage, processSpend });
        }
        return;
      }
      default:
        return;
    }
  }

  private finish(
    outcome: Pick<ResultMessage, 'status' | 'text'> &
      Partial<Pick<ResultMessage, 'terminalReason' | 'costUsd' | 'usage' | 'processSpend'>>,
  ): void {
    const turn = this.pending;
    if (!turn) return;
    this.pending = null;
    turn.resolve({
      type: 'result',
      turnId: turn.turnId,
      status: outcome.status,
      text: outcome.text,
      sessionId: this.sessionId,
      terminalReason: outcome.terminalReason ?? null,
      durationMs: Date.now() - turn.startedAt,
      costUsd: outcome.costUsd ?? null,
      usage: outcome.usage ?? null,
      processSpend: outcome.processSpend ?? [],
    });
  }

  private stopProcess(): void {
    const proc = this.process;
    if (!proc) return;
    this.process = null;
    this.finish({ status: 'aborted', text: 'Stopped.' });
    proc.input.end();
    proc.query.close();
  }
}
