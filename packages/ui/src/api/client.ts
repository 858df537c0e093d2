/**
 * The one way Mission Control talks HTTP to the gateway: JSON in and out, errors turned into {@link ApiError}s
 * that carry the server's own message, and a 401 anywhere reported to whoever handles signing in.
 */
import { messageOf } from '@praktor/protocol';

/** A failed call: `status` is the HTTP status, or 0 when the gateway could not be reached at all. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }

  /** True when the request never got an answer (gateway down, network gone). */
  get isNetwork(): boolean {
    return this.status === 0;
  }
}

let onUnauthorized: () => void = () => {};

/** Sets what happens when a call comes back 401 (the session is gone): the app sends the user to sign in. */
export function setUnauthorizedHandler(handler: () => void): void {
  onUnauthorized = handler;
}

/** Options of {@link request}. */
export interface RequestOptions {
  body?: unknown;
  /** A 401 is this call's own answer (a wrong password), not a lost session. */
  expect401?: boolean;
}

/** What a response said, for the error message: the API's `{error}`, else the status text. */
async function errorMessage(res: Response): Promise<string> {
  const text = await res.text();
  try {
    const body: unknown = JSON.parse(text);
    if (body && typeof body === 'object' && 'error' in body && typeof body.error === 'string')
      return body.error;
  } catch {
    // Not JSON (a proxy's error page, say): the status line below says what there is to say.
  }
  return `${res.status} ${res.statusText || 'error'}`.trim();
}

/** Calls `/api{path}` and returns the parsed JSON body (undefined for 204). */
export async function request<T>(method: string, path: string, opts: RequestOptions = {}): Promise<T> {
  let res: Response;
  try {
    res = await fetch(`/api${path}`, {
      method,
      credentials: 'same-origin',
      headers: opts.body === undefined ? {} : { 'content-type': 'application/json' },
      body: opts.body === undefined ? null : JSON.stringify(opts.body),
    });
  } catch (err) {
    throw new ApiError(0, `Could not reach Praktor (${messageOf(err)}).`);
  }
  if (!res.ok) {
    const message = await errorMessage(res);
    if (res.status === 401 && !opts.expect401) onUnauthorized();
    throw new ApiError(res.status, message);
  }
  if (res.status === 204) return undefined as T;
  return (await res.json()) as T;
}
