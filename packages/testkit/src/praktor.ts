/**
 * Runs the real `praktor gateway` as a separate process for end-to-end tests and benchmarks: its own temporary
 * data directory, a config file written from an object, and the model API pointed at a fake.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  type FoundProcess,
  freePort,
  processesWorkingIn,
  type RunningProcess,
  runProcess,
} from './process.js';

/** The `praktor` command of this repository. */
export const PRAKTOR_BIN = fileURLToPath(new URL('../../gateway/bin/praktor.js', import.meta.url));

/** How to start a gateway. */
export interface PraktorOptions {
  /** praktor.yaml as an object (written as JSON, which is YAML) or as YAML text; omitted: no config file. */
  config?: Record<string, unknown> | string;
  /** The fake model API's URL, passed as ANTHROPIC_BASE_URL. */
  anthropicUrl?: string;
  /** Extra environment. */
  env?: NodeJS.ProcessEnv;
  /** Reuse this folder (to restart a gateway on the same data); default: a new temporary one. */
  home?: string;
  /** Print the gateway's output as it comes, for debugging. */
  echo?: boolean;
}

/** A gateway running as a process. */
export interface PraktorProcess {
  /** The folder holding praktor.yaml and `data/`. */
  readonly home: string;
  readonly dataDir: string;
  /** Mission Control's address, on a port of its own. */
  readonly webUrl: string;
  readonly process: RunningProcess;
  /** Parsed JSON log lines so far (non-JSON lines are skipped). */
  logs(): Record<string, unknown>[];
  /** Resolves with the first log line whose `msg` is `msg` (and which `where` accepts). */
  waitForLog(
    msg: string,
    where?: (line: Record<string, unknown>) => boolean,
    timeoutMs?: number,
  ): Promise<Record<string, unknown>>;
  /** Processes still working in the data directory (runners, Claude Code): none after a clean stop. */
  leftovers(): FoundProcess[];
  /** Stops the gateway with SIGTERM and waits. */
  stop(): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Removes the temporary folder (after stop). */
  cleanup(): void;
}

function parseJson(line: string): Record<string, unknown> | null {
  if (!line.startsWith('{')) return null;
  try {
    return JSON.parse(line) as Record<string, unknown>;
  } catch {
    return null;
  }
}

/**
 * The model API key to use with the fakes. Praktor masks every credential it holds in what agents write, so a short
 * word such as "fake" would turn each "fake" in an answer into [REDACTED]; this one appears in no answer.
 */
export const FAKE_API_KEY = 'sk-ant-praktor-testkit-not-a-real-key';

/** Environment for a gateway under test: quick to give up on a failing model API, no stray traffic. */
function testEnv(opts: PraktorOptions, home: string, webPort: number): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    PRAKTOR_WEB_PORT: String(webPort),
    HOME: home,
    LANG: 'C.UTF-8',
    PRAKTOR_DATA_DIR: join(home, 'data'),
    PRAKTOR_LOG_LEVEL: 'debug',
    ANTHROPIC_API_KEY: FAKE_API_KEY,
    CLAUDE_CODE_MAX_RETRIES: '0',
  };
  if (opts.config !== undefined) env.PRAKTOR_CONFIG = join(home, 'praktor.yaml');
  if (opts.anthropicUrl) env.ANTHROPIC_BASE_URL = opts.anthropicUrl;
  return { ...env, ...opts.env };
}

/** Starts `praktor gateway` without waiting for it to be ready (use this to watch it fail). */
export async function spawnPraktor(opts: PraktorOptions = {}): Promise<PraktorProcess> {
  const home = opts.home ?? mkdtempSync(join(tmpdir(), 'praktor-e2e-'));
  mkdirSync(home, { recursive: true });
  if (opts.config !== undefined) {
    const text = typeof opts.config === 'string' ? opts.config : JSON.stringify(opts.config, null, 2);
    writeFileSync(join(home, 'praktor.yaml'), text);
  }
  const dataDir = join(home, 'data');
  const webPort = Number(opts.env?.PRAKTOR_WEB_PORT ?? (await freePort()));
  const proc = runProcess(process.execPath, [PRAKTOR_BIN, 'gateway'], {
    env: testEnv(opts, home, webPort),
    cwd: home,
    echo: opts.echo ?? false,
  });
  const matches = (line: string, msg: string, where?: (l: Record<string, unknown>) => boolean) => {
    const json = parseJson(line);
    return json !== null && json.msg === msg && (where ? where(json) : true);
  };
  return {
    home,
    dataDir,
    webUrl: `http://127.0.0.1:${webPort}`,
    process: proc,
    logs: () => proc.lines.map(parseJson).filter((l): l is Record<string, unknown> => l !== null),
    async waitForLog(msg, where, timeoutMs) {
      const line = await proc.waitForLine((l) => matches(l, msg, where), timeoutMs);
      return parseJson(line) as Record<string, unknown>;
    },
    leftovers: () => processesWorkingIn(dataDir),
    stop: () => proc.stop('SIGTERM'),
    cleanup: () => rmSync(home, { recursive: true, force: true }),
  };
}

/** Starts `praktor gateway` and waits until it logs that it is ready. */
export async function startPraktor(opts: PraktorOptions = {}): Promise<PraktorProcess> {
  const praktor = await spawnPraktor(opts);
  try {
    await praktor.waitForLog('gateway ready', undefined, 30_000);
  } catch (err) {
    await praktor.stop();
    // A folder the caller handed in is theirs to keep; one made here would otherwise be left behind.
    if (opts.home === undefined) praktor.cleanup();
    throw err;
  }
  return praktor;
}
