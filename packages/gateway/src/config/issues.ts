/**
 * How configuration problems are named and reported: every problem carries the key path a user would look
 * for in their file, and all of them are reported together.
 */

/** One problem: where (a key path such as `agents.coder.files[0].mode`, a variable name, or a file) and what. */
export interface ConfigIssue {
  path: string;
  message: string;
}

/**
 * Thrown when the configuration cannot be used. The message lists every problem, one per line, as
 * `<path>: <problem>`; no line ever contains the value of a secret.
 */
export class ConfigError extends Error {
  override name = 'ConfigError';

  /**
   * @param issues every problem found, in the order they were found
   * @param source the absolute path of the file that was read, or null when there was none
   * @param warnings what would have been ignored (such as unknown keys); often the hint to a problem, like a
   *   misspelt required key
   */
  constructor(
    readonly issues: ConfigIssue[],
    readonly source: string | null,
    readonly warnings: string[] = [],
  ) {
    super(issues.map((issue) => `${issue.path}: ${issue.message}`).join('\n'));
  }
}

const PLAIN_KEY = /^[A-Za-z0-9_-]+$/;

/** Writes a key path the way a user reads it: `agents.coder.files[0].mode`, `agents["my agent"]`. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else if (PLAIN_KEY.test(String(key))) out += out === '' ? String(key) : `.${String(key)}`;
    else out += `[${JSON.stringify(String(key))}]`;
  }
  return out;
}
