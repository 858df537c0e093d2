/**
 * Tool calls that wait for a person: each call that matched an approval rule is sent to the gateway, and the
 * model's call waits for the decision. "Always for this session" is remembered here, per conversation or task run,
 * so the same kind of call is not asked about twice.
 */
import type { PermissionResult } from '@anthropic-ai/claude-agent-sdk';
import type { ApprovalDecisionMessage, ApprovalRequestMessage } from '@praktor/protocol';

/** What a call is remembered as after "Always": the tool, and for a shell command its program (`Bash:rm`). */
export function approvalKey(toolName: string, input: Record<string, unknown>): string {
  if (toolName !== 'Bash' || typeof input.command !== 'string') return toolName;
  const program = input.command.trim().split(/\s+/)[0] ?? '';
  return `${toolName}:${program}`;
}

/** Approval requests in flight and what each scope was allowed for good. */
export class Approvals {
  private readonly waiting = new Map<string, (decision: ApprovalDecisionMessage) => void>();
  private readonly always = new Map<string, Set<string>>();
  private nextId = 1;

  constructor(private readonly send: (message: ApprovalRequestMessage) => void) {}

  /**
   * Asks whether the call may run; `scope` is the conversation or a task run, what "Always" applies to. Resolves
   * with the SDK's answer once the gateway decides (the gateway bounds the wait).
   */
  async request(
    scope: string,
    turnId: string | null,
    toolName: string,
    input: Record<string, unknown>,
  ): Promise<PermissionResult> {
    const key = approvalKey(toolName, input);
    if (this.always.get(scope)?.has(key)) return { behavior: 'allow', updatedInput: input };
    const approvalId = `a${this.nextId++}-${Date.now().toString(36)}`;
    const decision = await new Promise<ApprovalDecisionMessage>((resolve) => {
      this.waiting.set(approvalId, resolve);
      this.send({ type: 'approval', approvalId, turnId, toolName, input });
    });
    if (!decision.allow) return { behavior: 'deny', message: decision.message };
    if (decision.always) {
      const keys = this.always.get(scope) ?? new Set<string>();
      keys.add(key);
      this.always.set(scope, keys);
    }
    return { behavior: 'allow', updatedInput: input };
  }

  /** Hands a decision to the call waiting for it; returns false when none waits. */
  decided(decision: ApprovalDecisionMessage): boolean {
    const resolve = this.waiting.get(decision.approvalId);
    if (!resolve) return false;
    this.waiting.delete(decision.approvalId);
    resolve(decision);
    return true;
  }

  /** Forgets what "Always" allowed in `scope` (a new conversation, a finished task run). */
  forget(scope: string): void {
    this.always.delete(scope);
  }
}
