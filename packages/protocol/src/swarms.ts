/**
 * Swarms on the wire: a graph of agents given one task. Field names follow the original Praktor's swarm API
 * (snake_case). No edge between two roles means they work in parallel (fan-out); a directed synapse A→B means B runs
 * after A and is given A's output (pipeline); a bidirectional synapse A↔B means they run side by side and talk on a
 * shared channel (collaborative). The lead runs last and is given everyone's output.
 */
import { z } from 'zod';

const Role = z
  .string({ error: 'must be text' })
  .max(64, 'is longer than 64 characters')
  .regex(/^[A-Za-z0-9][A-Za-z0-9_-]*$/, 'must be letters, digits, - and _ (starting with a letter or digit)');

/** One member of a swarm: the configured agent it runs as, under a role name unique within the swarm. */
export const SwarmAgent = z.object({
  /** The `agents.<id>` whose model, tools, secrets and memory the member uses. */
  agent_id: z.string({ error: 'must be text' }).min(1, 'must not be empty'),
  /** The member's name within the swarm; synapses and the lead name roles. */
  role: Role,
  /** Instructions for this role only, added to the swarm's task. */
  prompt: z.string({ error: 'must be text' }).max(20_000, 'is longer than 20,000 characters').default(''),
});
export type SwarmAgent = z.infer<typeof SwarmAgent>;

/** An edge between two roles: directed (`from` runs first and feeds `to`) or bidirectional (they collaborate). */
export const Synapse = z.object({
  from: Role,
  to: Role,
  bidirectional: z.boolean({ error: 'must be true or false' }).default(false),
});
export type Synapse = z.infer<typeof Synapse>;

/** What a user asks for: the members, their edges, the lead, and the task. */
export const SwarmRequest = z.object({
  name: z.string({ error: 'must be text' }).max(200, 'is longer than 200 characters').default('Swarm'),
  /** The role that runs last and synthesises; empty for a swarm without a lead (its tiers simply end). */
  lead_agent: z.string({ error: 'must be text' }).default(''),
  task: z
    .string({ error: 'must be text' })
    .max(100_000, 'is longer than 100,000 characters')
    .refine((t) => t.trim() !== '', 'must not be empty'),
  agents: z.array(SwarmAgent).min(1, 'must name at least one agent').max(32, 'may name at most 32 agents'),
  synapses: z.array(Synapse).max(500, 'may have at most 500 synapses').default([]),
});
export type SwarmRequest = z.infer<typeof SwarmRequest>;

/**
 * How a swarm run stands. `interrupted`: the gateway stopped while it ran (its partial results are kept);
 * `cancelled`: a person stopped it.
 */
export const SwarmRunStatus = z.enum(['running', 'completed', 'failed', 'cancelled', 'interrupted']);
export type SwarmRunStatus = z.infer<typeof SwarmRunStatus>;

/** How one member of a run stands; `skipped`: an earlier tier failed, so it never started. */
export const SwarmMemberStatus = z.enum([
  'waiting',
  'running',
  'completed',
  'failed',
  'cancelled',
  'interrupted',
  'skipped',
]);
export type SwarmMemberStatus = z.infer<typeof SwarmMemberStatus>;

/** One member of a run: who it is, where it is in the plan, and what it produced so far. */
export const SwarmMemberView = z.object({
  role: z.string(),
  agent_id: z.string(),
  /** The tier it runs in, 0 first. */
  tier: z.number().int().nonnegative(),
  status: SwarmMemberStatus,
  /** Its answer, or as much of it as was streamed before it stopped. */
  output: z.string(),
  error: z.string().nullable(),
  cost_usd: z.number().nullable(),
  started_at: z.number().int().nullable(),
  completed_at: z.number().int().nullable(),
});
export type SwarmMemberView = z.infer<typeof SwarmMemberView>;

/** A message one member of a collaborative group posted to the others. */
export const SwarmChatMessage = z.object({
  id: z.number().int(),
  /** The collaborative group (its index in the plan's groups). */
  group: z.number().int().nonnegative(),
  from: z.string(),
  content: z.string(),
  created_at: z.number().int(),
});
export type SwarmChatMessage = z.infer<typeof SwarmChatMessage>;

/** A swarm run as the API shows it. */
export const SwarmRunView = z.object({
  id: z.string(),
  name: z.string(),
  task: z.string(),
  lead_agent: z.string(),
  status: SwarmRunStatus,
  error: z.string().nullable(),
  /** The request it was started with. */
  request: SwarmRequest,
  members: z.array(SwarmMemberView),
  /** The lead's answer, or, without a lead, every member's; null until the run completes. */
  result: z.string().nullable(),
  /** What all members spent, in USD, where known. */
  cost_usd: z.number(),
  created_at: z.number().int(),
  completed_at: z.number().int().nullable(),
});
export type SwarmRunView = z.infer<typeof SwarmRunView>;

/** A run with its collaborative chat. */
export const SwarmRunDetail = SwarmRunView.extend({ chat: z.array(SwarmChatMessage) });
export type SwarmRunDetail = z.infer<typeof SwarmRunDetail>;

/** A saved swarm graph to launch again. */
export const SwarmTemplate = z.object({
  id: z.string(),
  name: z.string(),
  request: SwarmRequest,
  created_at: z.number().int(),
  updated_at: z.number().int(),
});
export type SwarmTemplate = z.infer<typeof SwarmTemplate>;

/** A template to save: its name and the graph. */
export const SwarmTemplateInput = z.object({
  name: z
    .string({ error: 'must be text' })
    .trim()
    .min(1, 'must not be empty')
    .max(200, 'is longer than 200 characters'),
  request: SwarmRequest,
});
export type SwarmTemplateInput = z.infer<typeof SwarmTemplateInput>;
