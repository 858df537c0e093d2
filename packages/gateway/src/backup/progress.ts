/**
 * The progress line of `praktor backup` and `praktor restore`: bytes so far, the rate and, when the total is
 * known, how far along; redrawn at most ten times a second on a terminal, and nothing at all elsewhere (logs and
 * cron jobs get only the final summary).
 */

/** Bytes in the units people read: 1536 → "1.5 KB" (1024-based, as the original). */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} bytes`;
  const units = ['KB', 'MB', 'GB', 'TB'];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${value.toFixed(1)} ${units[unit]}`;
}

const REDRAW_MS = 100;
const BAR_WIDTH = 24;

/** A progress line on `out` when it is a terminal; silent otherwise. */
export class Progress {
  private bytes = 0;
  private lastDraw = 0;
  private readonly startedAt = Date.now();
  private readonly tty: boolean;

  constructor(
    private readonly out: NodeJS.WritableStream & { isTTY?: boolean },
    private readonly label: string,
    private readonly total: number | null = null,
  ) {
    this.tty = out.isTTY === true;
  }

  /** Counts `n` more bytes. */
  add = (n: number): void => {
    this.bytes += n;
    if (!this.tty) return;
    const now = Date.now();
    if (now - this.lastDraw < REDRAW_MS) return;
    this.lastDraw = now;
    this.draw(now);
  };

  /** Clears the line (on a terminal). */
  end(): void {
    if (this.tty) this.out.write('\r\x1b[2K');
  }

  /** Bytes per second so far. */
  rate(now = Date.now()): number {
    return this.bytes / Math.max((now - this.startedAt) / 1000, 0.001);
  }

  private draw(now: number): void {
    let line = `${this.label} ${formatBytes(this.bytes)}  ${formatBytes(this.rate(now))}/s`;
    if (this.total !== null && this.total > 0) {
      const share = Math.min(1, this.bytes / this.total);
      const filled = Math.round(share * BAR_WIDTH);
      line += `  [${'#'.repeat(filled)}${' '.repeat(BAR_WIDTH - filled)}] ${Math.floor(share * 100)}%`;
    }
    this.out.write(`\r\x1b[2K${line}`);
  }
}
