import { randomBytes } from 'node:crypto';
import { type Duplex, Readable } from 'node:stream';
import { LinkStreams, type StreamMessage } from '@praktor/protocol/link-streams';
import { describe, expect, it } from 'vitest';
import { MAX_WAITING_PER_AGENT, SentFileStreams } from './sent-files.js';

const MB = 1024 * 1024;

/** A runner's stream and the gateway's end of it, joined as a link joins them, the gateway's end offered to `files`. */
function openFileStream(files: SentFileStreams, agentId = 'general', streamId = 'file-1') {
  const ends: { runner: LinkStreams; gateway: LinkStreams } = {} as never;
  ends.runner = new LinkStreams((m: StreamMessage) => queueMicrotask(() => ends.gateway.receive(m)));
  ends.gateway = new LinkStreams((m: StreamMessage) => queueMicrotask(() => ends.runner.receive(m)));
  const runner = ends.runner.create(streamId);
  // As in the runner, which hears how the file went from the call's reply.
  runner.on('error', () => {});
  const gateway = ends.gateway.create(streamId);
  files.offer(agentId, streamId, gateway);
  return { runner, gateway };
}

/** Writes `bytes` to `stream` in 64 KiB pieces, as a file read would, and ends it; resolves with how that went. */
function write(stream: Duplex, bytes: Buffer): Promise<string> {
  const pieces: Buffer[] = [];
  for (let at = 0; at < bytes.length; at += 64 * 1024) pieces.push(bytes.subarray(at, at + 64 * 1024));
  return new Promise((resolve) => {
    stream.once('error', (err) => resolve(err.message));
    stream.once('finish', () => resolve('written'));
    Readable.from(pieces).pipe(stream);
  });
}

describe('SentFileStreams', () => {
  it('gives the call the bytes of the stream it names, whole', async () => {
    const files = new SentFileStreams(4 * MB);
    const { runner } = openFileStream(files);
    const bytes = randomBytes(3 * MB);
    const [written, taken] = await Promise.all([
      write(runner, bytes),
      files.take('general', 'file-1', 'chart.png'),
    ]);
    expect(written).toBe('written');
    expect(taken.equals(bytes)).toBe(true);
  });

  it('reads nothing before the call takes the stream: the writer waits at the link window', async () => {
    const files = new SentFileStreams(8 * MB);
    const { runner, gateway } = openFileStream(files);
    let done = false;
    const writing = write(runner, randomBytes(4 * MB)).finally(() => {
      done = true;
    });
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(done).toBe(false);
    expect(gateway.readableLength).toBeLessThanOrEqual(2 * MB);
    expect((await files.take('general', 'file-1', 'big.bin')).length).toBe(4 * MB);
    expect(await writing).toBe('written');
  });

  it('refuses a stream that carries more than the limit, naming the limit, and ends it for the writer', async () => {
    const files = new SentFileStreams(2 * MB);
    const { runner } = openFileStream(files);
    const [written, taken] = await Promise.all([
      write(runner, randomBytes(3 * MB)),
      files.take('general', 'file-1', 'huge.bin').catch((err: Error) => err.message),
    ]);
    expect(taken).toBe('huge.bin is over 2 MB; a file may be at most 2 MB');
    expect(written).toBe('huge.bin is over 2 MB; a file may be at most 2 MB');
  });

  it('refuses a call that names a stream its agent never opened', async () => {
    const files = new SentFileStreams(MB);
    openFileStream(files, 'general', 'file-1');
    await expect(files.take('coder', 'file-1', 'a.txt')).rejects.toThrow(
      'the bytes of a.txt did not reach the gateway',
    );
    await expect(files.take('general', 'file-2', 'a.txt')).rejects.toThrow(
      'the bytes of a.txt did not reach the gateway',
    );
  });

  it('fails the call when the writer breaks the stream off, with its reason', async () => {
    const files = new SentFileStreams(MB);
    const { runner } = openFileStream(files);
    const taken = files.take('general', 'file-1', 'a.txt');
    runner.write(Buffer.from('half a file'));
    runner.destroy(new Error('EIO: i/o error, read'));
    await expect(taken).rejects.toThrow('EIO: i/o error, read');
  });

  it('closes a stream no call takes in time, telling the writer, and forgets it', async () => {
    const files = new SentFileStreams(MB, 50);
    const { runner } = openFileStream(files);
    expect(await write(runner, randomBytes(2 * MB))).toBe('no file_send call named this file stream');
    await expect(files.take('general', 'file-1', 'late.bin')).rejects.toThrow(
      'the bytes of late.bin did not reach the gateway',
    );
  });

  it('closes a refused stream unread, telling the writer why', async () => {
    const files = new SentFileStreams(MB);
    const { runner } = openFileStream(files);
    const writing = write(runner, randomBytes(2 * MB));
    files.refuse('general', 'file-1', 'there is no chat to send the file to');
    expect(await writing).toBe('there is no chat to send the file to');
    await expect(files.take('general', 'file-1', 'a.bin')).rejects.toThrow('did not reach the gateway');
  });

  it('refuses a stream beyond the few one agent may have waiting, and counts each agent apart', async () => {
    const files = new SentFileStreams(MB);
    for (let i = 1; i <= MAX_WAITING_PER_AGENT; i++) openFileStream(files, 'general', `file-${i}`);
    const { runner } = openFileStream(files, 'general', 'one-too-many');
    const refused = new Promise<string>((resolve) => runner.once('error', (err) => resolve(err.message)));
    runner.write('x');
    expect(await refused).toBe(`${MAX_WAITING_PER_AGENT} files of this agent are waiting to be sent already`);
    const other = openFileStream(files, 'coder', 'file-1');
    const [written, taken] = await Promise.all([
      write(other.runner, Buffer.from('fine')),
      files.take('coder', 'file-1', 'fine.txt'),
    ]);
    expect([written, taken.toString()]).toEqual(['written', 'fine']);
  });
});
