/**
 * The API's validation messages ("name: must be …") matched to the form field they name, so a form can show
 * each by its field.
 */

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
  return { field, message: rest.charAt(0).toUpperCase() + rest.slice(1) };
}
