/**
 * The API's validation messages ("name: must be …") matched to the form field they name, so a form can show
 * each by its field: the gateway's answers, and the same schemas run in the browser before sending.
 */
import type { z } from 'zod';

/** A validation message of the API split at the field it starts with. */
export interface FieldMessage {
  /** The top-level field, e.g. `agent_ids` for `agent_ids.0: …`. */
  field: string;
  /** The rest, starting with a capital: `Must be letters, …`. */
  message: string;
}

/**
 * Splits `message` ("name: must be …", "agent_ids.1: \"x\" is not …") when it names one of `fields`;
 * null for any other message, which belongs to the form as a whole.
 */
export function splitFieldMessage(message: string, fields: readonly string[]): FieldMessage | null {
  const match = /^([A-Za-z_]+)(?:\.\d+)*: ([\s\S]+)$/.exec(message);
  const field = match?.[1];
  const rest = match?.[2];
  if (!field || !rest || !fields.includes(field)) return null;
  return { field, message: sentence(rest) };
}

/**
 * Splits `message` when it is about the member at `path` of a larger body (`mcp_servers.memory` of the extensions):
 * "mcp_servers.memory.url: is required" gives field `url`, a message about the member itself field `''`; what lies
 * deeper than the field (a file's path, a list's index) stays at the start of the message. Null for any other
 * message.
 */
export function splitMemberMessage(message: string, path: string): FieldMessage | null {
  if (!message.startsWith(path)) return null;
  const match = /^(?:\.([A-Za-z_]+)(?:\.([^:]*))?)?: ([\s\S]+)$/.exec(message.slice(path.length));
  const rest = match?.[3];
  if (!match || !rest) return null;
  const deeper = match[2];
  return { field: match[1] ?? '', message: deeper ? `${deeper}: ${rest}` : sentence(rest) };
}

/** The API words a message to follow a field's name ("is longer than …"); shown by the field it starts a sentence. */
const sentence = (message: string) => message.charAt(0).toUpperCase() + message.slice(1);

/**
 * Checks `body`, the request a form is about to send, with the API's own `schema`, and adds each issue to `ctx` (a
 * zod refinement's) at the form field `fieldOf` gives for the request field it is about, worded as the gateway's
 * answer would be shown there.
 */
export function checkRequest<Field extends string>(
  ctx: z.RefinementCtx,
  schema: z.ZodType,
  body: unknown,
  fieldOf: (requestField: string) => Field,
): void {
  const result = schema.safeParse(body);
  if (result.success) return;
  for (const issue of result.error.issues) {
    ctx.addIssue({
      code: 'custom',
      message: sentence(issue.message),
      path: [fieldOf(String(issue.path[0]))],
    });
  }
}

/** For {@link checkRequest}'s refinement: the request is checked only once the form's own checks pass. */
export const afterFormChecks = {
  when: (payload: { issues: readonly unknown[] }) => payload.issues.length === 0,
};
