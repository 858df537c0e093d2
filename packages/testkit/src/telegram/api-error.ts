import type { ApiFailure } from './types.js';

/** A Bot API error answer; handlers throw it and the HTTP layer turns it into Telegram's JSON. */
export class ApiError extends Error {
  override name = 'ApiError';

  constructor(
    readonly errorCode: number,
    readonly description: string,
    readonly retryAfter?: number,
  ) {
    super(description);
  }

  toResponse(): ApiFailure {
    const failure: ApiFailure = { ok: false, error_code: this.errorCode, description: this.description };
    if (this.retryAfter !== undefined) failure.parameters = { retry_after: this.retryAfter };
    return failure;
  }
}

/** A 400 with Telegram's "Bad Request: " prefix. */
export function badRequest(detail: string): ApiError {
  return new ApiError(400, `Bad Request: ${detail}`);
}
