/**
 * The approval desk: a tool call that matched one of the agent's approval rules waits here for a person's answer,
 * asked in the chat its turn or task run came from (the channels listen for `approval` events and show buttons).
 * The first answer from an allowed person decides; none within the agent's timeout denies; a request left pending
 * by a gateway that stopped is marked expired at the next start, and its chat is told. The tool never runs without
 * a decision.
 */
import { randomUUID } from 'node:crypto';
import type { ApprovalAnswer, ApprovalRequestMessage, Channel } from '@praktor/protocol';
import { type Config, resolveAgent } from '../config/index.js';
import type { EventBus } from '../events/bus.js';
import type { Logger } from '../log.js';
import type { ApprovalRecord, Store } from '../store/index.js';
import type { ApprovalVerdict } from './link.js';
import type { Redactor } from './redactor.js';

/** What the desk works with. */
export interface ApprovalDeskDeps {
  config: () => Config;
  store: Store;
  bus: EventBus;
  redactor: Redactor;
  log: Logger;
}

/** What became of an answer: taken, or refused with why (decided already, timed out, expired, unknown). */
export type DecideOutcome =
  | { ok: true; approval: ApprovalRecord }
  | { ok: false; reason: string; approval: ApprovalRecord | null };

interface Waiter {
  resolve: (verdict: ApprovalVerdict) => void;
  timer: NodeJS.Timeout;
}

/** Where a swarm started from Mission Control or the API asks: Mission Control's chat. */
const MISSION_CONTROL_CHAT = { channel: 'web', chatId: 'web' } as const;

const DENIED =
  'The user denied this tool call. Do not try it again another way; ask the user what to do instead.';

/** Waits for people's answers to agents' tool calls. */
export class ApprovalDesk {
  private readonly waiting = new Map<string, Waiter>();

  constructor(private readonly deps: ApprovalDeskDeps) {}

  /**
   * Asks about one tool call of `agentId`'s turn or task run, in the chat it came from, and resolves with the
   * decision; never rejects. A request whose turn is unknown is denied at once: nobody could answer it.
   */
  ask(agentId: string, request: ApprovalRequestMessage): Promise<ApprovalVerdict> {
    const messageId = request.turnId === null ? Number.NaN : Number(request.turnId);
    const origin = Number.isInteger(messageId) ? this.deps.store.messages.get(messageId) : null;
    if (!origin) return this.unanswerable(agentId, request, 'it belongs to no conversation');
    return this.wait(agentId, request, {
      messageId: origin.id,
      channel: origin.channel,
      chatId: origin.chatId,
      swarm: null,
    });
  }

  /**
   * Asks about one tool call of a swarm member (`agentId` working as `member.role`) in the chat the swarm was
   * launched from: the Telegram chat of an `@swarm`, Mission Control's chat for a run started there or through the
   * API. Resolves with the decision; never rejects.
   */
  askForSwarm(
    agentId: string,
    member: { runId: string; role: string },
    request: ApprovalRequestMessage,
  ): Promise<ApprovalVerdict> {
    const { store } = this.deps;
    const run = store.swarms.get(member.runId);
    if (!run) return this.unanswerable(agentId, request, 'its swarm run is unknown');
    // A run outlives neither its gateway nor the channel it came from, so that chat is there to ask.
    const origin = store.swarms.origin(member.runId) ?? MISSION_CONTROL_CHAT;
    return this.wait(agentId, request, {
      messageId: null,
      channel: origin.channel,
      chatId: origin.chatId,
      swarm: { runId: run.id, name: run.name, role: member.role },
    });
  }

  /** Stores the request, asks it in its chat and waits for the answer or the agent's timeout. */
  private wait(
    agentId: string,
    request: ApprovalRequestMessage,
    where: Pick<ApprovalRecord, 'messageId' | 'channel' | 'chatId' | 'swarm'>,
  ): Promise<ApprovalVerdict> {
    const { store, log } = this.deps;
    const timeoutMs = resolveAgent(this.deps.config(), agentId).approvalTimeoutMs;
    const now = Date.now();
    const approval = store.approvals.create({
      id: randomUUID(),
      agentId,
      ...where,
      toolName: request.toolName,
      input: this.deps.redactor.text(agentId, JSON.stringify(request.input, null, 2)),
      createdAt: now,
      expiresAt: now + timeoutMs,
    });
    log.info(
      { agent: agentId, tool: request.toolName, approval: approval.id, swarm: where.swarm?.runId },
      'tool call waits for approval',
    );
    return new Promise((resolve) => {
      const timer = setTimeout(() => this.timeOut(approval.id, timeoutMs), timeoutMs);
      this.waiting.set(approval.id, { resolve, timer });
      this.deps.bus.emit({ type: 'approval', approval });
    });
  }

