import { ApiError } from './api-error.js';
import type { RecordedCall, SentMessage, TelegramFailure } from './types.js';

interface QueuedFailure {
  error: ApiError;
  remaining: number;
}

/** Everything the bot did, in order, plus the failures tests asked to inject. */
export class Recorder {
  readonly calls: RecordedCall[] = [];
  readonly sent: SentMessage[] = [];
  private seq = 0;
  // Keyed by lower-cased method name: Bot API method names are case-insensitive.
  private readonly failures = new Map<string, QueuedFailure[]>();

  /** Appends a call as it arrives; its response is filled in when answered. */
  record(call: Omit<RecordedCall, 'seq' | 'at' | 'response'>): RecordedCall {
    this.seq++;
    const recorded: RecordedCall = { seq: this.seq, at: Date.now(), ...call, response: undefined };
    this.calls.push(recorded);
    return recorded;
  }

  recordSent(message: Omit<SentMessage, 'at'>): void {
    this.sent.push({ ...message, at: Date.now() });
  }

  failNext(method: string, failure: TelegramFailure): void {
    const times = failure.times ?? 1;
    if (!Number.isInteger(times) || times < 1) {
      throw new Error(`failNext: times must be a positive integer, got ${times}`);
    }
    if (!Number.isInteger(failure.errorCode) || failure.errorCode < 400) {
      throw new Error(`failNext: errorCode must be an HTTP error status, got ${failure.errorCode}`);
    }
    // Telegram always tells a rate-limited client how long to wait.
    const retryAfter = failure.retryAfter ?? (failure.errorCode === 429 ? 1 : undefined);
    const key = method.toLowerCase();
    const queue = this.failures.get(key) ?? [];
    queue.push({ error: new ApiError(failure.errorCode, failure.description, retryAfter), remaining: times });
    this.failures.set(key, queue);
  }

  /** The injected failure for this call of `method`, if one is due. */
  takeFailure(method: string): ApiError | undefined {
    const queue = this.failures.get(method.toLowerCase());
    const next = queue?.[0];
    if (!queue || !next) return undefined;
    next.remaining--;
    if (next.remaining === 0) queue.shift();
    return next.error;
  }

  /** A one-line-per-call digest of the last calls, for timeout messages. */
  describeRecent(count: number): string {
    const recent = this.calls.slice(-count);
    if (recent.length === 0) return 'No API calls were made.';
    const lines = recent.map((call) => {
      const outcome =
        call.response === undefined
          ? 'pending'
          : call.response.ok
            ? 'ok'
            : `${call.response.error_code} ${call.response.description}`;
      return `  #${call.seq} ${call.method} ${JSON.stringify(call.params).slice(0, 160)} -> ${outcome}`;
    });
    return `Last ${recent.length} of ${this.calls.length} API calls:\n${lines.join('\n')}`;
  }
}
