/**
 * Environment expansion inside string values of the parsed file (never on the raw text, so a `$` in a password
 * survives and an expanded value cannot change the YAML's structure).
 *
 * - `${NAME}` becomes the variable's value, or "" when it is unset (as in the original).
 * - `${NAME:-fallback}` becomes the value, or `fallback` when the variable is unset or empty.
 * - `$${` is an escape for a literal `${`, so `$${NAME}` yields the text `${NAME}`.
 * - Every other `$` is kept as written.
 */
import { formatPath } from './issues.js';

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
  let malformed = false;
  const value = text.replace(SCAN, (match, name?: string, fallback?: string) => {
    if (match === '$${') return '${';
    if (name === undefined) {
      malformed = true;
      return match;
    }
    const set = env[name];
    if (fallback !== undefined) return set === undefined || set === '' ? fallback : set;
    return set ?? '';
  });
  return { value, malformed };
}

/**
 * Expands every string value in `tree` (keys are left alone) and returns a new tree, with warnings for text
 * that looks like a reference but is not expanded. Warnings name the key, never the value.
 */
export function expandTree(tree: unknown, env: NodeJS.ProcessEnv): { tree: unknown; warnings: string[] } {
  const warnings: string[] = [];
  const walk = (value: unknown, path: PropertyKey[]): unknown => {
    if (typeof value === 'string') {
      const expanded = expandString(value, env);
      if (expanded.malformed) {
        warnings.push(
          `${formatPath(path)}: contains a "\${" that is neither \${NAME} nor \${NAME:-default}; ` +
            'it is kept as written (write $${ for a literal ${)',
        );
      } else if (BARE_REFERENCE.test(value)) {
        warnings.push(
          `${formatPath(path)}: $NAME is kept as written; write \${NAME} to use the environment variable`,
        );
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
  return { tree: walk(tree, []), warnings };
}
