/**
 * Schemas for operating a gateway: the unauthenticated health probe that compose healthchecks and load balancers
 * read.
 */
import { z } from 'zod';

/** `GET /api/health`: whether the gateway process answers (live) and can take work (ready). Never carries data. */
export const HealthResponse = z.object({
  /** `ok` when ready; `unavailable` (HTTP 503) when the process answers but cannot take work. */
  status: z.enum(['ok', 'unavailable']),
  live: z.literal(true),
  ready: z.boolean(),
  /** Each part readiness depends on: `ok`, or a few words saying what is wrong. */
  checks: z.object({ database: z.string(), shutdown: z.string() }),
});
export type HealthResponse = z.infer<typeof HealthResponse>;
