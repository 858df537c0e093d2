/**
 * How wide text is drawn in a monospace font, for lining up the columns of tables sent as preformatted text.
 * Telegram's length limits are another measure (UTF-16 code units, see chunk.ts).
 */
import stringWidth from 'string-width';

/**
 * How many monospace columns a string takes, per grapheme: wide East Asian characters and emoji take two,
 * combining marks and format characters none. An approximation of what a chat client draws.
 */
export function displayWidth(text: string): number {
  return stringWidth(text);
}
