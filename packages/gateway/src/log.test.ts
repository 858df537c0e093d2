/**
 * The logger never writes a value handed to hideInLogs, whichever field carries it and however JSON escapes it.
 */
import { describe, expect, it } from 'vitest';
import { createLogger, hideInLogs } from './log.js';

function capture() {
  const lines: string[] = [];
  const log = createLogger({ PRAKTOR_LOG_LEVEL: 'debug' }, { write: (line: string) => lines.push(line) });
  return { log, lines };
}

describe('the logger', () => {
  it('masks a hidden value in the message and in nested fields', () => {
    hideInLogs(['tok-log-0123456789']);
    const { log, lines } = capture();
    log.info(
      { agent: 'general', detail: { env: 'GITHUB_TOKEN=tok-log-0123456789' } },
      'saw tok-log-0123456789',
    );
    expect(lines).toHaveLength(1);
    expect(lines[0]).not.toContain('tok-log-0123456789');
    expect(JSON.parse(lines[0] as string)).toMatchObject({
      msg: 'saw [REDACTED]',
      detail: { env: 'GITHUB_TOKEN=[REDACTED]' },
    });
  });

  it('masks a value with quotes, backslashes and newlines as JSON writes it, keeping the line valid JSON', () => {
    const value = 'pa"ss\\word\nsecond-line-of-it';
    hideInLogs([value]);
    const { log, lines } = capture();
    log.warn({ value }, 'a line');
    expect(lines[0]).not.toContain(JSON.stringify(value).slice(1, -1));
    expect(JSON.parse(lines[0] as string).value).toBe('[REDACTED]');
  });

  it('masks one line of a hidden multi-line value logged on its own', () => {
    hideInLogs(['-----BEGIN KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQ\n-----END KEY-----\n']);
    const { log, lines } = capture();
    log.debug('runner: MIIEvQIBADANBgkqhkiG9w0BAQ');
    expect(lines[0]).not.toContain('MIIEvQIBADANBgkqhkiG9w0BAQ');
  });

  it('leaves lines without hidden values alone', () => {
    const { log, lines } = capture();
    log.info({ agent: 'general' }, 'agent started');
    expect(JSON.parse(lines[0] as string)).toMatchObject({ msg: 'agent started', agent: 'general' });
  });
});
