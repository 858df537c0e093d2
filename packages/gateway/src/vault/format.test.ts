/**
 * The vault's stored format is the documented one: a secret written by Praktor is decrypted here with nothing but
 * node:crypto, an Argon2id call and docs/vault.md.
 */
import { createDecipheriv } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { argon2id } from 'hash-wasm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Store } from '../store/index.js';
import { Vault } from './vault.js';

const PASSPHRASE = 'correct horse battery staple, but longer';
const VALUE = Buffer.from('ghp_test-value-0123456789', 'utf8');

let dir: string;
let file: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'praktor-vault-format-'));
  const store = Store.open(dir);
  const vault = await Vault.open(store.vault, PASSPHRASE);
  await vault.set({ name: 'github_token', kind: 'string', value: VALUE });
  await vault.set({ name: 'other', kind: 'string', value: Buffer.from('another value') });
  store.close();
  file = join(dir, 'praktor.db');
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Meta {
  format: number;
  kdf: string;
  kdf_version: number;
  kdf_salt: Buffer;
  kdf_memory_kib: number;
  kdf_iterations: number;
  kdf_parallelism: number;
  check_nonce: Buffer;
  check_value: Buffer;
}
interface Row {
  name: string;
  nonce: Buffer;
  value: Buffer;
}

function read(): { meta: Meta; rows: Row[] } {
  const db = new Database(file, { readonly: true });
  try {
    return {
      meta: db.prepare('SELECT * FROM vault_meta WHERE id = 1').get() as Meta,
      rows: db.prepare('SELECT name, nonce, value FROM secrets ORDER BY name').all() as Row[],
    };
  } finally {
    db.close();
  }
}

/** The key exactly as docs/vault.md says: Argon2id over the NFC-normalised UTF-8 passphrase. */
async function documentedKey(meta: Meta, passphrase: string): Promise<Buffer> {
  return Buffer.from(
    await argon2id({
      password: Buffer.from(passphrase.normalize('NFC'), 'utf8'),
      salt: meta.kdf_salt,
      memorySize: meta.kdf_memory_kib,
      iterations: meta.kdf_iterations,
      parallelism: meta.kdf_parallelism,
      hashLength: 32,
      outputType: 'binary',
    }),
  );
}

/** AES-256-GCM as docs/vault.md says: the last 16 bytes of the value are the tag. */
function documentedOpen(key: Buffer, nonce: Buffer, value: Buffer, aad: string): Buffer {
  const decipher = createDecipheriv('aes-256-gcm', key, nonce);
  decipher.setAAD(Buffer.from(aad, 'utf8'));
  decipher.setAuthTag(value.subarray(-16));
  return Buffer.concat([decipher.update(value.subarray(0, -16)), decipher.final()]);
}

describe('the vault format of docs/vault.md', () => {
  it('decrypts a stored secret with node:crypto and Argon2id alone', async () => {
    const { meta, rows } = read();
    const key = await documentedKey(meta, PASSPHRASE);
    const row = rows.find((r) => r.name === 'github_token') as Row;
    expect(documentedOpen(key, row.nonce, row.value, 'praktor-vault:1:secret:github_token')).toEqual(VALUE);
  });

  it('has a check value that decrypts to the documented text', async () => {
    const { meta } = read();
    const key = await documentedKey(meta, PASSPHRASE);
    const check = documentedOpen(key, meta.check_nonce, meta.check_value, 'praktor-vault:1:check');
    expect(check.toString('utf8')).toBe('praktor-vault-check');
  });

  it('records format 1, Argon2id v1.3 and parameters at least as strong as OWASP recommends', () => {
    const { meta } = read();
    expect(meta).toMatchObject({ format: 1, kdf: 'argon2id', kdf_version: 0x13 });
    expect(meta.kdf_salt).toHaveLength(16);
    // OWASP: m = 19 MiB with t = 2, or m = 46 MiB with t = 1 (p = 1).
    expect(meta.kdf_memory_kib).toBeGreaterThanOrEqual(19_456);
    expect(meta.kdf_iterations).toBeGreaterThanOrEqual(2);
    expect(meta.kdf_memory_kib * meta.kdf_iterations).toBeGreaterThanOrEqual(47_104);
  });

  it('uses 12-byte nonces that differ between secrets, and a 16-byte tag', () => {
    const { rows } = read();
    for (const row of rows) expect(row.nonce).toHaveLength(12);
    expect(rows[0]?.nonce.equals(rows[1]?.nonce as Buffer)).toBe(false);
    const github = rows.find((r) => r.name === 'github_token') as Row;
    expect(github.value).toHaveLength(VALUE.length + 16);
  });

  it('binds the name: a value copied into another row does not decrypt', async () => {
    const { meta, rows } = read();
    const key = await documentedKey(meta, PASSPHRASE);
    const row = rows.find((r) => r.name === 'github_token') as Row;
    expect(() => documentedOpen(key, row.nonce, row.value, 'praktor-vault:1:secret:other')).toThrow();
  });

  it('keeps no plaintext value anywhere in the database file', () => {
    expect(readFileSync(file).includes(VALUE)).toBe(false);
  });
});
