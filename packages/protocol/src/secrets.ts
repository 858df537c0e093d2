/**
 * The vault's HTTP API bodies. Values are write-only: requests may carry one, no response ever does.
 * Field names follow the original Praktor's API (`id` equals `name`).
 */
import { z } from 'zod';
import { parseHostPattern } from './host-patterns.js';

/** What a secret was given as: text, or the bytes of a file. Both can become variables or files. */
export const SecretKind = z.enum(['string', 'file'], { error: "must be 'string' or 'file'" });
export type SecretKind = z.infer<typeof SecretKind>;

/** A secret's name: letters, digits, `_`, `.` and `-`, starting with a letter or digit, at most 128. */
export const SecretName = z
  .string({ error: 'must be text' })
  .regex(
    /^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/,
    'must be letters, digits, "_", "." and "-", starting with a letter or digit, at most 128',
  );

/** How a request's `value` is written: UTF-8 text (the default), or base64 for binary files. */
export const SecretEncoding = z.enum(['utf8', 'base64'], { error: "must be 'utf8' or 'base64'" });
export type SecretEncoding = z.infer<typeof SecretEncoding>;

/** A header name as HTTP allows it (a token). */
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/**
 * Splits an injected header (`Authorization: Bearer {value}`) into its name and its value template; returns why it
 * is not one. The template must hold `{value}` once, where the secret goes, and nothing may break the header line.
 */
export function parseInjectHeader(header: string): { name: string; template: string } | string {
  const colon = header.indexOf(':');
  const name = colon > 0 ? header.slice(0, colon).trim() : '';
  const template = header.slice(colon + 1).trim();
  if (!HEADER_NAME.test(name))
    return 'must start with a header name and a colon, such as "Authorization: Bearer {value}"';
  if (/[\r\n\0]/.test(header)) return 'must be one line';
  if (template.split('{value}').length !== 2) return 'must contain {value} once, where the secret goes';
  return { name, template };
}

/**
 * A secret that is an HTTP credential: the gateway's internet proxy adds `header` (with the secret in place of
 * `{value}`) to the agent's HTTPS requests to `hosts`, and the agent itself only ever sees a placeholder.
 */
export const SecretInject = z.object({
  hosts: z
    .array(
      z.string({ error: 'must be text' }).superRefine((text, ctx) => {
        const parsed = parseHostPattern(text);
        if (typeof parsed === 'string') ctx.addIssue({ code: 'custom', message: parsed });
      }),
      { error: 'must be a list of host patterns' },
    )
    .min(1, 'must name at least one host'),
  header: z.string({ error: 'must be text' }).superRefine((text, ctx) => {
    const parsed = parseInjectHeader(text);
    if (typeof parsed === 'string') ctx.addIssue({ code: 'custom', message: parsed });
  }),
});
export type SecretInject = z.infer<typeof SecretInject>;

/** At most 1 MiB of value, which base64 makes 4/3 as long. */
const SecretValue = z.string({ error: 'must be text' }).max(1_400_000, 'is larger than 1 MiB');

const SecretFields = {
  description: z.string({ error: 'must be text' }).max(2000, 'is longer than 2000 characters'),
  kind: SecretKind,
  /** The file's base name, for file secrets. */
  filename: z.string({ error: 'must be text' }).max(255, 'is longer than 255 characters').nullable(),
  value: SecretValue,
  encoding: SecretEncoding,
  global: z.boolean({ error: 'must be true or false' }),
  /** The agents that may use the secret (replaces the assignments). */
  agent_ids: z.array(z.string({ error: 'must be text' }), { error: 'must be a list of agent ids' }),
  /** Null: an ordinary secret, given to agents as an env variable or a file. */
  inject: SecretInject.nullable(),
};

/** `POST /api/secrets`: creates a secret, or replaces the one with that name. */
export const CreateSecretRequest = z.object({
  name: SecretName,
  value: SecretValue,
  description: SecretFields.description.optional(),
  kind: SecretKind.default('string'),
  filename: SecretFields.filename.optional(),
  encoding: SecretEncoding.default('utf8'),
  global: SecretFields.global.optional(),
  agent_ids: SecretFields.agent_ids.optional(),
  inject: SecretFields.inject.optional(),
});
export type CreateSecretRequest = z.infer<typeof CreateSecretRequest>;

/** `PUT /api/secrets/{id}`: changes what is given; the rest stays (the value too, when left out). */
export const UpdateSecretRequest = z.object({
  value: SecretFields.value.optional(),
  description: SecretFields.description.optional(),
  kind: SecretKind.optional(),
  filename: SecretFields.filename.optional(),
  encoding: SecretEncoding.default('utf8'),
  global: SecretFields.global.optional(),
  agent_ids: SecretFields.agent_ids.optional(),
  inject: SecretFields.inject.optional(),
});
export type UpdateSecretRequest = z.infer<typeof UpdateSecretRequest>;

/** A secret as the API shows it: everything but its value. Times are ms since the epoch. */
export const SecretItem = z.object({
  id: z.string(),
  name: z.string(),
  description: z.string(),
  kind: SecretKind,
  filename: z.string().nullable(),
  global: z.boolean(),
  /** The agents it is assigned to (a global secret is usable by every agent besides these). */
  agent_ids: z.array(z.string()),
  /** Null, or the hosts and header the gateway's proxy adds it to (the agent itself sees only a placeholder). */
  inject: SecretInject.nullable(),
  /**
   * How agents get it: `injected` (an HTTP header the gateway adds), `env` (an agent's `env` refers to it), `file`
   * (an agent's `files` places it). Empty: no agent uses it yet.
   */
  uses: z.array(z.enum(['env', 'file', 'injected'])),
  created_at: z.number().int(),
  updated_at: z.number().int(),
});
export type SecretItem = z.infer<typeof SecretItem>;

/** `PUT /api/agents/definitions/{id}/secrets`: replaces the secrets assigned to the agent. */
export const AgentSecretsRequest = z.object({
  secret_ids: z.array(z.string({ error: 'must be text' }), { error: 'must be a list of secret names' }),
});
export type AgentSecretsRequest = z.infer<typeof AgentSecretsRequest>;
