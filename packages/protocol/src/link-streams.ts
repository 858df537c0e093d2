/**
 * Byte streams carried over the link (see link.ts): each end keeps a table of open streams, turns what is written
 * to a stream into `stream_data` messages, and feeds the messages it receives into the right stream. Used the same
 * way by the runner (the side that opens streams) and the gateway (the side that serves them).
 *
 * Flow control is by credit: a writer may have at most {@link STREAM_WINDOW_BYTES} of a stream in flight; the
 * reading end acknowledges bytes once its reader has taken them (`stream_ack`). A download faster than the agent
 * reads it, or a model answer faster than the link, then waits at its source instead of filling memory.
 *
 * Closing: `end()` ends one direction (`stream_end`); an error ends both (`stream_end` with it). A stream destroyed
 * without an error keeps what it wrote (the other end still reads it to its end) but tells the other end it reads
 * no more (`stream_drop`), so a writer there never waits for acknowledgements that cannot come.
 */
import { Duplex } from 'node:stream';
import type { StreamAckMessage, StreamDataMessage, StreamDropMessage, StreamEndMessage } from './link.js';

/** How many unacknowledged bytes one direction of one stream may have in flight. */
export const STREAM_WINDOW_BYTES = 1024 * 1024;

/** What the ends of a link say to each other about their streams. */
export type StreamMessage = StreamDataMessage | StreamAckMessage | StreamDropMessage | StreamEndMessage;

/** What one end knows of an open stream. */
interface StreamState {
  /** Bytes sent and not yet acknowledged by the other end. */
  inFlight: number;
  /** The write waiting for acknowledgements to bring `inFlight` under the window. */
  blockedWrite: (() => void) | null;
  /** Bytes received that the reader has taken but the other end has not been told about. */
  owed: number;
  /** This end has sent `stream_end`. */
  ended: boolean;
  /** The other end reads no more: what is written now goes nowhere. */
  dropped: boolean;
  /** The other end ended the stream with an error, and needs telling nothing more. */
  failed: boolean;
}

/** The open streams of one link. */
export class LinkStreams {
  private readonly streams = new Map<string, { stream: Duplex; state: StreamState }>();
  private closed = false;

  /** `send` puts a message on the link. */
  constructor(private readonly send: (message: StreamMessage) => void) {}

  /** A new stream with id `streamId`: what is written to it goes to the other end, what arrives can be read. */
  create(streamId: string): Duplex {
    const state: StreamState = {
      inFlight: 0,
      blockedWrite: null,
      owed: 0,
      ended: false,
      dropped: false,
      failed: false,
    };
    // A clean end is said once; an error ends both directions, so it is said even after a clean end of ours.
    const end = (error: string | null) => {
      if ((state.ended && error === null) || state.failed || this.closed) return;
      state.ended = true;
      this.send({ type: 'stream_end', streamId, error });
    };
    const stream: Duplex = new Duplex({
      // The reader wants more: whatever it took since the last acknowledgement may now be sent again.
      read: () => this.acknowledge(streamId, state),
      write: (chunk: Buffer, _encoding, callback) => {
        if (this.closed || state.dropped) {
          callback();
          return;
        }
        this.send({ type: 'stream_data', streamId, data: chunk.toString('base64') });
        state.inFlight += chunk.length;
        if (state.inFlight <= STREAM_WINDOW_BYTES) callback();
        else state.blockedWrite = () => callback();
      },
      final(callback) {
        end(null);
        callback();
      },
      destroy: (err, callback) => {
        if (err) end(err.message);
        else {
          end(null);
          if (!stream.readableEnded && !state.failed && !this.closed) {
            this.send({ type: 'stream_drop', streamId });
          }
        }
        this.streams.delete(streamId);
        this.unblock(state);
        callback(err);
      },
    });
    this.streams.set(streamId, { stream, state });
    return stream;
  }

  /**
   * Takes a stream message from the other end. Data for a stream that is gone is answered with a drop, so a sender
   * that missed ours stops waiting for acknowledgements; anything else for it is dropped (it crossed our end).
   */
  receive(message: StreamMessage): void {
    const open = this.streams.get(message.streamId);
    if (!open) {
      if (message.type === 'stream_data' && !this.closed) {
        this.send({ type: 'stream_drop', streamId: message.streamId });
      }
      return;
    }
    const { stream, state } = open;
    switch (message.type) {
      case 'stream_data': {
        const bytes = Buffer.from(message.data, 'base64');
        state.owed += bytes.length;
        // Taken at once while the reader's buffer has room; otherwise acknowledged when the reader asks for more.
        if (stream.push(bytes)) this.acknowledge(message.streamId, state);
        return;
      }
      case 'stream_ack':
        state.inFlight = Math.max(0, state.inFlight - message.bytes);
        if (state.inFlight <= STREAM_WINDOW_BYTES) this.unblock(state);
        return;
      case 'stream_drop':
        state.dropped = true;
        this.unblock(state);
        // Let go once what the other end wrote before is read (its end came before its drop).
        if (stream.readableEnded) stream.destroy();
        else stream.once('end', () => stream.destroy());
        return;
      case 'stream_end':
        if (message.error !== null) {
          state.failed = true;
          stream.destroy(new Error(message.error));
          return;
        }
        // Once both halves are done the stream destroys itself, which takes it out of the table.
        stream.push(null);
    }
  }

  /** The link went away: ends every open stream with `reason`, sending nothing more. */
  destroyAll(reason: string): void {
    this.closed = true;
    for (const open of [...this.streams.values()]) open.stream.destroy(new Error(reason));
  }

  private acknowledge(streamId: string, state: StreamState): void {
    if (state.owed === 0 || this.closed || !this.streams.has(streamId)) return;
    const bytes = state.owed;
    state.owed = 0;
    this.send({ type: 'stream_ack', streamId, bytes });
  }

  private unblock(state: StreamState): void {
    const write = state.blockedWrite;
    state.blockedWrite = null;
    write?.();
  }
}
