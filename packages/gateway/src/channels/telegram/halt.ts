/**
 * Ending every Telegram request at once: a stopping gateway cannot wait for a Bot API that does not answer.
 */
import type { Transformer } from 'grammy';

/** A switch that, once thrown, aborts every request made through its transformer, now and later. */
export class Halt {
  private readonly controller = new AbortController();
  private readonly inFlight = new Set<AbortController>();

  /** Aborts when the switch is thrown: for waits between attempts. */
  get signal(): AbortSignal {
    return this.controller.signal;
  }

  get thrown(): boolean {
    return this.controller.signal.aborted;
  }

  /**
   * The API transformer to install last (outermost), so waits between automatic retries end too. Each request gets
   * a signal of its own, aborted by the caller's signal or by {@link throwSwitch}.
   */
  readonly transformer: Transformer = async (prev, method, payload, signal) => {
    // grammY's own signals come from a polyfill that AbortSignal.any does not accept.
    const own = new AbortController();
    const follow = () => own.abort();
    if (this.thrown || signal?.aborted) own.abort();
    signal?.addEventListener('abort', follow);
    this.inFlight.add(own);
    try {
      // grammY types its signals as the polyfill's; at run time it takes any AbortSignal.
      return await prev(method, payload, own.signal as Parameters<typeof prev>[2]);
    } finally {
      this.inFlight.delete(own);
      signal?.removeEventListener('abort', follow);
    }
  };

  /** Aborts every request in flight and every later one. */
  throwSwitch(): void {
    this.controller.abort();
    for (const request of this.inFlight) request.abort();
    this.inFlight.clear();
  }
}
