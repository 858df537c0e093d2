import { badRequest } from './api-error.js';

/**
 * Typed reads of method parameters. JSON bodies carry native values, while multipart, urlencoded
 * and query parameters are all strings (objects JSON-encoded), so every accessor accepts both,
 * like Telegram does.
 */
export class Params {
  constructor(private readonly values: Record<string, unknown>) {}

  /** True when the parameter is present and not null. */
  has(name: string): boolean {
    return this.values[name] !== undefined && this.values[name] !== null;
  }

  string(name: string): string | undefined {
    const value = this.values[name];
    if (value === undefined || value === null) return undefined;
    if (typeof value === 'string') return value;
    if (typeof value === 'number' || typeof value === 'boolean') return String(value);
    throw badRequest(`parameter "${name}" must be a string`);
  }

  integer(name: string): number | undefined {
    return toInteger(this.values[name], name);
  }

  boolean(name: string): boolean | undefined {
    const value = this.values[name];
    if (value === undefined || value === null) return undefined;
    if (typeof value === 'boolean') return value;
    if (value === 'true' || value === '1' || value === 1) return true;
    if (value === 'false' || value === '0' || value === 0 || value === '') return false;
    throw badRequest(`parameter "${name}" must be a Boolean`);
  }

  /** An object or array parameter; strings are JSON-decoded. */
  json(name: string): unknown {
    const value = this.values[name];
    if (value === undefined || value === null || value === '') return undefined;
    if (typeof value !== 'string') return value;
    try {
      return JSON.parse(value);
    } catch {
      // The parse failure itself is the answer the client needs, in Telegram's words.
      throw badRequest(`can't parse ${name} JSON object`);
    }
  }

  /** A JSON object parameter, rejected when it is anything else. */
  object(name: string): Record<string, unknown> | undefined {
    const value = this.json(name);
    if (value === undefined) return undefined;
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      throw badRequest(`can't parse ${name} JSON object`);
    }
    return value as Record<string, unknown>;
  }

  /** A JSON array parameter, rejected when it is anything else. */
  array(name: string): unknown[] | undefined {
    const value = this.json(name);
    if (value === undefined) return undefined;
    if (!Array.isArray(value)) throw badRequest(`can't parse ${name} JSON array`);
    return value;
  }
}

/** Reads an integer from a native number or a decimal string; undefined when absent. */
export function toInteger(value: unknown, name: string): number | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value === 'number' && Number.isSafeInteger(value)) return value;
  if (typeof value === 'string' && /^-?\d+$/.test(value.trim())) {
    const parsed = Number(value.trim());
    if (Number.isSafeInteger(parsed)) return parsed;
  }
  throw badRequest(`parameter "${name}" must be an Integer`);
}
