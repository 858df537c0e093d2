/**
 * Byte streams carried over the link (see link.ts): each end keeps a table of open streams, turns what is written
 * to a stream into `stream_data` messages, and feeds the messages it receives into the right stream. Used the same
 * way by the runner (the side that opens streams) and the gateway (the side that serves them).
 */
import { Duplex } from 'node:stream';
import type { StreamDataMessage, StreamEndMessage } from './link.js';

/** The open streams of one link. */
export class LinkStreams {
  private readonly streams = new Map<string, Duplex>();
  private closed = false;

  /** `send` puts a message on the link. */
  constructor(private readonly send: (message: StreamDataMessage | StreamEndMessage) => void) {}

  /** A new stream with id `streamId`: what is written to it goes to the other end, what arrives can be read. */
  create(streamId: string): Duplex {
    let ended = false;
    const endOnce = (error: string | null) => {
      if (ended || this.closed) return;
      ended = true;
      this.send({ type: 'stream_end', streamId, error });
    };
    const stream = new Duplex({
      read() {},
      write: (chunk: Buffer, _encoding, callback) => {
        if (!this.closed) this.send({ type: 'stream_data', streamId, data: chunk.toString('base64') });
        callback();
      },
      final(callback) {
        endOnce(null);
        callback();
      },
      destroy: (err, callback) => {
        endOnce(err ? err.message : null);
        this.streams.delete(streamId);
        callback(err);
      },
    });
    this.streams.set(streamId, stream);
    return stream;
  }

  /** Takes a stream message from the other end; one for a stream that is gone is dropped (it crossed our end). */
  receive(message: StreamDataMessage | StreamEndMessage): void {
    const stream = this.streams.get(message.streamId);
    if (!stream) return;
    if (message.type === 'stream_data') {
      stream.push(Buffer.from(message.data, 'base64'));
      return;
    }
    if (message.error !== null) {
      stream.destroy(new Error(message.error));
      return;
    }
    // Once both halves are done the stream destroys itself, which takes it out of the table.
    stream.push(null);
  }

  /** The link went away: ends every open stream with `reason`, sending nothing more. */
  destroyAll(reason: string): void {
    this.closed = true;
    for (const stream of [...this.streams.values()]) stream.destroy(new Error(reason));
  }
}
