/**
 * The vault's cryptography, format 1 — exactly as docs/vault.md describes it, so that anyone can decrypt a
 * secret with their own tools: Argon2id turns the passphrase into a 256-bit key, and each value is sealed with
 * AES-256-GCM under a fresh random 96-bit nonce, with the secret's name bound in as additional data.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { argon2id } from 'hash-wasm';

/** The format this code writes and reads. */
export const FORMAT = 1;

/** Argon2's version 1.3 (0x13), the only one written. */
export const ARGON2_VERSION = 0x13;

/** How the passphrase becomes the key; stored with the vault so it can be raised later. */
export interface KdfParams {
  salt: Buffer;
  memoryKib: number;
  iterations: number;
  parallelism: number;
}

/**
 * Parameters for new and rotated vaults: RFC 9106's second recommended option (64 MiB, 3 passes, 4 lanes),
 * stronger than OWASP's current minimums (19 MiB with 2 passes, or 46 MiB with 1 pass).
 */
export const DEFAULT_KDF: Omit<KdfParams, 'salt'> = { memoryKib: 65_536, iterations: 3, parallelism: 4 };

/** Bytes of random salt per vault. */
export const SALT_BYTES = 16;
const KEY_BYTES = 32;
const NONCE_BYTES = 12;
const TAG_BYTES = 16;

/** What the check value seals: decrypting it proves the key is right before anything else is touched. */
export const CHECK_PLAINTEXT = 'praktor-vault-check';

/** Additional data of the check value. */
export const CHECK_AAD = 'praktor-vault:1:check';

/** Additional data of a secret's value: ties the ciphertext to its name, so rows cannot be swapped. */
export function secretAad(name: string): Buffer {
  return Buffer.from(`praktor-vault:1:secret:${name}`, 'utf8');
}

/** A new random salt with the default parameters. */
export function freshKdf(): KdfParams {
  return { salt: randomBytes(SALT_BYTES), ...DEFAULT_KDF };
}

/** Derives the 32-byte key: Argon2id over the passphrase's UTF-8 bytes (NFC-normalised), no secret, no data. */
export async function deriveKey(passphrase: string, params: KdfParams): Promise<Buffer> {
  const hash = await argon2id({
    password: Buffer.from(passphrase.normalize('NFC'), 'utf8'),
    salt: params.salt,
    memorySize: params.memoryKib,
    iterations: params.iterations,
    parallelism: params.parallelism,
    hashLength: KEY_BYTES,
    outputType: 'binary',
  });
  return Buffer.from(hash);
}

/** Encrypts `plaintext` under `key` with a fresh nonce; the value is the ciphertext followed by the tag. */
export function seal(key: Buffer, plaintext: Buffer, aad: Buffer): { nonce: Buffer; value: Buffer } {
  const nonce = randomBytes(NONCE_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, nonce, { authTagLength: TAG_BYTES });
  cipher.setAAD(aad);
  const value = Buffer.concat([cipher.update(plaintext), cipher.final(), cipher.getAuthTag()]);
  return { nonce, value };
}

/** Decrypts a sealed value; returns null when the key, the nonce, the data or the value do not belong together. */
export function open(key: Buffer, sealed: { nonce: Buffer; value: Buffer }, aad: Buffer): Buffer | null {
  if (sealed.nonce.length !== NONCE_BYTES || sealed.value.length < TAG_BYTES) return null;
  const decipher = createDecipheriv('aes-256-gcm', key, sealed.nonce, { authTagLength: TAG_BYTES });
  decipher.setAAD(aad);
  decipher.setAuthTag(sealed.value.subarray(sealed.value.length - TAG_BYTES));
  try {
    return Buffer.concat([
      decipher.update(sealed.value.subarray(0, sealed.value.length - TAG_BYTES)),
      decipher.final(),
    ]);
  } catch {
    return null;
  }
}

/** Seals the check value under `key`. */
export function sealCheck(key: Buffer): { nonce: Buffer; value: Buffer } {
  return seal(key, Buffer.from(CHECK_PLAINTEXT, 'utf8'), Buffer.from(CHECK_AAD, 'utf8'));
}

/** Whether `key` opens the check value. */
export function checkOpens(key: Buffer, check: { nonce: Buffer; value: Buffer }): boolean {
  const plain = open(key, check, Buffer.from(CHECK_AAD, 'utf8'));
  return plain !== null && plain.toString('utf8') === CHECK_PLAINTEXT;
}
