/**
 * Small helpers for the benchmark: percentiles, the machine's description, process memory from /proc.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus, release, totalmem } from 'node:os';

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Nearest-rank percentile of sorted numbers. */
function rank(sorted, p) {
  if (sorted.length === 0) return null;
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index];
}

const round = (value, digits = 1) => (value === null ? null : Number(value.toFixed(digits)));

/** count, min, p50, p95, p99, max and mean of `values`, rounded to `digits`. */
export function summarize(values, digits = 1) {
  const sorted = [...values].sort((a, b) => a - b);
  const mean = sorted.length ? sorted.reduce((sum, v) => sum + v, 0) / sorted.length : null;
  return {
    count: sorted.length,
    min: round(sorted[0] ?? null, digits),
    p50: round(rank(sorted, 50), digits),
    p95: round(rank(sorted, 95), digits),
    p99: round(rank(sorted, 99), digits),
    max: round(sorted.at(-1) ?? null, digits),
    mean: round(mean, digits),
  };
}

/** What the figures were measured on. */
export function machine() {
  const list = cpus();
  let bwrap = null;
  try {
    bwrap = execFileSync('sh', ['-c', 'command -v bwrap'], { encoding: 'utf8' }).trim() || null;
  } catch {
    bwrap = null;
  }
  return {
    cores: list.length,
    cpu_model: list[0]?.model ?? 'unknown',
    memory_mb: Math.round(totalmem() / 2 ** 20),
    node: process.version,
    kernel: release(),
    platform: process.platform,
    local_sandbox: bwrap ? 'bubblewrap' : 'plain child process (no bwrap)',
  };
}

function statusField(pid, field) {
  const text = readFileSync(`/proc/${pid}/status`, 'utf8');
  const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(text);
  return match ? Number(match[1]) : 0;
}

/** Resident set size of `pid` in MiB (VmRSS of /proc/<pid>/status), or null when it is gone. */
export function rssMb(pid) {
  try {
    return statusField(pid, 'VmRSS') / 1024;
  } catch {
    return null;
  }
}

/** Proportional set size of `pid` in MiB (shared pages split among their users), or null. */
export function pssMb(pid) {
  try {
    const text = readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8');
    const match = /^Pss:\s+(\d+) kB/m.exec(text);
    return match ? Number(match[1]) / 1024 : null;
  } catch {
    return null;
  }
}

/** Formats a millisecond figure for the table. */
export function ms(value) {
  return value === null || value === undefined ? 'n/a' : `${value} ms`;
}
