/**
 * An agent's memory in the data directory (the local runtime) backed up while the agent stores memories in a loop:
 * the restored memory is sound and holds every memory stored before the backup began.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../config/parse.js';
import { createBackup } from './backup.js';
import {
  keysUpTo,
  type MemoryCheck,
  memoryChecker,
  memoryWriter,
  RUNNER_MEMORY_HERE,
} from './backup.test-support.js';
import { restoreBackup } from './restore.js';

const work = mkdtempSync(join(tmpdir(), 'praktor-backup-memory-'));
let writer: ChildProcess | null = null;
afterAll(() => {
  writer?.kill('SIGKILL');
  rmSync(work, { recursive: true, force: true });
});

function configOf(dataDir: string) {
  return parseConfig('defaults: { runtime: local }\nagents: { general: { description: Generalist } }\n', {
    env: { PRAKTOR_DATA_DIR: dataDir },
    source: 'praktor.yaml',
    cwd: work,
  }).config;
}

/** Starts the writer on `workspace`; resolves once `count` memories are committed, with a reader of the last one. */
async function startWriter(workspace: string, count: number): Promise<() => number> {
  const child = spawn(
    process.execPath,
    ['--input-type=module', '-e', memoryWriter(RUNNER_MEMORY_HERE), workspace],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  writer = child;
  let last = -1;
  let pending = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    const lines = (pending + chunk.toString('utf8')).split('\n');
    pending = lines.pop() ?? '';
    if (lines.length > 0) last = Number(lines[lines.length - 1]);
  });
  await new Promise<void>((resolve, reject) => {
    const timer = setInterval(() => {
      if (last + 1 >= count) {
        clearInterval(timer);
        resolve();
      }
    }, 20);
    child.once('exit', (code) => {
      clearInterval(timer);
      reject(new Error(`the memory writer stopped with code ${code}`));
    });
  });
  return () => last;
}

/** What the runner's own memory code finds in the memory of `workspace`. */
function memoryIn(workspace: string): MemoryCheck {
  const printed = execFileSync(process.execPath, [
    '--input-type=module',
    '-e',
    memoryChecker(RUNNER_MEMORY_HERE),
    workspace,
  ]);
  return JSON.parse(printed.toString('utf8')) as MemoryCheck;
}

describe('backup of an agent’s memory on the local runtime', () => {
  it('restores a sound memory holding every memory stored before the backup began, taken while the agent stores more', async () => {
    const dataDir = join(work, 'data');
    const workspace = join(dataDir, 'agents', 'general', 'workspace');
    mkdirSync(workspace, { recursive: true });
    new Database(join(dataDir, 'praktor.db')).close();
    const lastCommitted = await startWriter(workspace, 300);
    const before = lastCommitted();
    await createBackup({ config: configOf(dataDir), file: join(work, 'backup.tar.zst') });
    const during = lastCommitted();
    writer?.kill('SIGKILL');
    // The loop went on while the backup ran: it was taken beside a writer, not after one.
    expect(during).toBeGreaterThan(before);

    const restoredDir = join(work, 'restored');
    await restoreBackup({
      config: configOf(restoredDir),
      file: join(work, 'backup.tar.zst'),
      overwrite: false,
    });
    const check = memoryIn(join(restoredDir, 'agents', 'general', 'workspace'));
    expect(check.integrity).toEqual(['ok']);
    expect(check.keys).toEqual(expect.arrayContaining(keysUpTo(before)));
  });

  it('restored with --overwrite over another memory, never replays that memory’s log into it', async () => {
    const file = join(work, 'backup.tar.zst');
    const restoredDir = join(work, 'restored');
    const workspace = join(restoredDir, 'agents', 'general', 'workspace');
    // The old memory's log, as an agent that was stopped without a checkpoint leaves it.
    const old = new Database(join(workspace, 'memory.db'));
    old.pragma('journal_mode = WAL');
    old.pragma('wal_autocheckpoint = 0');
    old.exec('CREATE TABLE IF NOT EXISTS stale (x)');
    old.prepare('INSERT INTO stale VALUES (?)').run('x'.repeat(100_000));
    copyFileSync(join(workspace, 'memory.db-wal'), join(work, 'stale-wal'));
    old.close();
    copyFileSync(join(work, 'stale-wal'), join(workspace, 'memory.db-wal'));
    await restoreBackup({ config: configOf(restoredDir), file, overwrite: true });
    expect(existsSync(join(workspace, 'memory.db-wal'))).toBe(false);
    const check = memoryIn(workspace);
    expect(check.integrity).toEqual(['ok']);
  });
});
