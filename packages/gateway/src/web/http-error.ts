/**
 * Errors that become HTTP responses: a status and a message for the person reading it.
 */
import type { z } from 'zod';

/** An error the API answers with `{ "error": message }` and `status`. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

/** Validates `value` against `schema`; a mismatch is a 400 naming the first failing field (`where` for the root). */
export function parseOr400<S extends z.ZodType>(schema: S, value: unknown, where: string): z.infer<S> {
  const parsed = schema.safeParse(value, { reportInput: true });
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  if (!issue) throw new HttpError(400, `${where}: is not valid`);
  const path = issue.path.length > 0 ? issue.path.join('.') : where;
  const missing = issue.code === 'invalid_type' && issue.input === undefined;
  throw new HttpError(400, `${path}: ${missing ? 'is required' : issue.message}`);
}
