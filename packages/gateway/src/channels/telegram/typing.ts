/**
 * The typing indicator: Telegram shows "typing…" for about five seconds per chat action, so it is renewed while an
 * agent works on a message from that chat.
 */

const RENEW_MS = 4_000;

/** Keeps "typing…" on in chats while messages from them are being answered. */
export class TypingIndicator {
  private readonly loops = new Map<number, NodeJS.Timeout>();

  constructor(
    private readonly send: (chatId: string) => Promise<unknown>,
    /** Told of the first failure for each message; "typing…" is a courtesy, so the answer goes on regardless. */
    private readonly onFailure: (err: unknown, chatId: string) => void,
  ) {}

  /** Starts showing "typing…" in `chatId` for the message `messageId` until {@link stop}. */
  start(messageId: number, chatId: string): void {
    if (this.loops.has(messageId)) return;
    let failed = false;
    const tick = () =>
      void this.send(chatId).catch((err: unknown) => {
        // Renewed every few seconds: the same failure would otherwise be reported again at each renewal.
        if (failed) return;
        failed = true;
        this.onFailure(err, chatId);
      });
    tick();
    const timer = setInterval(tick, RENEW_MS);
    timer.unref();
    this.loops.set(messageId, timer);
  }

  /** Stops the indicator for `messageId`. */
  stop(messageId: number): void {
    const timer = this.loops.get(messageId);
    if (timer) clearInterval(timer);
    this.loops.delete(messageId);
  }

  /** Stops every indicator. */
  stopAll(): void {
    for (const timer of this.loops.values()) clearInterval(timer);
    this.loops.clear();
  }
}
