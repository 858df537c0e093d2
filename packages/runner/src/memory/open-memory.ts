/**
 * Opens the agent's memory where it belongs: `memory.db` in its own workspace.
 */
import { join } from 'node:path';
import { MEMORY_FILE, messageOf } from '@praktor/protocol';
import type { Embedder } from './embeddings.js';
import { type MemoryLog, MemoryStore } from './memory-store.js';
import { openSqlite } from './sqlite.js';

/** Opens (creating on first use) the memory in `workspace`; throws with the file's path when it cannot. */
export function openAgentMemory(workspace: string, embedder: Embedder | null, log: MemoryLog): MemoryStore {
  const file = join(workspace, MEMORY_FILE);
  try {
    return new MemoryStore(openSqlite(file), embedder, log);
  } catch (err) {
    throw new Error(`could not open the agent's memory ${file}: ${messageOf(err)}`);
  }
}
