/**
 * What an agent is doing while it works on a turn: the tools it calls and the model API errors Claude Code retries.
 * The runner reports each as it happens (`activity` on the link); the gateway masks secret values in it, stores it
 * beside the message the agent is answering, and shows it live in Mission Control's conversation.
 */
import { z } from 'zod';

/** The agent called a tool; `input` is the tool's input as the model wrote it (unmasked: it never leaves the gateway so). */
export const ToolUseActivity = z.object({
  kind: z.literal('tool'),
  tool: z.string().min(1),
  input: z.unknown(),
});

/** The model API failed and Claude Code will try again after `delayMs`; `attempt` counts from 1 up to `maxRetries`. */
export const ApiRetryActivity = z.object({
  kind: z.literal('retry'),
  attempt: z.number().int().positive(),
  maxRetries: z.number().int().nonnegative(),
  delayMs: z.number().nonnegative(),
  /** The HTTP status of the failed attempt, null when none came (a dropped connection, a timeout). */
  status: z.number().int().nullable(),
  /** Claude Code's name for the failure (`overloaded`, `rate_limit`, `server_error`, …). */
  error: z.string(),
});

/** One thing the agent did while working. */
export const Activity = z.discriminatedUnion('kind', [ToolUseActivity, ApiRetryActivity]);
export type Activity = z.infer<typeof Activity>;

/** Runner → gateway: the agent did something while working on turn (or task run) `turnId`. */
export const ActivityMessage = z.object({
  type: z.literal('activity'),
  turnId: z.string(),
  activity: Activity,
});
export type ActivityMessage = z.infer<typeof ActivityMessage>;

/**
 * A stored activity line, as the gateway's bus carries it: `summary` is one short line, `detail` the full input
 * (both with secret values masked), null for a retry.
 */
export const ActivityView = z.object({
  id: z.number().int(),
  /** The inbound message the agent was answering. */
  messageId: z.number().int(),
  agentId: z.string(),
  kind: z.enum(['tool', 'retry']),
  /** The tool's name; null for a retry. */
  tool: z.string().nullable(),
  summary: z.string(),
  detail: z.string().nullable(),
  createdAt: z.number().int(),
});
export type ActivityView = z.infer<typeof ActivityView>;

/** An activity line as Mission Control's API shows it (`GET …/activity` and the WebSocket's `activity` event). */
export const ActivityItem = z.object({
  id: z.number().int(),
  message_id: z.number().int(),
  agent_id: z.string(),
  kind: z.enum(['tool', 'retry']),
  tool: z.string().nullable(),
  summary: z.string(),
  detail: z.string().nullable(),
  created_at: z.number().int(),
});
export type ActivityItem = z.infer<typeof ActivityItem>;

/** `GET /api/agents/definitions/{id}/activity` query: the lines of the messages from `since` (a message id) on. */
export const ActivityQuery = z.object({
  since: z.coerce.number().int().nonnegative().default(0),
});
export type ActivityQuery = z.infer<typeof ActivityQuery>;
