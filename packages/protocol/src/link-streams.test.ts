import type { Duplex } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { LinkStreams, type StreamMessage as Message, STREAM_WINDOW_BYTES } from './link-streams.js';

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

  it('answers data for a stream it does not know with a drop, and ignores the rest', () => {
    const sent: Message[] = [];
    const streams = new LinkStreams((message) => sent.push(message));
    streams.receive({ type: 'stream_data', streamId: 'nope', data: 'AA==' });
    streams.receive({ type: 'stream_ack', streamId: 'nope', bytes: 1 });
    streams.receive({ type: 'stream_end', streamId: 'nope', error: null });
    expect(sent).toEqual([{ type: 'stream_drop', streamId: 'nope' }]);
  });

  it('releases a writer waiting for credit when the other end lets go of the stream, and lets go of it too', async () => {
    const { a, b } = pair();
    const writer = a.create('1');
    const reader = b.create('1');
    reader.pause();
    const released = new Promise((resolve) => writer.write(Buffer.alloc(STREAM_WINDOW_BYTES + 1), resolve));
    await new Promise((resolve) => setTimeout(resolve, 20));
    reader.destroy();
    await released;
    const closed = new Promise((resolve) => writer.once('close', resolve));
    writer.resume();
    await closed;
    expect(writer.destroyed).toBe(true);
  });

  it('keeps what it wrote when it lets go: the other end reads it to its end', async () => {
    const { a, b } = pair();
    const leaving = a.create('1');
    const staying = b.create('1');
    const read = readAll(staying);
    leaving.write('last words');
    leaving.destroy();
    expect((await read).toString()).toBe('last words');
  });

  it('says nothing more when both directions finished before it closes', async () => {
    const sent: Message[] = [];
    const streams = new LinkStreams((message) => sent.push(message));
    const stream = streams.create('5');
    const closed = new Promise((resolve) => stream.on('close', resolve));
    stream.resume();
    streams.receive({ type: 'stream_end', streamId: '5', error: null });
    stream.end();
    await closed;
    expect(sent).toEqual([{ type: 'stream_end', streamId: '5', error: null }]);
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

  it('stops a writer once a window of bytes is unread at the other end, and lets it on as the reader takes them', async () => {
    const { a, b } = pair();
    const writer = a.create('1');
    const reader = b.create('1');
    reader.pause();
    const chunk = Buffer.alloc(64 * 1024, 1);
    let written = 0;
    const wrote = async (until: number) => {
      while (written < until) {
        const more = writer.write(chunk);
        written += chunk.length;
        if (!more) await new Promise((resolve) => writer.once('drain', resolve));
      }
    };
    const writing = wrote(4 * STREAM_WINDOW_BYTES);
    await new Promise((resolve) => setTimeout(resolve, 50));
    // Held back: about one window crossed the link, the rest waits at the writer.
    expect(written).toBeLessThan(2 * STREAM_WINDOW_BYTES);
    const all = readAll(reader);
    reader.resume();
    await writing;
    writer.end();
    expect((await all).length).toBe(4 * STREAM_WINDOW_BYTES);
  });

  it('acknowledges only what its reader has taken', async () => {
    const sent: Message[] = [];
    const streams = new LinkStreams((message) => sent.push(message));
    const stream = streams.create('3');
    stream.pause();
    const data = Buffer.alloc(STREAM_WINDOW_BYTES, 2).toString('base64');
    streams.receive({ type: 'stream_data', streamId: '3', data });
    expect(sent).toEqual([]);
    stream.read();
    await new Promise((resolve) => setImmediate(resolve));
    expect(sent).toEqual([{ type: 'stream_ack', streamId: '3', bytes: STREAM_WINDOW_BYTES }]);
  });

  it('releases a write held back by the window when its stream is destroyed', async () => {
    const sent: Message[] = [];
    const streams = new LinkStreams((message) => sent.push(message));
    const stream = streams.create('4');
    stream.on('error', () => {});
    const done = new Promise<unknown>((resolve) =>
      stream.write(Buffer.alloc(STREAM_WINDOW_BYTES + 1), resolve),
    );
    stream.destroy(new Error('gone'));
    await expect(done).resolves.toBeNull();
  });
});
