/**
 * The vault's rows: its header (key derivation parameters and the passphrase check), the encrypted secrets and
 * which agents may use them. Only ciphertext is stored; encrypting and decrypting is the vault's business
 * (src/vault/), and the format is described in docs/vault.md.
 */
import { SecretInject } from '@praktor/protocol';
import type { Db } from './database.js';

/** How a secret was given: as text, or as the bytes of a file. */
export type SecretKind = 'string' | 'file';

/** The vault header: everything needed to turn the passphrase into the key, and to check that it did. */
export interface VaultHeader {
  format: number;
  kdf: string;
  kdfVersion: number;
  salt: Buffer;
  memoryKib: number;
  iterations: number;
  parallelism: number;
  checkNonce: Buffer;
  checkValue: Buffer;
  createdAt: number;
  updatedAt: number;
}

/** A secret's description, without its value. */
export interface SecretInfo {
  name: string;
  kind: SecretKind;
  filename: string | null;
  description: string;
  global: boolean;
  /** Null unless the secret is an HTTP credential the gateway's proxy injects. */
  inject: SecretInject | null;
  /** Agents the secret is assigned to, sorted. */
  agentIds: string[];
  createdAt: number;
  updatedAt: number;
}

/** A secret's encrypted value: a 12-byte nonce, and the ciphertext followed by the 16-byte GCM tag. */
export interface Sealed {
  nonce: Buffer;
  value: Buffer;
}

/** A secret as written: its description and its sealed value. */
export interface SecretRecord extends Sealed {
  name: string;
  kind: SecretKind;
  filename: string | null;
  description: string;
  global: boolean;
  inject: SecretInject | null;
}

interface HeaderRow {
  format: number;
  kdf: string;
  kdf_version: number;
  kdf_salt: Buffer;
  kdf_memory_kib: number;
  kdf_iterations: number;
  kdf_parallelism: number;
  check_nonce: Buffer;
  check_value: Buffer;
  created_at: number;
  updated_at: number;
}

interface InfoRow {
  name: string;
  kind: SecretKind;
  filename: string | null;
  description: string;
  global: number;
  inject: string | null;
  agent_ids: string | null;
  created_at: number;
  updated_at: number;
}

const INFO_SELECT = `
  SELECT s.name, s.kind, s.filename, s.description, s.global, s.inject, s.created_at, s.updated_at,
         (SELECT group_concat(agent_id, char(10)) FROM
            (SELECT agent_id FROM agent_secrets a WHERE a.secret_name = s.name ORDER BY agent_id)) AS agent_ids
  FROM secrets s`;

