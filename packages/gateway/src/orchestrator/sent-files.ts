/**
 * The bytes of files agents send with `file_send`, as they cross the link: the runner opens a `file` stream, names it
 * in its `file_send` call and writes the file to it; the call takes the stream from here and reads it, never holding
 * more than the limit.
 *
 * Why a stream of its own rather than the bytes inside the call: a call is one JSON line, which both ends hold whole
 * (a third bigger as base64) and which holds up every other message of the link while it passes. A stream goes in
 * pieces under the link's flow control. Until its call takes it, a stream is not read, so the runner's writes wait
 * at the link's window (1 MiB) rather than in the gateway's memory; one that no call takes is closed after a while.
 */
import type { Duplex } from 'node:stream';
import { formatBytes } from '@praktor/protocol';

/** How long an opened file stream waits for its call; the runner sends the call right after opening it. */
const CLAIM_WITHIN_MS = 60_000;

/**
 * How many file streams one agent may have waiting for their calls. A runner sends one file at a time per tool
 * call; the bound keeps a runner that opens streams and never names them from parking a window of bytes each.
 */
export const MAX_WAITING_PER_AGENT = 4;

/** File streams the agents' runners opened, waiting for the `file_send` call that names them. */
export class SentFileStreams {
  private readonly waiting = new Map<string, { stream: Duplex; timer: NodeJS.Timeout }>();

  /** `limit`: the most bytes a file may have. */
  constructor(
    private readonly limit: number,
    private readonly claimWithinMs = CLAIM_WITHIN_MS,
  ) {}

  /** Keeps the file stream `streamId` that `agentId`'s runner opened until a call takes it. */
  offer(agentId: string, streamId: string, stream: Duplex): void {
    // A stream that fails before its call takes it, or is refused here, is simply gone: the call then says so.
    stream.on('error', () => {});
    const key = keyOf(agentId, streamId);
    if (this.waiting.has(key)) {
      stream.destroy(new Error(`a file stream ${streamId} is open already`));
      return;
    }
    const prefix = keyOf(agentId, '');
    const waitingForAgent = [...this.waiting.keys()].filter((k) => k.startsWith(prefix)).length;
    if (waitingForAgent >= MAX_WAITING_PER_AGENT) {
      stream.destroy(
        new Error(`${MAX_WAITING_PER_AGENT} files of this agent are waiting to be sent already`),
      );
      return;
    }
    const timer = setTimeout(
      () => stream.destroy(new Error('no file_send call named this file stream')),
      this.claimWithinMs,
    );
    timer.unref();
    this.waiting.set(key, { stream, timer });
    // Ended early (its runner gone, its timer run out): nothing is left to take.
    stream.once('close', () => {
      if (this.waiting.get(key)?.stream !== stream) return;
      clearTimeout(timer);
      this.waiting.delete(key);
    });
  }

  /** Closes `agentId`'s file stream `streamId` unread, telling its runner `why`. */
  refuse(agentId: string, streamId: string, why: string): void {
    this.waiting.get(keyOf(agentId, streamId))?.stream.destroy(new Error(why));
  }

  /**
   * The bytes of `agentId`'s file stream `streamId`, for the file `name`. Rejects, with a message for the agent,
   * when there is no such stream, when it carries more than the limit (which ends it with the same message) and
   * when it breaks off.
   */
  take(agentId: string, streamId: string, name: string): Promise<Buffer> {
    const key = keyOf(agentId, streamId);
    const waiting = this.waiting.get(key);
    this.waiting.delete(key);
    if (waiting) clearTimeout(waiting.timer);
    // One that has ended early but not yet closed counts as gone as well.
    if (!waiting || waiting.stream.destroyed)
      return Promise.reject(new Error(`the bytes of ${name} did not reach the gateway`));
    return readAtMost(waiting.stream, this.limit, name);
  }
}

function keyOf(agentId: string, streamId: string): string {
  return `${agentId}\n${streamId}`;
}

/** Reads `stream` to its end, or ends it with an error that names the limit once it carries more than `limit`. */
function readAtMost(stream: Duplex, limit: number, name: string): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    let chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    const settle = (outcome: () => void) => {
      if (settled) return;
      settled = true;
      outcome();
    };
    stream.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= limit) {
        chunks.push(chunk);
        return;
      }
      chunks = [];
      stream.destroy(
        new Error(`${name} is over ${formatBytes(limit)}; a file may be at most ${formatBytes(limit)}`),
      );
    });
    stream.once('end', () => {
      // The file is whole: the stream's other half, which carries nothing, closes too.
      stream.destroy();
      settle(() => resolve(Buffer.concat(chunks, size)));
    });
    stream.once('error', (err) => settle(() => reject(err)));
    stream.once('close', () => settle(() => reject(new Error(`the bytes of ${name} stopped coming`))));
  });
}
