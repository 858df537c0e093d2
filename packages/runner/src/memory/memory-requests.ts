/**
 * Mission Control's requests on the agent's memory, which reach the runner over the link because the memory file
 * lives in the sandbox. Searches here do not count as the agent's use of a memory.
 */
import { type MemoryItem, type MemoryOp, type MemoryResult, messageOf } from '@praktor/protocol';
import { type Memory, type MemoryStore, memoryProblem } from './memory-store.js';

function item(memory: Memory): MemoryItem {
  return {
    key: memory.key,
    content: memory.content,
    tags: memory.tags,
    created_at: memory.createdAt,
    updated_at: memory.updatedAt,
    access_count: memory.accessCount,
    last_accessed: memory.lastAccessed,
  };
}

/** Carries out `op` on `store`; a refusal or a database failure becomes an error result with the reason. */
export async function answerMemoryRequest(store: MemoryStore, op: MemoryOp): Promise<MemoryResult> {
  try {
    switch (op.op) {
      case 'list':
        return { ok: true, memories: store.list(op.limit).map(item), total: store.count() };
      case 'search': {
        const found = await store.recall(op.query, { touch: false });
        return { ok: true, memories: found.map(item), total: store.count() };
      }
      case 'store': {
        const problem = memoryProblem(op.key, op.content, op.tags);
        if (problem) return { ok: false, kind: 'refused', error: problem };
        store.store(op.key, op.content, op.tags);
        const stored = store.get(op.key);
        return { ok: true, memories: stored ? [item(stored)] : [], total: store.count() };
      }
      case 'delete':
        if (!store.delete(op.key)) {
          return { ok: false, kind: 'missing', error: `no memory is stored under the key "${op.key}"` };
        }
        return { ok: true, memories: [], total: store.count() };
    }
  } catch (err) {
    return { ok: false, kind: 'failed', error: messageOf(err) };
  }
}
