/**
 * Approvals: tool calls a person must allow first. The runner asks over the link (`approval`), the gateway asks
 * the user in the chat the work came from and answers (`approval_decision`); Mission Control shows and answers
 * pending requests through its API.
 */
import { z } from 'zod';

/** The runner asks whether a tool call that matched one of the agent's approval rules may run. */
export const ApprovalRequestMessage = z.object({
  type: z.literal('approval'),
  approvalId: z.string().min(1),
  /** The turn or task the call belongs to. */
  turnId: z.string().nullable(),
  toolName: z.string().min(1),
  input: z.record(z.string(), z.unknown()),
});
export type ApprovalRequestMessage = z.infer<typeof ApprovalRequestMessage>;

/** The gateway's answer to an `approval`: exactly one per request. */
export const ApprovalDecisionMessage = z.object({
  type: z.literal('approval_decision'),
  approvalId: z.string().min(1),
  allow: z.boolean(),
  /** Allow this tool's matching calls for the rest of the session without asking again. */
  always: z.boolean(),
  /** What the model is told when the call is denied. */
  message: z.string(),
});
export type ApprovalDecisionMessage = z.infer<typeof ApprovalDecisionMessage>;

/** Where an approval request stands. */
export const ApprovalState = z.enum(['pending', 'approved', 'denied', 'timed_out', 'expired']);
export type ApprovalState = z.infer<typeof ApprovalState>;

/** A person's answer to an approval request. */
export const ApprovalAnswer = z.enum(['approve', 'deny', 'always']);
export type ApprovalAnswer = z.infer<typeof ApprovalAnswer>;

/** An approval request as Mission Control shows it; the input's secret values are masked. */
export const ApprovalItem = z.object({
  id: z.string(),
  agent_id: z.string(),
  /** The inbound message whose turn asked, null when unknown. */
  message_id: z.number().int().nullable(),
  channel: z.string(),
  chat_id: z.string().nullable(),
  tool_name: z.string(),
  /** The full tool input as JSON text, secrets masked. */
  input: z.string(),
  /** The swarm run and role of the member that asked; null for an agent's own turn or task run. */
  swarm: z.object({ run_id: z.string(), name: z.string(), role: z.string() }).nullable(),
  state: ApprovalState,
  always: z.boolean(),
  decided_by: z.string().nullable(),
  decided_at: z.number().int().nullable(),
  created_at: z.number().int(),
  expires_at: z.number().int(),
});
export type ApprovalItem = z.infer<typeof ApprovalItem>;

/** `POST /api/approvals/{id}`: the answer. */
export const ApprovalDecisionRequest = z.object({ answer: ApprovalAnswer });
export type ApprovalDecisionRequest = z.infer<typeof ApprovalDecisionRequest>;
