/**
 * The gateway's logger: JSON lines on stderr for machines, readable lines when a person watches a terminal.
 */
import { pino } from 'pino';
import pretty from 'pino-pretty';

/** The logger type every component receives. */
export type Logger = pino.Logger;

/** Creates the root logger; `PRAKTOR_LOG_LEVEL` sets the level (default `info`). */
export function createLogger(env: NodeJS.ProcessEnv = process.env): Logger {
  const level = env.PRAKTOR_LOG_LEVEL ?? 'info';
  if (process.stderr.isTTY) {
    return pino({ level }, pretty({ destination: 2, ignore: 'pid,hostname', translateTime: 'SYS:HH:MM:ss' }));
  }
  return pino({ level, base: undefined }, pino.destination(2));
}
