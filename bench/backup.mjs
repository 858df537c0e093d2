/**
 * Backup and restore throughput: `praktor backup`, `praktor restore --verify` and `praktor restore` on a data
 * directory of 1 GB of mixed files (a few large incompressible ones, many mid-sized, thousands of small text
 * files), each as its own process, with its peak memory (max RSS). Prints a table and writes
 * bench/results/<date>-backup.json (<date>-backup-<size>mb-quick.json for another size than 1 GB).
 *
 *   npm run bench:backup               1 GB
 *   npm run bench:backup -- --size=256 another size, in MB
 */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PRAKTOR_BIN } from '@praktor/testkit';
import Database from 'better-sqlite3';
import { machine } from './lib.mjs';

const HERE = dirname(fileURLToPath(import.meta.url));
const sizeArg = process.argv.find((a) => a.startsWith('--size='));
const TOTAL_MB = sizeArg ? Number(sizeArg.slice('--size='.length)) : 1024;
const MB = 1024 * 1024;

/** Fills `dir` with TOTAL_MB of files: 50% in 64 MB random files, 30% in 1 MB files, 20% in 8 KB text files. */
function makeData(dir) {
  const total = TOTAL_MB * MB;
  let files = 0;
  const write = (path, content) => {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, content);
    files += 1;
  };
  const text = (i) =>
    Buffer.from(
      `line ${i}: the agent wrote this note about the weekly report and its sources\n`.repeat(100),
    ).subarray(0, 8 * 1024);
  for (let done = 0, i = 0; done < total * 0.5; i++, done += 64 * MB) {
    const chunk = Math.min(64 * MB, total * 0.5 - done);
    write(join(dir, 'agents', 'general', 'workspace', 'uploads', `big-${i}.bin`), randomBytes(chunk));
  }
  for (let done = 0, i = 0; done < total * 0.3; i++, done += MB) {
    const half = randomBytes(MB / 2);
    write(
      join(dir, 'agents', `agent-${i % 8}`, 'workspace', 'data', `mid-${i}.dat`),
      Buffer.concat([half, half]),
    );
  }
  for (let done = 0, i = 0; done < total * 0.2; i++, done += 8 * 1024) {
    write(
      join(
        dir,
        'agents',
        `agent-${i % 8}`,
        'home',
        '.claude',
        'notes',
        `${Math.floor(i / 500)}`,
        `n-${i}.md`,
      ),
      text(i),
    );
  }
  const db = new Database(join(dir, 'praktor.db'));
  db.pragma('journal_mode = WAL');
  db.exec('CREATE TABLE messages (id INTEGER PRIMARY KEY, text TEXT)');
  const insert = db.prepare('INSERT INTO messages (text) VALUES (?)');
  db.transaction(() => {
    for (let i = 0; i < 20_000; i++) insert.run(`message ${i} `.repeat(20));
  })();
  db.close();
  return files;
}

/** Reports the process's peak memory as it exits, for the step it runs in. */
const PEAK_PROBE =
  'data:text/javascript,process.on("exit",()=>process.stderr.write("maxrss "+process.resourceUsage().maxRSS+"\\n"))';

/** Runs `praktor <args>` in its own process; its wall time and peak memory (max RSS, MB). */
function measure(args, env) {
  const started = process.hrtime.bigint();
  const child = spawnSync(process.execPath, ['--import', PEAK_PROBE, PRAKTOR_BIN, ...args], {
    env: { PATH: process.env.PATH, ...env },
    encoding: 'utf8',
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (child.status !== 0) throw new Error(`praktor ${args.join(' ')} failed: ${child.stderr}`);
  const kb = Number(/maxrss (\d+)/.exec(child.stderr)?.[1]);
  return { seconds, maxrssMb: Math.round(kb / 1024) };
}

const work = mkdtempSync(join(tmpdir(), 'praktor-bench-backup-'));
try {
  const source = join(work, 'source');
  const target = join(work, 'target');
  const archive = join(work, 'backup.tar.zst');
  process.stderr.write(`making ${TOTAL_MB} MB of mixed files…\n`);
  const files = makeData(source);
  const rows = [];
  for (const [name, args, dataDir] of [
    ['backup', ['backup', '-f', archive], source],
    ['verify', ['restore', '-f', archive, '--verify'], target],
    ['restore', ['restore', '-f', archive], target],
  ]) {
    const { seconds, maxrssMb } = measure(args, { PRAKTOR_DATA_DIR: dataDir, HOME: work });
    rows.push({
      step: name,
      seconds: Number(seconds.toFixed(2)),
      mb_per_s: Number((TOTAL_MB / seconds).toFixed(1)),
      peak_rss_mb: maxrssMb,
    });
  }
  const result = {
    date: new Date().toISOString(),
    machine: machine(),
    data: { mb: TOTAL_MB, files },
    archive_mb: Number((statSync(archive).size / MB).toFixed(1)),
    rows,
  };
  console.log(`\n${TOTAL_MB} MB in ${files} files → archive ${result.archive_mb} MB\n`);
  console.log('step      seconds   MB/s   peak RSS (MB)');
  for (const r of rows)
    console.log(
      `${r.step.padEnd(9)} ${String(r.seconds).padStart(7)} ${String(r.mb_per_s).padStart(6)}   ${r.peak_rss_mb}`,
    );
  mkdirSync(join(HERE, 'results'), { recursive: true });
  // A run on another amount is a trial: kept out of the results under version control (.gitignore: *-quick.json).
  const suffix = TOTAL_MB === 1024 ? '' : `-${TOTAL_MB}mb-quick`;
  const file = join(HERE, 'results', `${result.date.slice(0, 10)}-backup${suffix}.json`);
  writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
  console.log(`\nwritten to ${file}`);
} finally {
  rmSync(work, { recursive: true, force: true });
}
