import { describe, expect, it } from 'vitest';
import { activityLine } from './activity.js';

/** A quote and a backslash in it: JSON would escape them, so masking the JSON text would miss it. */
const SECRET = 'tok-5f1e"very\\secret';
/** Masks the one secret of these tests the way the vault's redactor does. */
const mask = (text: string) => text.replaceAll(SECRET, '[REDACTED]');

describe('activityLine', () => {
  it('sums a Bash call up as its command, with the secret value masked', () => {
    const line = activityLine(
      'general',
      7,
      { kind: 'tool', tool: 'Bash', input: { command: `curl -H "x: ${SECRET}" host`, description: 'call' } },
      mask,
    );
    expect(line).toMatchObject({ agentId: 'general', messageId: 7, kind: 'tool', tool: 'Bash' });
    expect(line.summary).toBe('curl -H "x: [REDACTED]" host');
    expect(line.detail).not.toContain(SECRET);
    expect(JSON.parse(line.detail ?? '')).toEqual({
      command: 'curl -H "x: [REDACTED]" host',
      description: 'call',
    });
  });

  it('masks a value that JSON would escape, in nested fields and keys too', () => {
    const line = activityLine(
      'general',
      7,
      {
        kind: 'tool',
        tool: 'Write',
        input: { file_path: '/tmp/x', content: `line one\n"${SECRET}"\n`, extra: [{ [SECRET]: SECRET }] },
      },
      mask,
    );
    expect(line.summary).toBe('/tmp/x');
    expect(line.detail).not.toContain(JSON.stringify(SECRET).slice(1, -1));
    expect(line.detail).toContain('[REDACTED]');
  });

  it('keeps the summary to one short line', () => {
    const long = `echo start\n${'x'.repeat(500)}`;
    const line = activityLine('general', 7, { kind: 'tool', tool: 'Bash', input: { command: long } }, mask);
    expect(line.summary).not.toContain('\n');
    expect(line.summary.length).toBeLessThanOrEqual(120);
    expect(line.summary.endsWith('…')).toBe(true);
  });

  it('sums an unknown tool up as its first text field', () => {
    const line = activityLine(
      'general',
      7,
      {
        kind: 'tool',
        tool: 'mcp__praktor__scheduled_task_create',
        input: { count: 2, name: 'daily report' },
      },
      mask,
    );
    expect(line.summary).toBe('daily report');
  });

  it('says of a retried API error the reason, the wait and the attempt', () => {
    const line = activityLine(
      'general',
      7,
      { kind: 'retry', attempt: 2, maxRetries: 10, delayMs: 1200, status: 529, error: 'overloaded' },
      mask,
    );
    expect(line).toMatchObject({ kind: 'retry', tool: null, detail: null });
    expect(line.summary).toBe(
      'The model API failed (overloaded, HTTP 529); retrying in 1 s, attempt 2 of 10',
    );
  });
});
