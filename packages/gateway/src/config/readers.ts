/**
 * Readers turn the text of one YAML scalar (or one environment variable) into a typed value, or into a problem
 * phrased for the person who wrote it. They are shared by the schema and the environment overrides so that a
 * value means the same and fails the same wherever it comes from.
 *
 * Only values of constrained keys (numbers, durations, choices, modes) are quoted back in problems; free text
 * may be a secret and is never repeated.
 */
import { isIP } from 'node:net';
import { parseHostPattern } from '@praktor/protocol';
import { parseDuration } from './duration.js';

/** The outcome of reading a value: the value, or a problem in words (without the key path, which the caller adds). */
export type Read<T> = { ok: true; value: T } | { ok: false; problem: string };

/** Wraps a successfully read value. */
export function ok<T>(value: T): Read<T> {
  return { ok: true, value };
}

/** Wraps a problem. */
export function fail(problem: string): Read<never> {
  return { ok: false, problem };
}

const quote = (text: string) => JSON.stringify(text);

const WHOLE_NUMBER = /^[-+]?\d+$/;
const DECIMAL_NUMBER = /^[-+]?(\d+\.?\d*|\.\d+)$/;

/** Reads a whole number within `[min, max]` (defaults: the range a JavaScript number holds exactly). */
export function readWholeNumber(
  text: string,
  { min = Number.MIN_SAFE_INTEGER, max = Number.MAX_SAFE_INTEGER } = {},
): Read<number> {
  if (!WHOLE_NUMBER.test(text)) return fail(`${quote(text)} is not a whole number`);
  const value = Number(text);
  if (value < min) return fail(`must be at least ${min} (got ${text})`);
  if (value > max) return fail(`must be at most ${max} (got ${text})`);
  return ok(value);
}

/** Reads a TCP port, 1–65535. */
export function readPort(text: string): Read<number> {
  const value = Number(text);
  if (!WHOLE_NUMBER.test(text) || value < 1 || value > 65535) {
    return fail(`${quote(text)} is not a port number (use a whole number from 1 to 65535)`);
  }
  return ok(value);
}

/** Reads a number that may have a fraction and must not be negative (such as a CPU count). */
export function readNonNegativeDecimal(text: string): Read<number> {
  if (!DECIMAL_NUMBER.test(text)) return fail(`${quote(text)} is not a number`);
  const value = Number(text);
  if (value < 0) return fail(`must not be negative (got ${text})`);
  return ok(value);
}

/** YAML 1.1 spellings are accepted because the original's YAML library accepts them for boolean keys. */
const TRUE_WORDS = new Set(['true', 'yes', 'y', 'on']);
const FALSE_WORDS = new Set(['false', 'no', 'n', 'off']);

/** Reads true/false (also yes/no, on/off, y/n, in any case). */
export function readFlag(text: string): Read<boolean> {
  const word = text.toLowerCase();
  if (TRUE_WORDS.has(word)) return ok(true);
  if (FALSE_WORDS.has(word)) return ok(false);
  return fail(`${quote(text)} is not true or false`);
}

const DURATION_HINT = 'use Go syntax such as 30s, 10m, 1h30m';

/**
 * Reads a non-negative Go duration into milliseconds. A bare `0` is accepted (it is unambiguous); any other
 * number without a unit is rejected, as in the original, because seconds and milliseconds are both plausible.
 */
export function readDuration(text: string): Read<number> {
  if (DECIMAL_NUMBER.test(text) && Number(text) !== 0) return fail(`${text} has no unit (${DURATION_HINT})`);
  let ms: number;
  try {
    ms = parseDuration(text);
  } catch {
    return fail(`${quote(text)} is not a duration (${DURATION_HINT})`);
  }
  if (ms < 0) return fail(`must not be negative (got ${text})`);
  return ok(ms);
}

/** Reads one of a fixed set of words. */
export function readChoice<const T extends string>(choices: readonly T[]) {
  return (text: string): Read<T> =>
    (choices as readonly string[]).includes(text)
      ? ok(text as T)
      : fail(`${quote(text)} is not one of ${choices.join(', ')}`);
}

/**
 * Reads an http(s) URL and drops trailing slashes, since clients append `/path` to it. The value is not quoted
 * in the problem because a URL may carry credentials.
 */
export function readHttpUrl(text: string): Read<string> {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return fail('must be an http:// or https:// URL');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    return fail('must be an http:// or https:// URL');
  return ok(text.replace(/\/+$/, ''));
}

const OCTAL_MODE = /^0?[0-7]{3}$/;

/** Reads a file mode written in octal (`0600`, `644`), kept as the text the user wrote. */
export function readOctalMode(text: string): Read<string> {
  return OCTAL_MODE.test(text) ? ok(text) : fail('must be an octal file mode like "0600"');
}

/** Reads an absolute path (a location inside an agent's sandbox). */
export function readAbsolutePath(text: string): Read<string> {
  return text.startsWith('/') ? ok(text) : fail('must be an absolute path such as /etc/app/key.json');
}

/** Reads an absolute path on this machine, without a trailing slash. */
export function readAbsoluteFolder(text: string): Read<string> {
  return text.startsWith('/')
    ? ok(text.length > 1 ? text.replace(/\/+$/, '') : text)
    : fail('must be an absolute path such as /opt/models/all-MiniLM-L6-v2');
}

const SIMPLE_NAME = /^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/;

/** Reads a name that is safe as a folder and volume name: no slashes, no leading dot. */
export function readSimpleName(text: string): Read<string> {
  return SIMPLE_NAME.test(text)
    ? ok(text)
    : fail(
        `${quote(text)} must be a simple name (letters, digits, ".", "_" and "-", starting with a letter or digit)`,
      );
}

const CAPABILITY = /^[A-Za-z][A-Za-z0-9_]*$/;

/** Reads a Linux capability name such as `CHOWN` or `CAP_NET_ADMIN`. */
export function readCapability(text: string): Read<string> {
  return CAPABILITY.test(text)
    ? ok(text)
    : fail(`${quote(text)} is not a Linux capability name such as CHOWN`);
}

const HOST_LABEL = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;

/** Reads a host name or IP address as a browser sends it in `Host` (no port, no scheme), in lower case. */
export function readHostName(text: string): Read<string> {
  const name = text.toLowerCase();
  if (isIP(name) !== 0 || name.split('.').every((label) => HOST_LABEL.test(label))) return ok(name);
  return fail(`${quote(text)} is not a host name or IP address (write it without a scheme or port)`);
}

/** Reads a host pattern of the egress lists (`*.example.com`, `api.example.com:8443`, `[::1]:9000`). */
export function readHostPattern(text: string): Read<string> {
  const parsed = parseHostPattern(text);
  return typeof parsed === 'string' ? fail(parsed) : ok(parsed.text.trim());
}

/** Reads an IP address or a CIDR block such as `10.0.0.0/8` or `fd00::/8`. */
export function readAddressOrBlock(text: string): Read<string> {
  const [address = '', prefix, ...rest] = text.split('/');
  const family = isIP(address);
  const bits = family === 4 ? 32 : 128;
  const prefixOk = prefix === undefined || (/^\d{1,3}$/.test(prefix) && Number(prefix) <= bits);
  if (family === 0 || !prefixOk || rest.length > 0) {
    return fail(`${quote(text)} is not an IP address or a CIDR block such as 10.0.0.0/8`);
  }
  return ok(text);
}
