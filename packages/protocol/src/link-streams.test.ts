import type { Duplex } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { StreamDataMessage, StreamEndMessage } from './link.js';
import { LinkStreams } from './link-streams.js';

type Message = StreamDataMessage | StreamEndMessage;

/** Two ends joined as a link would join them: each one's messages are the other's input. */
function pair() {
  const ends: { a: LinkStreams; b: LinkStreams } = {} as never;
  ends.a = new LinkStreams((message: Message) => queueMicrotask(() => ends.b.receive(message)));
  ends.b = new LinkStreams((message: Message) => queueMicrotask(() => ends.a.receive(message)));
  return ends;
}

function readAll(stream: Duplex): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    stream.on('data', (chunk: Buffer) => chunks.push(chunk));
    stream.on('end', () => resolve(Buffer.concat(chunks)));
    stream.on('error', reject);
  });
}

describe('LinkStreams', () => {
  it('carries bytes both ways, binary included, and ends each direction on its own', async () => {
    const { a, b } = pair();
    const left = a.create('1');
    const right = b.create('1');
    const fromLeft = readAll(right);
    const fromRight = readAll(left);
    left.end(Buffer.from([0, 255, 10, 13]));
    right.write('answer ');
    right.end('done');
    expect(await fromLeft).toEqual(Buffer.from([0, 255, 10, 13]));
    expect((await fromRight).toString()).toBe('answer done');
  });

  it('ends the other side with the error when one side fails', async () => {
    const { a, b } = pair();
    const left = a.create('1');
    const right = b.create('1');
    const failed = new Promise<string>((resolve) => right.on('error', (err) => resolve(err.message)));
    const own = new Promise<string>((resolve) => left.on('error', (err) => resolve(err.message)));
    left.destroy(new Error('upstream refused'));
    expect(await own).toBe('upstream refused');
    expect(await failed).toBe('upstream refused');
  });

  it('drops messages for a stream it does not know', () => {
    const sent: Message[] = [];
    const streams = new LinkStreams((message) => sent.push(message));
    expect(() => streams.receive({ type: 'stream_data', streamId: 'nope', data: 'AA==' })).not.toThrow();
    expect(sent).toEqual([]);
  });

  it('ends every stream when the link goes away, and sends nothing more', async () => {
    const sent: Message[] = [];
    const streams = new LinkStreams((message) => sent.push(message));
    const stream = streams.create('7');
    const failed = new Promise<string>((resolve) => stream.on('error', (err) => resolve(err.message)));
    streams.destroyAll('the sandbox stopped');
    expect(await failed).toBe('the sandbox stopped');
    stream.write('late');
    expect(sent).toEqual([]);
  });
});
