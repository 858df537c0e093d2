/**
 * Environment expansion inside string values of the parsed file (never on the raw text, so a `$` in a password
 * survives and an expanded value cannot change the YAML's structure).
 *
 * - `${NAME}` becomes the variable's value, or "" when it is unset (as in the original) — except in the keys
 *   of {@link StrictKeys}, where an unset or empty variable is a problem.
 * - `${NAME:-fallback}` becomes the value, or `fallback` when the variable is unset or empty.
 * - `$${` is an escape for a literal `${`, so `$${NAME}` yields the text `${NAME}`.
 * - Every other `$` is kept as written.
 */
import { type ConfigIssue, formatPath } from './issues.js';

/** A reference: `${NAME}` or `${NAME:-fallback}`, capturing the name and the fallback. */
export const REFERENCE = /\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/;

/** What expansion looks at: the escape `$${`, a reference, or a `${` that starts neither. */
const SCAN = new RegExp(`\\$\\$\\{|${REFERENCE.source}|\\$\\{`, 'g');

/** A value that is exactly `$NAME` was expanded by the original and is almost surely meant as a reference. */
const BARE_REFERENCE = /^\$[A-Z_][A-Z0-9_]*$/;

/**
 * Expands references in one string. `malformed` is true when a `${` does not start a reference of the two
 * supported forms (it is then kept as written).
 */
export function expandString(text: string, env: NodeJS.ProcessEnv): { value: string; malformed: boolean } {
  const { value, malformed } = expand(text, env);
  return { value, malformed };
}

/** {@link expandString}, also naming the variables of `${NAME}` references that gave an empty value. */
function expand(
  text: string,
  env: NodeJS.ProcessEnv,
): { value: string; malformed: boolean; empty: string[] } {
  let malformed = false;
  const empty: string[] = [];
  const value = text.replace(SCAN, (match, name?: string, fallback?: string) => {
    if (match === '$${') return '${';
    if (name === undefined) {
      malformed = true;
      return match;
    }
    const set = env[name];
    if (fallback !== undefined) return set === undefined || set === '' ? fallback : set;
    if (!set) empty.push(name);
    return set ?? '';
  });
  return { value, malformed, empty };
}

/**
 * Keys (as key paths such as `web.auth`) where a `${NAME}` that is unset or empty is a problem, not an empty
 * value, each with what an empty value would silently mean.
 */
export type StrictKeys = ReadonlyMap<string, string>;

/**
 * Expands every string value in `tree` (keys are left alone) and returns a new tree, with warnings for text
 * that looks like a reference but is not expanded, and problems for references to unset variables in `strict`
 * keys. Both name the key and the variable, never the value.
 */
export function expandTree(
  tree: unknown,
  env: NodeJS.ProcessEnv,
  strict: StrictKeys = new Map(),
): { tree: unknown; warnings: string[]; issues: ConfigIssue[] } {
  const warnings: string[] = [];
  const issues: ConfigIssue[] = [];
  const walk = (value: unknown, path: PropertyKey[]): unknown => {
    if (typeof value === 'string') {
      const expanded = expand(value, env);
      const key = formatPath(path);
      const meaning = strict.get(key);
      for (const name of meaning === undefined ? [] : expanded.empty) {
        issues.push({
          path: key,
          message:
            `refers to \${${name}}, which is not set or is empty; that would leave ${meaning}. ` +
            `Set ${name}, or write \${${name}:-} if that is meant`,
        });
      }
      if (expanded.malformed) {
        warnings.push(
          `${key}: contains a "\${" that is neither \${NAME} nor \${NAME:-default}; ` +
            'it is kept as written (write $${ for a literal ${)',
        );
      } else if (BARE_REFERENCE.test(value)) {
        warnings.push(`${key}: $NAME is kept as written; write \${NAME} to use the environment variable`);
      }
      return expanded.value;
    }
    if (Array.isArray(value)) return value.map((item, index) => walk(item, [...path, index]));
    if (typeof value === 'object' && value !== null) {
      return Object.fromEntries(
        Object.entries(value).map(([key, item]) => [key, walk(item, [...path, key])]),
      );
    }
    return value;
  };
  return { tree: walk(tree, []), warnings, issues };
}
