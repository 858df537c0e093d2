/**
 * The agent's memory as it crosses process boundaries. The runner owns the memory file (it lives in the sandbox's
 * workspace); Mission Control reaches it through the gateway, which asks the runner over the link, and the runner
 * tells the gateway when the agent's tools changed it, so Mission Control can follow live.
 */
import { z } from 'zod';

/**
 * The memory file's name in the agent's workspace (a SQLite database in WAL mode): the runner opens it, backups
 * copy it as a consistent snapshot.
 */
export const MEMORY_FILE = 'memory.db';

/** The agent's tools stored, deleted or recalled memories; the gateway tells Mission Control. */
export const MemoryChangedMessage = z.object({ type: z.literal('memory_changed') });
export type MemoryChangedMessage = z.infer<typeof MemoryChangedMessage>;

/** One memory as Mission Control and the link show it. Times are ms since the epoch. */
export const MemoryItem = z.object({
  key: z.string(),
  content: z.string(),
  tags: z.string(),
  created_at: z.number(),
  updated_at: z.number(),
  /** How often recall (the agent's tool) returned it. */
  access_count: z.number().int().nonnegative(),
  last_accessed: z.number().nullable(),
});
export type MemoryItem = z.infer<typeof MemoryItem>;

/** What Mission Control asks of an agent's memory, carried over the link to the runner that owns the file. */
export const MemoryOp = z.discriminatedUnion('op', [
  /** The `limit` most recently changed memories. */
  z.object({ op: z.literal('list'), limit: z.number().int().positive() }),
  z.object({ op: z.literal('search'), query: z.string() }),
  z.object({ op: z.literal('store'), key: z.string(), content: z.string(), tags: z.string() }),
  z.object({ op: z.literal('delete'), key: z.string() }),
]);
export type MemoryOp = z.infer<typeof MemoryOp>;

/** The gateway asks the runner to act on the agent's memory; exactly one `memory_response` follows. */
export const MemoryRequestMessage = z.object({
  type: z.literal('memory_request'),
  requestId: z.string().min(1),
  op: MemoryOp,
});
export type MemoryRequestMessage = z.infer<typeof MemoryRequestMessage>;

/**
 * The outcome of a memory request: the memories it concerns and how many the agent has in all, or why not —
 * `refused` (bad input), `missing` (no memory under that key) or `failed` (the memory could not be read or written;
 * the sandbox stopped).
 */
export const MemoryResult = z.discriminatedUnion('ok', [
  z.object({ ok: z.literal(true), memories: z.array(MemoryItem), total: z.number().int().nonnegative() }),
  z.object({ ok: z.literal(false), kind: z.enum(['refused', 'missing', 'failed']), error: z.string() }),
]);
export type MemoryResult = z.infer<typeof MemoryResult>;

/** The runner's answer to a `memory_request`. */
export const MemoryResponseMessage = z.object({
  type: z.literal('memory_response'),
  requestId: z.string().min(1),
  result: MemoryResult,
});
export type MemoryResponseMessage = z.infer<typeof MemoryResponseMessage>;

/**
 * At most this many memories are listed at once: each may hold 20,000 characters, and an agent may have a hundred
 * thousand of them, which no page (nor the link's line) should carry. A search finds the others.
 */
export const MEMORY_LIST_LIMIT = 200;

/** `GET /api/agents/definitions/{id}/memories`: the newest memories, or with `q` those that best match it. */
export const MemoriesQuery = z.object({
  q: z.string().max(1000, 'is longer than 1,000 characters').optional(),
});
export type MemoriesQuery = z.infer<typeof MemoriesQuery>;

/** The memories asked for (at most MEMORY_LIST_LIMIT newest, or a search's best matches) and how many the agent has in all. */
export const MemoriesResponse = z.object({ memories: z.array(MemoryItem), total: z.number().int() });
export type MemoriesResponse = z.infer<typeof MemoriesResponse>;

/** `PUT /api/agents/definitions/{id}/memories/{key}`: the memory's new content and tags. */
export const MemoryBody = z.object({
  content: z.string().max(20_000, 'is longer than 20,000 characters'),
  tags: z.string().max(500, 'is longer than 500 characters').default(''),
});
export type MemoryBody = z.infer<typeof MemoryBody>;
