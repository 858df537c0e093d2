import { randomBytes } from 'node:crypto';

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

function randomSuffix(length: number): string {
  const bytes = randomBytes(length);
  let out = '';
  for (const byte of bytes) out += ALPHABET[byte % ALPHABET.length];
  return out;
}

/** A fresh id shaped like the API's message ids (`msg_01…`). */
export function messageId(): string {
  return `msg_01${randomSuffix(22)}`;
}

/** A fresh id shaped like the API's tool-use ids (`toolu_01…`). */
export function toolUseId(): string {
  return `toolu_01${randomSuffix(22)}`;
}

/** A fresh value for the `request-id` response header. */
export function requestId(): string {
  return `req_01${randomSuffix(22)}`;
}