function info(row: InfoRow): SecretInfo {
  return {
    name: row.name,
    kind: row.kind,
    filename: row.filename,
    description: row.description,
    global: row.global === 1,
    inject: row.inject === null ? null : SecretInject.parse(JSON.parse(row.inject)),
    agentIds: row.agent_ids ? row.agent_ids.split('\n') : [],
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

/** Reads and writes the vault's rows. Nothing here sees a plaintext value. */
export class VaultStore {
  constructor(private readonly db: Db) {}

  /** The database file, for messages. */
  get file(): string {
    return this.db.name;
  }

  /** Runs `fn` in one transaction: all of its writes happen, or none. */
  atomically<T>(fn: () => T): T {
    return this.db.transaction(fn)();
  }

  /** Changes whenever this or another connection changes the database: cheap to ask before re-reading. */
  revision(): number {
    return this.db.pragma('data_version', { simple: true }) as number;
  }

  /** The header, or null for a vault that was never given a passphrase. */
  header(): VaultHeader | null {
    const row = this.db.prepare<[], HeaderRow>('SELECT * FROM vault_meta WHERE id = 1').get();
    if (!row) return null;
    return {
      format: row.format,
      kdf: row.kdf,
      kdfVersion: row.kdf_version,
      salt: row.kdf_salt,
      memoryKib: row.kdf_memory_kib,
      iterations: row.kdf_iterations,
      parallelism: row.kdf_parallelism,
      checkNonce: row.check_nonce,
      checkValue: row.check_value,
      createdAt: row.created_at,
      updatedAt: row.updated_at,
    };
  }

  /** Writes the header; returns false when another process wrote one first. */
  createHeader(header: Omit<VaultHeader, 'createdAt' | 'updatedAt'>): boolean {
    const now = Date.now();
    const result = this.db
      .prepare(
        `INSERT INTO vault_meta (id, format, kdf, kdf_version, kdf_salt, kdf_memory_kib, kdf_iterations,
           kdf_parallelism, check_nonce, check_value, created_at, updated_at)
         VALUES (1, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING`,
      )
      .run(
        header.format,
        header.kdf,
        header.kdfVersion,
        header.salt,
        header.memoryKib,
        header.iterations,
        header.parallelism,
        header.checkNonce,
        header.checkValue,
        now,
        now,
      );
    return result.changes === 1;
  }

  /** Replaces the header (after re-encrypting every secret under a new key). */
  replaceHeader(header: Omit<VaultHeader, 'createdAt' | 'updatedAt'>): void {
    this.db
      .prepare(
        `UPDATE vault_meta SET format = ?, kdf = ?, kdf_version = ?, kdf_salt = ?, kdf_memory_kib = ?,
           kdf_iterations = ?, kdf_parallelism = ?, check_nonce = ?, check_value = ?, updated_at = ?
         WHERE id = 1`,
      )
      .run(
        header.format,
        header.kdf,
        header.kdfVersion,
        header.salt,
        header.memoryKib,
        header.iterations,
        header.parallelism,
        header.checkNonce,
        header.checkValue,
        Date.now(),
      );
  }

  /** Removes the header and every secret (a forgotten passphrase). */
  clear(): void {
    this.db.prepare('DELETE FROM secrets').run();
    this.db.prepare('DELETE FROM vault_meta').run();
  }

  /** Every secret's description, ordered by name. */
  list(): SecretInfo[] {
    return this.db.prepare<[], InfoRow>(`${INFO_SELECT} ORDER BY s.name`).all().map(info);
  }

  /** How many secrets there are. */
  count(): number {
    return (this.db.prepare('SELECT count(*) AS n FROM secrets').get() as { n: number }).n;
  }

  /** One secret's description, or null. */
  info(name: string): SecretInfo | null {
    const row = this.db.prepare<[string], InfoRow>(`${INFO_SELECT} WHERE s.name = ?`).get(name);
    return row ? info(row) : null;
  }

  /** The secrets `agentId` may use (assigned to it, or global), ordered by name. */
  accessible(agentId: string): SecretInfo[] {
    return this.db
      .prepare<[string], InfoRow>(
        `${INFO_SELECT} WHERE s.global = 1
           OR EXISTS (SELECT 1 FROM agent_secrets a WHERE a.secret_name = s.name AND a.agent_id = ?)
         ORDER BY s.name`,
      )
      .all(agentId)
      .map(info);
  }

  /** One secret's sealed value, or null. */
  sealed(name: string): Sealed | null {
    return (
      this.db.prepare<[string], Sealed>('SELECT nonce, value FROM secrets WHERE name = ?').get(name) ?? null
    );
  }

  /** Every secret's sealed value, ordered by name. */
  allSealed(): (Sealed & { name: string })[] {
    return this.db
      .prepare<[], Sealed & { name: string }>('SELECT name, nonce, value FROM secrets ORDER BY name')
      .all();
  }

  /** Creates or replaces a secret (its assignments stay). */
  put(record: SecretRecord): void {
    const now = Date.now();
    this.db
      .prepare(
        `INSERT INTO secrets (name, kind, filename, description, global, inject, nonce, value, created_at, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (name) DO UPDATE SET kind = excluded.kind, filename = excluded.filename,
           description = excluded.description, global = excluded.global, inject = excluded.inject, nonce = excluded.nonce,
           value = excluded.value, updated_at = excluded.updated_at`,
      )
      .run(
        record.name,
        record.kind,
        record.filename,
        record.description,
        record.global ? 1 : 0,
        record.inject === null ? null : JSON.stringify(record.inject),
        record.nonce,
        record.value,
        now,
        now,
      );
  }

  /** Replaces a secret's sealed value only. */
  reseal(name: string, sealed: Sealed): void {
    this.db
      .prepare('UPDATE secrets SET nonce = ?, value = ? WHERE name = ?')
      .run(sealed.nonce, sealed.value, name);
  }

  /** Changes a secret's description fields; returns false when there is no such secret. */
  describe(
    name: string,
    fields: {
      kind: SecretKind;
      filename: string | null;
      description: string;
      global: boolean;
      inject: SecretInject | null;
    },
  ): boolean {
    const result = this.db
      .prepare(
        'UPDATE secrets SET kind = ?, filename = ?, description = ?, global = ?, inject = ?, updated_at = ? WHERE name = ?',
      )
      .run(
        fields.kind,
        fields.filename,
        fields.description,
        fields.global ? 1 : 0,
        fields.inject === null ? null : JSON.stringify(fields.inject),
        Date.now(),
        name,
      );
    return result.changes === 1;
  }

  /** Deletes a secret and its assignments; returns whether it existed. */
  delete(name: string): boolean {
    return this.db.prepare('DELETE FROM secrets WHERE name = ?').run(name).changes === 1;
  }

  /** Lets `agentId` use the secret (no change when it already may). */
  assign(name: string, agentId: string): void {
    this.db
      .prepare('INSERT INTO agent_secrets (agent_id, secret_name) VALUES (?, ?) ON CONFLICT DO NOTHING')
      .run(agentId, name);
  }

  /** Takes the secret away from `agentId`; returns whether it had been assigned. */
  unassign(name: string, agentId: string): boolean {
    return (
      this.db.prepare('DELETE FROM agent_secrets WHERE agent_id = ? AND secret_name = ?').run(agentId, name)
        .changes === 1
    );
  }

  /** Replaces the agents a secret is assigned to. */
  setAgents(name: string, agentIds: readonly string[]): void {
    this.db.prepare('DELETE FROM agent_secrets WHERE secret_name = ?').run(name);
    for (const agentId of agentIds) this.assign(name, agentId);
  }

  /** Replaces the secrets assigned to `agentId`. */
  setSecretsOf(agentId: string, names: readonly string[]): void {
    this.db.prepare('DELETE FROM agent_secrets WHERE agent_id = ?').run(agentId);
    for (const name of names) this.assign(name, agentId);
  }
}
