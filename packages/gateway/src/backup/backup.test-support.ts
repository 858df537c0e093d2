/**
 * For the backup suites: an agent's memory written and read by the runner's own memory code, in a process of its
 * own (on this machine, or in a container of the agent image), for proving that a backup taken while an agent
 * stores memories holds a sound memory with every memory stored before it began; and a data directory's files as
 * a backup keeps them, for comparing a restored one with the original.
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, readlinkSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

/** Where the runner's memory module is in this checkout, and in the agent image. */
export const RUNNER_MEMORY_HERE = new URL('../../../runner/dist/memory/', import.meta.url).pathname;
export const RUNNER_MEMORY_IN_IMAGE = '/app/node_modules/@praktor/runner/dist/memory/';

/**
 * A Node module (run with `--input-type=module -e`, the workspace as its argument) that stores the memories `m0`,
 * `m1`… of a few KB each into the workspace's memory for ever, `pauseMs` apart, printing each one's number once it
 * is committed.
 */
export function memoryWriter(runnerMemory: string, pauseMs = 0): string {
  return `
import { openAgentMemory } from '${runnerMemory}open-memory.js';
const memory = openAgentMemory(process.argv[1], null, () => {});
const filler = 'the user keeps notes about gardens, rivers and long walks '.repeat(60);
const pause = new Int32Array(new SharedArrayBuffer(4));
for (let i = 0; ; i++) {
  memory.store('m' + i, 'memory number ' + i + ' ' + filler, 'loop');
  process.stdout.write(i + '\\n');
  if (${pauseMs} > 0) Atomics.wait(pause, 0, 0, ${pauseMs});
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

/** Every file, folder and link below `dir` with its mode and its content's hash, or its target, for comparing trees. */
export function tree(dir: string): Record<string, string> {
  const found: Record<string, string> = {};
  const walk = (path: string) => {
    for (const entry of readdirSync(path, { withFileTypes: true })) {
      const full = join(path, entry.name);
      const name = relative(dir, full);
      const mode = (statSync(full, { throwIfNoEntry: false })?.mode ?? 0) & 0o7777;
      if (entry.isSymbolicLink()) found[name] = `-> ${readlinkSync(full)}`;
      else if (entry.isDirectory()) {
        found[name] = `dir ${mode.toString(8)}`;
        walk(full);
      } else
        found[name] = `${mode.toString(8)} ${createHash('sha256').update(readFileSync(full)).digest('hex')}`;
    }
  };
  if (existsSync(dir)) walk(dir);
  return found;
}

/**
 * `tree(dir)` without what a backup deliberately leaves out or holds in another form: the database and each
 * agent's memory are snapshots (compared through the API and the runner's memory code), SQLite's files beside
 * them are not copied, and agents' secret files (present only while a sandbox runs) are made again from the vault.
 */
export function filesKept(dir: string): Record<string, string> {
  return Object.fromEntries(
    Object.entries(tree(dir)).filter(
      ([name]) =>
        !/^praktor\.db/.test(name) &&
        !/^agents\/[^/]+\/workspace\/memory\.db/.test(name) &&
        !/^agents\/[^/]+\/secrets(\/|$)/.test(name),
    ),
  );
}
