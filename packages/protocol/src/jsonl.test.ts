import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { type LineError, readLines, writeLine } from './jsonl.js';
import { RunnerToGateway } from './link.js';

function collect(input: PassThrough) {
  const messages: RunnerToGateway[] = [];
  const errors: LineError[] = [];
  let ended = false;
  readLines(input, RunnerToGateway, {
    onMessage: (m) => messages.push(m),
    onError: (e) => errors.push(e),
    onEnd: () => {
      ended = true;
    },
  });
  return { messages, errors, isEnded: () => ended };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('readLines', () => {
  it('reads a message split across chunks, even inside a multi-byte character', async () => {
    const input = new PassThrough();
    const got = collect(input);
    const bytes = Buffer.from(`${JSON.stringify({ type: 'delta', turnId: '1', text: 'καλημέρα 👋' })}\n`);
    input.write(bytes.subarray(0, 40));
    input.write(bytes.subarray(40));
    await tick();
    expect(got.messages).toEqual([{ type: 'delta', turnId: '1', text: 'καλημέρα 👋' }]);
  });

  it('reports a line that is not JSON and goes on reading', async () => {
    const input = new PassThrough();
    const got = collect(input);
    input.write('oops\n{"type":"session","sessionId":"s"}\n');
    await tick();
    expect(got.errors.map((e) => e.message)).toEqual(['not JSON']);
    expect(got.messages).toEqual([{ type: 'session', sessionId: 's' }]);
  });

  it('names the field of a message that does not match the schema', async () => {
    const input = new PassThrough();
    const got = collect(input);
    input.write('{"type":"session","sessionId":5}\n');
    await tick();
    expect(got.errors[0]?.message).toMatch(/at sessionId/);
  });

  it('reads a last line without a newline when the stream ends', async () => {
    const input = new PassThrough();
    const got = collect(input);
    input.end('{"type":"fatal","message":"bye"}');
    await tick();
    expect(got.messages).toEqual([{ type: 'fatal', message: 'bye' }]);
    expect(got.isEnded()).toBe(true);
  });
});

describe('writeLine', () => {
  it('writes one JSON object per line', async () => {
    const out = new PassThrough();
    writeLine(out, { type: 'abort' });
    writeLine(out, { type: 'reset' });
    expect(out.read().toString()).toBe('{"type":"abort"}\n{"type":"reset"}\n');
  });

  it('refuses to write to an ended stream', () => {
    const out = new PassThrough();
    out.end();
    expect(writeLine(out, { type: 'abort' })).toBe(false);
  });
});
