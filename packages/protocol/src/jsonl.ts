/**
 * JSON lines over a byte stream: every message is one line of JSON, validated against a schema on arrival.
 */
import type { Readable, Writable } from 'node:stream';
import type { z } from 'zod';

/** A line that could not be read as a valid message; the text is kept (truncated) so the error can be shown. */
export class LineError extends Error {
  constructor(
    message: string,
    readonly line: string,
  ) {
    super(message);
    this.name = 'LineError';
  }
}

/** Lines longer than this are refused: a runner has no reason to send megabytes in one message. */
const MAX_LINE_BYTES = 16 * 1024 * 1024;

/**
 * Reads `input` line by line and hands each valid message to `onMessage`; invalid lines go to `onError`
 * (a peer speaking garbage is reported, never silently skipped). Calls `onEnd` once when the stream ends.
 */
export function readLines<S extends z.ZodType>(
  input: Readable,
  schema: S,
  handlers: { onMessage: (msg: z.infer<S>) => void; onError: (err: LineError) => void; onEnd?: () => void },
): void {
  let pending = '';
  input.setEncoding('utf8');
  input.on('data', (chunk: string) => {
    pending += chunk;
    let newline = pending.indexOf('\n');
    while (newline >= 0) {
      const line = pending.slice(0, newline);
      pending = pending.slice(newline + 1);
      if (line.trim() !== '') handleLine(line, schema, handlers);
      newline = pending.indexOf('\n');
    }
    if (pending.length > MAX_LINE_BYTES) {
      handlers.onError(new LineError('line too long', pending.slice(0, 200)));
      pending = '';
    }
  });
  input.on('end', () => {
    if (pending.trim() !== '') handleLine(pending, schema, handlers);
    pending = '';
    handlers.onEnd?.();
  });
}

function handleLine<S extends z.ZodType>(
  line: string,
  schema: S,
  handlers: { onMessage: (msg: z.infer<S>) => void; onError: (err: LineError) => void },
): void {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    handlers.onError(new LineError('not JSON', line.slice(0, 200)));
    return;
  }
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue && issue.path.length > 0 ? ` at ${issue.path.join('.')}` : '';
    handlers.onError(
      new LineError(`invalid message${where}: ${issue?.message ?? 'unknown'}`, line.slice(0, 200)),
    );
    return;
  }
  handlers.onMessage(parsed.data);
}

/** Writes one message as a line. Returns false when the peer is gone. */
export function writeLine(output: Writable, message: unknown): boolean {
  if (output.destroyed || output.writableEnded) return false;
  output.write(`${JSON.stringify(message)}\n`);
  return true;
}
