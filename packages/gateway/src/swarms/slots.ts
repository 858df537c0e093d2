/**
 * Room for swarm members: at most `limit()` run at once, across all swarms; the rest wait their turn, first come
 * first served, and a waiter whose run is stopped leaves the queue.
 */

/** A counting semaphore whose limit is read when a slot is asked for (the configuration can change). */
export class Slots {
  private used = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(private readonly limit: () => number) {}

  /** Waits for a slot; resolves with the function that gives it back, or null when `signal` aborted first. */
  async acquire(signal: AbortSignal): Promise<(() => void) | null> {
    while (this.used >= Math.max(1, this.limit())) {
      if (signal.aborted) return null;
      await new Promise<void>((resolve) => {
        const wake = () => {
          signal.removeEventListener('abort', wake);
          const i = this.waiting.indexOf(wake);
          if (i >= 0) this.waiting.splice(i, 1);
          resolve();
        };
        this.waiting.push(wake);
        signal.addEventListener('abort', wake);
      });
    }
    if (signal.aborted) return null;
    this.used++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.used--;
      this.waiting[0]?.();
    };
  }
}
