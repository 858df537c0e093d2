/**
 * What Mission Control shows of the egress policy: the connections the gateway's internet proxy refused.
 */
import { z } from 'zod';

/** One refused outbound connection. Holds the destination and the reason, never request content. */
export const EgressRefusal = z.object({
  agent_id: z.string(),
  /** `host:port` as the agent asked for it. */
  target: z.string(),
  reason: z.string(),
  /** When it was refused, ms since the epoch. */
  at: z.number().int(),
});
export type EgressRefusal = z.infer<typeof EgressRefusal>;

/** `GET /api/egress/refusals`: the most recent refusals since the gateway started, newest first. */
export const EgressRefusalsQuery = z.object({
  /** Only this agent's. */
  agent_id: z.string().optional(),
});
export type EgressRefusalsQuery = z.infer<typeof EgressRefusalsQuery>;
