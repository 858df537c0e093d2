/**
 * A Bot API that stopped answering: while stalled, requests are accepted and held, as a server that hangs would.
 */
export class Stall {
  private held: Set<() => void> | null = null;

  /** Holds every request from now on until {@link end}. */
  begin(): void {
    this.held ??= new Set();
  }

  /** Lets the held requests (and every later one) be answered. */
  end(): void {
    const held = this.held;
    this.held = null;
    for (const release of held ?? []) release();
  }

  /** Resolves at once when not stalled, else when the stall ends or the client gives up (`signal`). */
  wait(signal: AbortSignal): Promise<void> {
    const held = this.held;
    if (held === null || signal.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      const release = () => {
        held.delete(release);
        signal.removeEventListener('abort', release);
        resolve();
      };
      held.add(release);
      signal.addEventListener('abort', release);
    });
  }
}
