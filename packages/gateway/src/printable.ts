/**
 * Text that came from a user or from stored data, made safe to write to a terminal: a name holding an escape
 * sequence must not retitle the terminal, move its cursor or forge a line of output.
 */

/** C0 controls (line breaks and tabs included), DEL and C1 controls: what a terminal may act on. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point.
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/g;

/** `text` with every control character written as a visible `\xHH` escape. */
export function printable(text: string): string {
  return text.replace(CONTROL, (char) => `\\x${char.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

/** {@link printable} for text of several lines: each line is made safe, and the line breaks between them kept. */
export function printableLines(text: string): string {
  return text.split('\n').map(printable).join('\n');
}
