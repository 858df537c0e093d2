/**
 * Errors as every part of Praktor reports them: the message a person can read, whatever was thrown.
 */

/** The message of `err`, whatever was thrown (an Error, a string, anything else). */
export function messageOf(err: unknown): string {
  if (err instanceof Error) return err.message;
  return typeof err === 'string' ? err : String(err);
}
