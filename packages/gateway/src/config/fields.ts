/**
 * Building blocks of the config schema. The YAML reader hands over every scalar as text (or null), so each
 * block reads text with a reader and applies the rule that holds for every key: absent, null and empty mean
 * "use the default".
 */
import { z } from 'zod';
import { fail, ok, type Read } from './readers.js';

/** Names the kind of a YAML value that has the wrong shape, for problems like "must be text, not a list". */
function kindOf(value: unknown): string {
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object' && value !== null) return 'a mapping';
  return 'a single value';
}

const isEmpty = (value: unknown) => value === undefined || value === null || value === '';

/** Reads a value that is present: only a scalar (text) can be read; a list or mapping is the wrong shape. */
function readPresent<T>(value: unknown, read: (text: string) => Read<T>, expects: string): Read<T> {
  if (typeof value !== 'string') return fail(`must be ${expects}, not ${kindOf(value)}`);
  return read(value);
}

function scalarSchema<T>(whenEmpty: () => Read<T>, read: (text: string) => Read<T>, expects: string) {
  return (
    z
      .unknown()
      .transform((value, ctx): T => {
        const result = isEmpty(value) ? whenEmpty() : readPresent(value, read, expects);
        if (result.ok) return result.value;
        ctx.addIssue({ code: 'custom', message: result.problem });
        return z.NEVER;
      })
      // zod skips the schema of an absent key unless it has a prefault; this makes absent behave like null.
      .prefault(null)
  );
}

/**
 * A scalar key read by `read`, or `fallback` when empty. `expects` completes "must be …" when a list or
 * mapping is given instead.
 */
export function scalar<T>(read: (text: string) => Read<T>, fallback: T, expects: string) {
  return scalarSchema(() => ok(fallback), read, expects);
}

/** Like {@link scalar} but without a default: empty yields `undefined`. */
export function optionalScalar<T>(read: (text: string) => Read<T>, expects: string) {
  return scalarSchema<T | undefined>(() => ok(undefined), read, expects);
}

/** A scalar key that must be given; `meaning` tells the user what belongs there. */
export function requiredScalar<T>(read: (text: string) => Read<T>, expects: string, meaning: string) {
  return scalarSchema(() => fail(`is required (${meaning})`), read, expects);
}

const asText = (text: string): Read<string> => ok(text);

/** Free text. Never quoted back in problems: it may be a secret. */
export function text(fallback = '') {
  return scalar(asText, fallback, 'text');
}

/** Free text that must be given; `meaning` tells the user what belongs there. */
export function requiredText(meaning: string) {
  return requiredScalar(asText, 'text', meaning);
}

/** Free text without a default. */
export function optionalText() {
  return optionalScalar(asText, 'text');
}

const mappingError = (issue: { code: string; input?: unknown }) =>
  issue.code === 'invalid_type' ? `must be a mapping of keys, not ${kindOf(issue.input)}` : undefined;

/** A mapping with known keys; an empty one takes every default. Unknown keys surface as `unrecognized_keys`. */
export function section<Shape extends z.ZodRawShape>(shape: Shape) {
  return z.preprocess(
    (value) => (isEmpty(value) ? {} : value),
    z.strictObject(shape, { error: mappingError }),
  );
}

/** A mapping with known keys that may be left out entirely (then `undefined`). */
export function optionalSection<Shape extends z.ZodRawShape>(shape: Shape) {
  return z.preprocess(
    (value) => (isEmpty(value) ? undefined : value),
    z.strictObject(shape, { error: mappingError }).optional(),
  );
}

/** A mapping from free keys to values of one schema, in the order written. */
export function dictionary<Value extends z.ZodType>(value: Value) {
  return z.preprocess(
    (input) => (isEmpty(input) ? {} : input),
    z.record(z.string(), value, { error: mappingError }),
  );
}

/** A mapping whose content is kept as written and not checked (for sections Praktor accepts but does not use). */
export function opaqueSection() {
  return dictionary(z.unknown());
}

/** A list of values of one schema; empty means `fallback`. */
export function list<Item extends z.ZodType>(item: Item, fallback: z.output<Item>[] = []) {
  return z.preprocess(
    (value) => (isEmpty(value) ? [...fallback] : value),
    z.array(item, {
      error: (issue) =>
        issue.code === 'invalid_type' ? `must be a list, not ${kindOf(issue.input)}` : undefined,
    }),
  );
}