  /** Denies a call nobody can be asked about, and tells the model so rather than that someone said no. */
  private unanswerable(
    agentId: string,
    request: ApprovalRequestMessage,
    why: string,
  ): Promise<ApprovalVerdict> {
    this.deps.log.warn({ agent: agentId, tool: request.toolName, why }, 'approval nobody can answer; denied');
    return Promise.resolve({
      allow: false,
      always: false,
      message:
        `Nobody can be asked to approve this tool call (${why}), so it was not run. ` +
        'Do not try it another way; say that it needs a person’s approval.',
    });
  }

  /** Takes a person's answer; only the first answer to a pending request counts. `by` names who answered. */
  decide(id: string, answer: ApprovalAnswer, by: string): DecideOutcome {
    const { store } = this.deps;
    const settled = store.approvals.settle(id, {
      state: answer === 'deny' ? 'denied' : 'approved',
      always: answer === 'always',
      by,
      at: Date.now(),
    });
    if (!settled) {
      const approval = store.approvals.get(id);
      return { ok: false, reason: notPending(approval), approval };
    }
    this.finish(settled, {
      allow: settled.state === 'approved',
      always: settled.always,
      message: DENIED,
    });
    return { ok: true, approval: settled };
  }

  /**
   * Marks the requests a stopped gateway left pending as expired and tells their chats: the turn that asked ended
   * with that gateway, so the call never ran. Returns how many there were.
   */
  expireLeftovers(): number {
    const expired = this.deps.store.approvals.expirePending(Date.now());
    for (const approval of expired) {
      this.deps.bus.emit({ type: 'approval', approval });
      const text =
        `⚠️ The request to run ${approval.toolName} expired: Praktor restarted before anyone answered, so it ` +
        'did not run.';
      this.announce(
        this.deps.store.messages.notice(approval.agentId, asChannel(approval.channel), approval.chatId, text),
      );
    }
    return expired.length;
  }

  /** Ends every wait as denied (the gateway is stopping); their rows stay pending, for the next start to expire. */
  close(): void {
    for (const [id, waiter] of this.waiting) {
      clearTimeout(waiter.timer);
      waiter.resolve({
        allow: false,
        always: false,
        message: 'Praktor is shutting down; the call was not run.',
      });
      this.waiting.delete(id);
    }
  }

  private timeOut(id: string, timeoutMs: number): void {
    const settled = this.deps.store.approvals.settle(id, {
      state: 'timed_out',
      always: false,
      by: null,
      at: Date.now(),
    });
    if (!settled) return;
    const minutes = Math.round(timeoutMs / 60_000);
    const within =
      minutes >= 1
        ? `${minutes} minute${minutes === 1 ? '' : 's'}`
        : `${Math.round(timeoutMs / 1000)} seconds`;
    this.finish(settled, {
      allow: false,
      always: false,
      message: `Nobody answered the approval request within ${within}, so the call was denied.`,
    });
  }

  /** Hands the decision to the waiting call, announces it and records it in the conversation. */
  private finish(approval: ApprovalRecord, verdict: ApprovalVerdict): void {
    const waiter = this.waiting.get(approval.id);
    if (waiter) {
      clearTimeout(waiter.timer);
      this.waiting.delete(approval.id);
      waiter.resolve(verdict);
    }
    this.deps.log.info(
      { agent: approval.agentId, approval: approval.id, state: approval.state, by: approval.decidedBy },
      'approval decided',
    );
    this.deps.bus.emit({ type: 'approval', approval });
    this.announce(this.deps.store.messages.note(approval.agentId, decisionNote(approval)));
  }

  private announce(message: ReturnType<Store['messages']['note']>): void {
    this.deps.bus.emit({ type: 'message', message });
  }
}

/** How a settled request reads in the conversation. */
export function decisionNote(approval: ApprovalRecord): string {
  const at = approval.decidedAt === null ? '' : ` at ${new Date(approval.decidedAt).toISOString()}`;
  switch (approval.state) {
    case 'approved':
      return `✅ ${approval.toolName} approved${approval.always ? ' for this session' : ''} by ${approval.decidedBy}${at}.`;
    case 'denied':
      return `🚫 ${approval.toolName} denied by ${approval.decidedBy}${at}.`;
    case 'timed_out':
      return `⌛ ${approval.toolName} denied: nobody answered in time${at}.`;
    default:
      return `⚠️ The request to run ${approval.toolName} expired${at}.`;
  }
}

function notPending(approval: ApprovalRecord | null): string {
  if (!approval) return 'There is no such approval request.';
  switch (approval.state) {
    case 'approved':
    case 'denied':
      return `This request was already ${approval.state}${approval.decidedBy ? ` by ${approval.decidedBy}` : ''}.`;
    case 'timed_out':
      return 'This request timed out: the call was denied.';
    default:
      return 'This request expired: it was never run.';
  }
}

function asChannel(channel: string): Channel {
  return channel === 'telegram' || channel === 'web' || channel === 'scheduler' ? channel : 'system';
}
