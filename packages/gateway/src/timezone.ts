/**
 * Whether a time zone name is one Node knows: shared by the config (`scheduler.timezone`) and the scheduler
 * (a task's own zone), so that both accept and refuse the same names with the same words.
 */

/** Describes what is wrong with `name` as an IANA time zone name, or null when it is one. */
export function timezoneProblem(name: string): string | null {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: name });
    return null;
  } catch (error) {
    if (!(error instanceof RangeError)) throw error;
    return `unknown time zone "${name}" (use an IANA name such as Europe/Berlin or UTC)`;
  }
}
