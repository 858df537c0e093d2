/**
 * Request paths in normal form. A path that different parsers could read differently (`/%61pi` is `/api` to the
 * router but not to a prefix check; `/a/../b`, `//`, `\`, `;` mean different things to different servers and
 * proxies) is refused before anything looks at it, so that what is checked and what is served are the same path.
 */

/** Characters a path may hold literally: RFC 3986 `pchar` and `/`, without `;` (a parameter separator to some). */
const PATH_CHARS = /^[A-Za-z0-9\-._~!$&'()*+,=:@/%]*$/;

/** Unreserved characters: a path in normal form never percent-encodes them. */
const UNRESERVED = /^[A-Za-z0-9\-._~]$/;

/**
 * Why the path of `target` (a request line's target, query included) is not in normal form, or null when it is.
 * Normal form: starts with `/`; only {@link PATH_CHARS}; `%` only as `%XX` for a byte that must be encoded and is not
 * `/`, `\` or a control character; valid UTF-8 once decoded; no empty segment before the last (`//`), no `.` or
 * `..` segment. A trailing `/` is allowed: it names a different path, which simply does not exist.
 */
export function pathProblem(target: string): string | null {
  const query = target.indexOf('?');
  const path = query === -1 ? target : target.slice(0, query);
  if (!path.startsWith('/')) return 'it does not start with /';
  if (!PATH_CHARS.test(path)) return 'it holds a character that must be percent-encoded';
  for (let at = path.indexOf('%'); at !== -1; at = path.indexOf('%', at + 1)) {
    const hex = path.slice(at + 1, at + 3);
    if (!/^[0-9A-Fa-f]{2}$/.test(hex)) return 'it holds a % that does not start a %XX escape';
    const byte = Number.parseInt(hex, 16);
    const char = String.fromCharCode(byte);
    if (UNRESERVED.test(char)) return `it percent-encodes "${char}", which must be written as is`;
    if (char === '/' || char === '\\' || byte < 0x20 || byte === 0x7f) {
      return `it percent-encodes a slash, backslash or control character (%${hex})`;
    }
  }
  try {
    decodeURIComponent(path);
  } catch {
    return 'it is not valid UTF-8 once decoded';
  }
  const segments = path.slice(1).split('/');
  if (segments.slice(0, -1).includes('')) return 'it holds an empty segment (//)';
  if (segments.some((segment) => segment === '.' || segment === '..')) return 'it holds a . or .. segment';
  return null;
}
