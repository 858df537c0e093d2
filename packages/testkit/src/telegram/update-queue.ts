import { ApiError } from './api-error.js';
import type { TgUpdate } from './types.js';

/** Update types Telegram leaves out unless allowed_updates names them. */
const OPT_IN_TYPES = new Set(['chat_member', 'message_reaction', 'message_reaction_count']);

/** Parameters of one getUpdates call. */
export interface PollRequest {
  offset: number | undefined;
  limit: number;
  timeoutSeconds: number;
  /** Undefined keeps the previous setting, [] resets to the default, like Telegram. */
  allowedUpdates: string[] | undefined;
}

interface Waiter {
  request: PollRequest;
  resolve(updates: TgUpdate[]): void;
  reject(error: ApiError): void;
  timer: NodeJS.Timeout;
}

function updateType(update: TgUpdate): string | undefined {
  return Object.keys(update).find((key) => key !== 'update_id');
}

/**
 * Telegram's pending-update queue for one bot: ids from 1, updates kept until a later offset
 * confirms them, one long poll at a time (a newer poll ends the older with 409).
 */
export class UpdateQueue {
  private pending: TgUpdate[] = [];
  private nextId = 1;
  private allowed: Set<string> | undefined;
  private waiter: Waiter | undefined;

  /** Queues an update, assigning its id, and wakes a waiting long poll. */
  push(payload: Record<string, unknown>): number {
    const update: TgUpdate = { update_id: this.nextId++, ...payload };
    this.pending.push(update);
    const waiter = this.waiter;
    if (waiter) {
      const ready = this.deliverable(waiter.request.limit);
      if (ready.length > 0) this.settle(waiter, ready);
    }
    return update.update_id;
  }

  /** Answers a getUpdates call; aborting the signal (client gone) ends the wait without an answer. */
  poll(request: PollRequest, signal: AbortSignal): Promise<TgUpdate[]> {
    if (this.waiter) {
      this.settleWithError(
        this.waiter,
        new ApiError(
          409,
          'Conflict: terminated by other getUpdates request; make sure that only one bot instance is running',
        ),
      );
    }
    this.confirm(request.offset);
    if (request.allowedUpdates !== undefined) {
      this.allowed = request.allowedUpdates.length > 0 ? new Set(request.allowedUpdates) : undefined;
    }

    const ready = this.deliverable(request.limit);
    if (ready.length > 0 || request.timeoutSeconds <= 0 || signal.aborted) return Promise.resolve(ready);

    return new Promise<TgUpdate[]>((resolve, reject) => {
      const waiter: Waiter = {
        request,
        resolve,
        reject,
        timer: setTimeout(() => this.settle(waiter, []), request.timeoutSeconds * 1000),
      };
      this.waiter = waiter;
      signal.addEventListener('abort', () => this.settle(waiter, []), { once: true });
    });
  }

  /** deleteWebhook with drop_pending_updates. */
  dropPending(): void {
    this.pending = [];
  }

  /** Ends the pending long poll with an empty batch (server shutdown). */
  releaseAll(): void {
    if (this.waiter) this.settle(this.waiter, []);
  }

  private confirm(offset: number | undefined): void {
    if (offset === undefined || offset === 0) return;
    if (offset > 0) {
      this.pending = this.pending.filter((update) => update.update_id >= offset);
    } else {
      // A negative offset keeps only the last -offset updates and forgets the rest.
      this.pending = this.pending.slice(offset);
    }
  }

  // Updates of types the bot did not ask for would never have been created; drop them.
  private deliverable(limit: number): TgUpdate[] {
    this.pending = this.pending.filter((update) => this.isAllowed(updateType(update)));
    return this.pending.slice(0, limit);
  }

  private isAllowed(type: string | undefined): boolean {
    if (type === undefined) return true;
    return this.allowed ? this.allowed.has(type) : !OPT_IN_TYPES.has(type);
  }

  private settle(waiter: Waiter, updates: TgUpdate[]): void {
    if (this.waiter !== waiter) return;
    this.waiter = undefined;
    clearTimeout(waiter.timer);
    waiter.resolve(updates);
  }

  private settleWithError(waiter: Waiter, error: ApiError): void {
    if (this.waiter !== waiter) return;
    this.waiter = undefined;
    clearTimeout(waiter.timer);
    waiter.reject(error);
  }
}
