/**
 * Waiting in tests for something that happens on its own time (a page update, a status change) without sleeping
 * a fixed while: read again until the value is the one expected.
 */

/** How long to wait, and whether a timeout may print what was last read (not when it could hold a secret). */
export interface EventuallyOptions {
  /** Default 20 s. */
  timeoutMs?: number;
  /** Leave the last value out of the timeout's message. */
  quiet?: boolean;
}

/** Reads `read` until `check` accepts its value and returns that value; fails naming `what` after the timeout. */
export async function eventually<T>(
  what: string,
  read: () => Promise<T>,
  check: (value: T) => boolean,
  opts: EventuallyOptions = {},
): Promise<T> {
  const deadline = Date.now() + (opts.timeoutMs ?? 20_000);
  for (;;) {
    const last = await read();
    if (check(last)) return last;
    if (Date.now() > deadline) {
      const seen = opts.quiet ? '' : `; last seen: ${JSON.stringify(last)}`;
      throw new Error(`timed out waiting for ${what}${seen}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
