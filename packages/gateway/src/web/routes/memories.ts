/**
 * An agent's memory, as Mission Control's Memory tab sees it: list, search, add or change, delete. The memory lives
 * in the agent's sandbox, so each request goes to its runner, starting a stopped agent first.
 */
import {
  MEMORY_LIST_LIMIT,
  MemoriesQuery,
  MemoriesResponse,
  MemoryBody,
  type MemoryItem,
  MemoryItem as MemoryItemSchema,
  type MemoryOp,
  StatusReply,
} from '@praktor/protocol';
import { HttpError } from '../http-error.js';
import { type ApiDeps, configuredAgent, type Route, route, throughRuntime } from '../route.js';

const STATUS = { refused: 400, missing: 404, failed: 503 } as const;

/** Runs `op` on the agent's memory; a refusal is a 400, an unknown key a 404, a failure a 503, each saying why. */
async function memoryOf(
  deps: ApiDeps,
  agentId: string,
  op: MemoryOp,
): Promise<{ memories: MemoryItem[]; total: number }> {
  const result = await throughRuntime(`the memory of ${agentId} could not be reached`, () =>
    deps.orchestrator.memory(agentId, op),
  );
  if (!result.ok) throw new HttpError(STATUS[result.kind], result.error);
  return result;
}

/** The memory routes. */
export const memoryRoutes: Route[] = [
  route({
    method: 'GET',
    url: '/api/agents/definitions/:id/memories',
    summary:
      'The agent’s 200 most recently changed memories, newest first; with `q`, those that best match it, best first (as the agent’s recall ranks them, without counting as a use); `total` counts them all. Starts a stopped agent.',
    query: MemoriesQuery,
    response: MemoriesResponse,
    async handle({ params, query }, deps) {
      const id = configuredAgent(deps, params.id);
      const q = query.q?.trim() ?? '';
      const { memories, total } = await memoryOf(
        deps,
        id,
        q === '' ? { op: 'list', limit: MEMORY_LIST_LIMIT } : { op: 'search', query: q },
      );
      return { memories, total };
    },
  }),
  route({
    method: 'PUT',
    url: '/api/agents/definitions/:id/memories/:key',
    summary: 'Store a memory under `key`, replacing the one stored there. Starts a stopped agent.',
    body: MemoryBody,
    response: MemoryItemSchema,
    async handle({ params, body }, deps) {
      const id = configuredAgent(deps, params.id);
      const [stored] = (await memoryOf(deps, id, { op: 'store', key: params.key, ...body })).memories;
      if (!stored)
        throw new HttpError(503, `the memory "${params.key}" was stored but could not be read back`);
      return stored;
    },
  }),
  route({
    method: 'DELETE',
    url: '/api/agents/definitions/:id/memories/:key',
    summary: 'Delete the memory stored under `key`. Starts a stopped agent.',
    response: StatusReply,
    async handle({ params }, deps) {
      const id = configuredAgent(deps, params.id);
      await memoryOf(deps, id, { op: 'delete', key: params.key });
      return { status: 'deleted' };
    },
  }),
];
