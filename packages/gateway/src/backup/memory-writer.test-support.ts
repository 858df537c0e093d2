/**
 * An agent's memory written and read by the runner's own memory code, in a process of its own (on this machine, or
 * in a container of the agent image): for proving that a backup taken while an agent stores memories holds a sound
 * memory with every memory stored before it began.
 */

/** Where the runner's memory module is in this checkout, and in the agent image. */
export const RUNNER_MEMORY_HERE = new URL('../../../runner/dist/memory/', import.meta.url).pathname;
export const RUNNER_MEMORY_IN_IMAGE = '/app/node_modules/@praktor/runner/dist/memory/';

/**
 * A Node module (run with `--input-type=module -e`, the workspace as its argument) that stores the memories `m0`,
 * `m1`… of a few KB each into the workspace's memory for ever, printing each one's number once it is committed.
 */
export function memoryWriter(runnerMemory: string): string {
  return `
import { openAgentMemory } from '${runnerMemory}open-memory.js';
const memory = openAgentMemory(process.argv[1], null, () => {});
const filler = 'the user keeps notes about gardens, rivers and long walks '.repeat(60);
for (let i = 0; ; i++) {
  memory.store('m' + i, 'memory number ' + i + ' ' + filler, 'loop');
  process.stdout.write(i + '\\n');
}
`;
}

/**
 * A Node module (run like {@link memoryWriter}) that prints, as JSON, the result of SQLite's integrity check of the
 * workspace's memory and the keys the runner lists in it.
 */
export function memoryChecker(runnerMemory: string): string {
  return `
import { join } from 'node:path';
import { openSqlite } from '${runnerMemory}sqlite.js';
import { openAgentMemory } from '${runnerMemory}open-memory.js';
const raw = openSqlite(join(process.argv[1], 'memory.db'));
const integrity = raw.prepare('PRAGMA integrity_check').all().map((row) => Object.values(row)[0]);
raw.close();
const memory = openAgentMemory(process.argv[1], null, () => {});
process.stdout.write(JSON.stringify({ integrity, keys: memory.list().map((m) => m.key) }));
memory.close();
`;
}

/** What {@link memoryChecker} prints. */
export interface MemoryCheck {
  integrity: string[];
  keys: string[];
}

/** The keys `m0` … `m<last>`. */
export function keysUpTo(last: number): string[] {
  return Array.from({ length: last + 1 }, (_, i) => `m${i}`);
}
