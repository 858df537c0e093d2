import type { ModelRequest } from './types.js';

interface Waiter {
  pred: (r: ModelRequest) => boolean;
  resolve: (r: ModelRequest) => void;
  reject: (err: Error) => void;
  timer: NodeJS.Timeout;
}

function describe(r: ModelRequest): string {
  return `#${r.seq} ${r.kind} ${JSON.stringify(r.lastUserText.slice(0, 60))}`;
}

/** The requests received so far, and the tests waiting for particular ones. */
export class RequestRecorder {
  readonly requests: ModelRequest[] = [];
  private readonly waiters = new Set<Waiter>();

  record(req: ModelRequest): void {
    this.requests.push(req);
    for (const waiter of this.waiters) this.offer(waiter, req);
  }

  waitFor(pred: (r: ModelRequest) => boolean, timeoutMs: number): Promise<ModelRequest> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters.delete(waiter);
        const seen = this.requests.map(describe).join(', ') || 'none';
        reject(new Error(`No matching model request within ${timeoutMs} ms; received: ${seen}`));
      }, timeoutMs);
      const waiter: Waiter = { pred, resolve, reject, timer };
      this.waiters.add(waiter);
      for (const req of this.requests) {
        if (!this.waiters.has(waiter)) return;
        this.offer(waiter, req);
      }
    });
  }

  /** Fails every pending wait: no request can arrive any more. */
  rejectAll(reason: string): void {
    for (const waiter of this.waiters) this.settle(waiter, () => waiter.reject(new Error(reason)));
  }

  private offer(waiter: Waiter, req: ModelRequest): void {
    let matches: boolean;
    try {
      matches = waiter.pred(req);
    } catch (err) {
      this.settle(waiter, () => waiter.reject(err as Error));
      return;
    }
    if (matches) this.settle(waiter, () => waiter.resolve(req));
  }

  private settle(waiter: Waiter, finish: () => void): void {
    clearTimeout(waiter.timer);
    this.waiters.delete(waiter);
    finish();
  }
}
