/**
 * Byte streams carried over the link (see link.ts): each end keeps a table of open streams, turns what is written
 * to a stream into `stream_data` messages, and feeds the messages it receives into the right stream. Used the same
 * way by the runner (the side that opens streams) and the gateway (the side that serves them).
 *
 * Flow control is by credit: a writer may have at most {@link STREAM_WINDOW_BYTES} of a stream in flight; the
 * reading end acknowledges bytes once its reader has taken them (`stream_ack`). A download faster than the agent
 * reads it, or a model answer faster than the link, then waits at its source instead of filling memory.
 */
import { Duplex } from 'node:stream';
import type { StreamAckMessage, StreamDataMessage, StreamEndMessage } from './link.js';

/** How many unacknowledged bytes one direction of one stream may have in flight. */
export const STREAM_WINDOW_BYTES = 1024 * 1024;

/** What the ends of a link say to each other about their streams. */
export type StreamMessage = StreamDataMessage | StreamAckMessage | StreamEndMessage;

/** The credit of an open stream, both ways. */
interface Credit {
  /** Bytes sent and not yet acknowledged by the other end. */
  inFlight: number;
  /** The write waiting for acknowledgements to bring `inFlight` under the window. */
  blockedWrite: (() => void) | null;
  /** Bytes received that the reader has taken but the other end has not been told about. */
  owed: number;
}

/** The open streams of one link. */
export class LinkStreams {
  private readonly streams = new Map<string, { stream: Duplex; credit: Credit }>();
  private closed = false;

  /** `send` puts a message on the link. */
  constructor(private readonly send: (message: StreamMessage) => void) {}

  /** A new stream with id `streamId`: what is written to it goes to the other end, what arrives can be read. */
  create(streamId: string): Duplex {
    let ended = false;
    const endOnce = (error: string | null) => {
      if (ended || this.closed) return;
      ended = true;
      this.send({ type: 'stream_end', streamId, error });
    };
    const credit: Credit = { inFlight: 0, blockedWrite: null, owed: 0 };
    const stream = new Duplex({
      // The reader wants more: whatever it took since the last acknowledgement may now be sent again.
      read: () => this.acknowledge(streamId, credit),
      write: (chunk: Buffer, _encoding, callback) => {
        if (this.closed) {
          callback();
          return;
        }
        this.send({ type: 'stream_data', streamId, data: chunk.toString('base64') });
        credit.inFlight += chunk.length;
        if (credit.inFlight <= STREAM_WINDOW_BYTES) callback();
        else credit.blockedWrite = () => callback();
      },
      final(callback) {
        endOnce(null);
        callback();
      },
      destroy: (err, callback) => {
        endOnce(err ? err.message : null);
        this.streams.delete(streamId);
        this.unblock(credit);
        callback(err);
      },
    });
    this.streams.set(streamId, { stream, credit });
    return stream;
  }

  /** Takes a stream message from the other end; one for a stream that is gone is dropped (it crossed our end). */
  receive(message: StreamMessage): void {
    const open = this.streams.get(message.streamId);
    if (!open) return;
    const { stream, credit } = open;
    if (message.type === 'stream_data') {
      const bytes = Buffer.from(message.data, 'base64');
      credit.owed += bytes.length;
      // Taken at once while the reader's buffer has room; otherwise acknowledged when the reader asks for more.
      if (stream.push(bytes)) this.acknowledge(message.streamId, credit);
      return;
    }
    if (message.type === 'stream_ack') {
      credit.inFlight = Math.max(0, credit.inFlight - message.bytes);
      if (credit.inFlight <= STREAM_WINDOW_BYTES) this.unblock(credit);
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
    for (const open of [...this.streams.values()]) open.stream.destroy(new Error(reason));
  }

  private acknowledge(streamId: string, credit: Credit): void {
    if (credit.owed === 0 || this.closed || !this.streams.has(streamId)) return;
    const bytes = credit.owed;
    credit.owed = 0;
    this.send({ type: 'stream_ack', streamId, bytes });
  }

  private unblock(credit: Credit): void {
    const write = credit.blockedWrite;
    credit.blockedWrite = null;
    write?.();
  }
}
