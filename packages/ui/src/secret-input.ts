/**
 * What the Secrets page needs besides React: the secret form's values, the schema that checks them before sending
 * (what is missing, then the request itself by the API's own schema) and the request made from them.
 */
import {
  CreateSecretRequest,
  formatBytes,
  type SecretEncoding,
  type SecretItem,
  SecretKind,
  UpdateSecretRequest,
} from '@praktor/protocol';
import { z } from 'zod';
import { afterFormChecks, checkRequest } from './api/field-message';

/** The most bytes a secret may hold; the gateway refuses more. */
export const MAX_SECRET_BYTES = 1024 * 1024;

/** How many bytes `text` takes as UTF-8, the way the gateway counts a text value. */
export function utf8Length(text: string): number {
  return new TextEncoder().encode(text).length;
}

/** A file read into memory: its bytes as base64, ready to send. */
export const ChosenFile = z.object({ name: z.string(), size: z.number(), base64: z.string() });
export type ChosenFile = z.infer<typeof ChosenFile>;

/** The secret form's fields. The value is write-only: it starts empty, as text or as a file by the kind. */
export interface SecretFormValues {
  name: string;
  kind: SecretKind;
  description: string;
  /** The text value (kind `string`). */
  value: string;
  /** The file value (kind `file`). */
  file: ChosenFile | null;
  global: boolean;
  agent_ids: string[];
}

/** A field of the secret form. */
export type SecretField = keyof SecretFormValues;

/** What the form is for: a new secret, or `secret`; and what it checks against. */
export interface SecretFormContext {
  secret?: SecretItem | undefined;
  /** Names already taken, so that creating never replaces a secret by accident. */
  existingNames: readonly string[];
  /** The agents in praktor.yaml; undefined while they could not be loaded. */
  configured?: readonly string[] | undefined;
}

/** The form's starting values: empty for a new secret; an edited one's, but never its value. */
export function secretFormValues(secret: SecretItem | undefined): SecretFormValues {
  return {
    name: secret?.name ?? '',
    kind: secret?.kind ?? 'string',
    description: secret?.description ?? '',
    value: '',
    file: null,
    global: secret?.global ?? false,
    agent_ids: secret?.agent_ids ?? [],
  };
}

/** What the form sends for the value, or null when it sends none. */
function valuePart(
  values: SecretFormValues,
): { value: string; encoding: SecretEncoding; filename: string | null } | null {
  if (values.kind === 'file') {
    return values.file ? { value: values.file.base64, encoding: 'base64', filename: values.file.name } : null;
  }
  return values.value === '' ? null : { value: values.value, encoding: 'utf8', filename: null };
}

/**
 * The body of `POST /api/secrets` (new) or `PUT /api/secrets/{name}`; editing without a value keeps the stored one.
 * Assignments to agents no longer in praktor.yaml are dropped: the API refuses ids it does not know. When the agents
 * could not be loaded, the assignments are left as they are.
 */
export function secretRequestBody(
  values: SecretFormValues,
  context: SecretFormContext,
): CreateSecretRequest | UpdateSecretRequest {
  const { configured } = context;
  const access = {
    global: values.global,
    ...(configured ? { agent_ids: values.agent_ids.filter((a) => configured.includes(a)) } : {}),
  };
  const value = valuePart(values);
  if (context.secret) {
    return {
      description: values.description,
      kind: values.kind,
      ...access,
      ...(value ?? { encoding: 'utf8' }),
    };
  }
  // The form's checks ask for a value before a new secret is sent.
  if (value === null) throw new Error('a new secret needs a value');
  return { name: values.name, description: values.description, kind: values.kind, ...access, ...value };
}

/** The request fields the gateway may name in a refusal: every field the form sends. */
export const SECRET_REQUEST_FIELDS = [
  'name',
  'kind',
  'description',
  'value',
  'filename',
  'encoding',
  'global',
  'agent_ids',
] as const;
export type SecretRequestField = (typeof SECRET_REQUEST_FIELDS)[number];

/** The form field where a message about the request field `field` is shown, for a secret of kind `kind`. */
export function secretFieldOf(field: SecretRequestField, kind: SecretKind): SecretField {
  if (field === 'value' || field === 'filename' || field === 'encoding')
    return kind === 'file' ? 'file' : 'value';
  return field;
}

const LIMIT = formatBytes(MAX_SECRET_BYTES);

/**
 * The secret form's checks before sending: what is missing or too large, in the form's words; then the request it
 * makes, by the API's own schema. A name's pattern is the gateway's to check: it answers with the rule, shown by
 * the name.
 */
export function secretFormSchema(context: SecretFormContext) {
  const { secret, existingNames } = context;
  const request = secret ? UpdateSecretRequest : CreateSecretRequest.omit({ name: true });
  return z
    .object({
      name: z.string(),
      kind: SecretKind,
      description: z.string(),
      value: z.string(),
      file: ChosenFile.nullable(),
      global: z.boolean(),
      agent_ids: z.array(z.string()),
    })
    .superRefine((values, ctx) => {
      const problem = (field: SecretField, message: string) =>
        ctx.addIssue({ code: 'custom', message, path: [field] });
      if (!secret) {
        if (values.name === '') problem('name', 'Enter a name.');
        else if (existingNames.includes(values.name))
          problem('name', 'A secret with this name exists already. Edit that one, or choose another name.');
      }
      const kindChanged = secret !== undefined && values.kind !== secret.kind;
      if (valuePart(values) === null && (!secret || kindChanged)) {
        if (values.kind === 'file')
          problem('file', kindChanged ? 'Choose the file that replaces the text value.' : 'Choose a file.');
        else problem('value', kindChanged ? 'Enter the text that replaces the file.' : 'Enter the value.');
      } else if (values.kind === 'string' && utf8Length(values.value) > MAX_SECRET_BYTES) {
        problem(
          'value',
          `The value is ${formatBytes(utf8Length(values.value))}; a secret holds at most ${LIMIT}.`,
        );
      }
    })
    .superRefine(
      (values, ctx) =>
        // The body holds only the fields the form sends.
        checkRequest(ctx, request, secretRequestBody(values, context), (field) =>
          secretFieldOf(field as SecretRequestField, values.kind),
        ),
      afterFormChecks,
    );
}
