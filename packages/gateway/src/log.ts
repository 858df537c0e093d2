/**
 * The gateway's logger: JSON lines on stderr for machines, readable lines when a person watches a terminal.
 * Values handed to {@link hideInLogs} (vault secrets, credentials) never reach a line: they are masked in the
 * JSON text before it is written, whichever field they are in.
 */
import { pino } from 'pino';
import pretty from 'pino-pretty';
import { Masker, patternsOf } from './vault/mask.js';

/** The logger type every component receives. */
export type Logger = pino.Logger;

const hidden = new Set<string>();
let masker = new Masker([]);

/** A match right after an odd number of backslashes would cut a JSON escape sequence in two. */
function outsideEscape(line: string, index: number): boolean {
  let backslashes = 0;
  for (let i = index - 1; i >= 0 && line[i] === '\\'; i--) backslashes += 1;
  return backslashes % 2 === 0;
}

/** Masks `values` in every log line from now on, in every logger of this process. */
export function hideInLogs(values: Iterable<string>): void {
  const before = hidden.size;
  for (const value of values) hidden.add(value);
  if (hidden.size === before) return;
  // Log lines are JSON: a value appears with its quotes, backslashes and control characters escaped.
  const escaped = patternsOf(hidden).map((pattern) => JSON.stringify(pattern).slice(1, -1));
  masker = new Masker(
    escaped.sort((a, b) => b.length - a.length),
    outsideEscape,
  );
}

/**
 * Creates the root logger; `PRAKTOR_LOG_LEVEL` sets the level (default `info`). Lines go to standard error, or
 * to `destination` when given (tests).
 */
export function createLogger(
  env: NodeJS.ProcessEnv = process.env,
  destination?: pino.DestinationStream,
): Logger {
  const level = env.PRAKTOR_LOG_LEVEL ?? 'info';
  const hooks = { streamWrite: (line: string) => masker.text(line) };
  if (destination) return pino({ level, base: undefined, hooks }, destination);
  if (process.stderr.isTTY) {
    return pino(
      { level, hooks },
      pretty({ destination: 2, ignore: 'pid,hostname', translateTime: 'SYS:HH:MM:ss' }),
    );
  }
  return pino({ level, base: undefined, hooks }, pino.destination(2));
}
