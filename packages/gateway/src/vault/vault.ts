/**
 * The vault: secrets encrypted at rest under a key derived from the passphrase, and which agents may use them.
 * A wrong passphrase is refused when the vault is opened, before anything is decrypted or written.
 */

import type { SecretInject } from '@praktor/protocol';
import type { SecretInfo, SecretKind, VaultHeader, VaultStore } from '../store/index.js';
import {
  ARGON2_VERSION,
  checkOpens,
  DEFAULT_KDF,
  deriveKey,
  FORMAT,
  freshKdf,
  type KdfParams,
  open,
  seal,
  sealCheck,
  secretAad,
} from './format.js';

/** A problem with the vault, in words for the person who must fix it. */
export class VaultError extends Error {
  override name = 'VaultError';
  constructor(
    message: string,
    /** What kind of problem, for callers that answer differently (HTTP status, exit code). */
    readonly reason: 'wrong_passphrase' | 'no_passphrase' | 'stale' | 'not_found' | 'invalid' | 'corrupt',
  ) {
    super(message);
  }
}

/** Secret names: safe in `secret:<name>`, on a command line and in a URL. */
export const SECRET_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/;

/** The largest value a secret may hold. */
export const MAX_SECRET_BYTES = 1024 * 1024;

/** What a caller gives to create or replace a secret. */
export interface SecretInput {
  name: string;
  kind: SecretKind;
  value: Buffer;
  /** The file's base name, for file secrets. */
  filename?: string | null;
  /** Kept as it was when left out. */
  description?: string;
  /** Kept as it was when left out (false for a new secret). */
  global?: boolean;
  /** Makes it an HTTP credential the proxy injects (null: an ordinary secret); kept as it was when left out. */
  inject?: SecretInject | null;
  /** Replaces the assignments when given; otherwise they stay. */
  agentIds?: readonly string[];
}

/** A partial change to a secret; what is left out stays. */
export type SecretChange = Partial<Omit<SecretInput, 'name'>>;

/** The key in use and the header it belongs to. */
interface Unlocked {
  key: Buffer;
  salt: Buffer;
  checkValue: Buffer;
}

/** Describes a name problem, or null when the name is fine. */
export function secretNameProblem(name: string): string | null {
  return SECRET_NAME.test(name)
    ? null
    : `"${name}" is not a valid secret name (letters, digits, "_", "." and "-", starting with a letter or digit, at most 128)`;
}

function header(kdf: KdfParams, key: Buffer): Omit<VaultHeader, 'createdAt' | 'updatedAt'> {
  const check = sealCheck(key);
  return {
    format: FORMAT,
    kdf: 'argon2id',
    kdfVersion: ARGON2_VERSION,
    salt: kdf.salt,
    memoryKib: kdf.memoryKib,
    iterations: kdf.iterations,
    parallelism: kdf.parallelism,
    checkNonce: check.nonce,
    checkValue: check.value,
  };
}

/** Refuses a header this version cannot read (a newer format, another KDF). */
function assertReadable(found: VaultHeader, file: string): void {
  if (found.format !== FORMAT || found.kdf !== 'argon2id' || found.kdfVersion !== ARGON2_VERSION) {
    throw new VaultError(
      `the vault in ${file} has format ${found.format} (${found.kdf} v${found.kdfVersion}), which this Praktor cannot read; upgrade Praktor`,
      'corrupt',
    );
  }
}

/** The secrets of one database. */
export class Vault {
  private constructor(
    private readonly store: VaultStore,
    private passphrase: string | null,
    private unlocked: Unlocked | null,
    private readonly onValue: (value: Buffer) => void,
  ) {}

  /**
   * Opens the vault with `passphrase` (null or '' when none is configured). A vault that has a header refuses a
   * wrong passphrase with a {@link VaultError} before anything is read or written. With `create`, a vault
   * without a header gets one now, under this passphrase; otherwise that waits for the first secret.
   * `onValue` sees every value this process writes or reads (so the logs can hide them).
   */
  static async open(
    store: VaultStore,
    passphrase: string | null,
    opts: { create?: boolean; onValue?: (value: Buffer) => void } = {},
  ): Promise<Vault> {
    const vault = new Vault(store, passphrase || null, null, opts.onValue ?? (() => {}));
    const found = store.header();
    if (vault.passphrase === null) return vault;
    if (found) vault.unlocked = await vault.unlock(found, vault.passphrase);
    else if (opts.create) await vault.writableKey();
    return vault;
  }

  /** Whether a passphrase was given, so values can be read and written. */
  get hasPassphrase(): boolean {
    return this.passphrase !== null;
  }

  /** Whether the vault has been given a passphrase at all (it has a header). */
  get exists(): boolean {
    return this.store.header() !== null;
  }

  /** The database file, for messages. */
  get file(): string {
    return this.store.file;
  }

  /** Whether the stored key derivation is weaker than what a new vault gets (`rotate` raises it). */
  get weakerThanDefaults(): boolean {
    const found = this.store.header();
    return (
      found !== null &&
      (found.memoryKib < DEFAULT_KDF.memoryKib ||
        found.iterations < DEFAULT_KDF.iterations ||
        found.parallelism < DEFAULT_KDF.parallelism)
    );
  }

  /** Changes whenever the vault may have changed, in this process or another: a cache key. */
  revision(): number {
    return this.store.revision() * 1_000_000 + this.localWrites;
  }

  private localWrites = 0;

  /** Every secret's description, ordered by name. Values are never listed. */
  list(): SecretInfo[] {
    return this.store.list();
  }

  /** One secret's description, or null. */
  info(name: string): SecretInfo | null {
    return this.store.info(name);
  }

  /** The secrets `agentId` may use (assigned or global), ordered by name. */
  accessible(agentId: string): SecretInfo[] {
    return this.store.accessible(agentId);
  }

  /** Creates or replaces a secret. */
  async set(input: SecretInput): Promise<SecretInfo> {
    const nameProblem = secretNameProblem(input.name);
    if (nameProblem) throw new VaultError(nameProblem, 'invalid');
    this.checkSize(input.value);
    this.onValue(input.value);
    const unlocked = await this.writableKey();
    this.write(unlocked, () => {
      const existing = this.store.info(input.name);
      this.store.put({
        name: input.name,
        kind: input.kind,
        filename: input.filename ?? null,
        description: input.description ?? existing?.description ?? '',
        global: input.global ?? existing?.global ?? false,
        inject: input.inject !== undefined ? input.inject : (existing?.inject ?? null),
        ...seal(unlocked.key, input.value, secretAad(input.name)),
      });
      if (input.agentIds) this.store.setAgents(input.name, input.agentIds);
    });
    return this.mustExist(input.name);
  }

  /** Changes part of an existing secret; a new value is sealed again under a fresh nonce. */
  async update(name: string, change: SecretChange): Promise<SecretInfo> {
    const before = this.mustExist(name);
    if (change.value !== undefined) {
      this.checkSize(change.value);
      this.onValue(change.value);
    }
    const unlocked = change.value !== undefined ? await this.writableKey() : null;
    const apply = () => {
      this.mustExist(name);
      this.store.describe(name, {
        kind: change.kind ?? before.kind,
        filename: change.filename !== undefined ? change.filename : before.filename,
        description: change.description ?? before.description,
        global: change.global ?? before.global,
        inject: change.inject !== undefined ? change.inject : before.inject,
      });
      if (unlocked && change.value !== undefined) {
        this.store.reseal(name, seal(unlocked.key, change.value, secretAad(name)));
      }
      if (change.agentIds) this.store.setAgents(name, change.agentIds);
    };
    if (unlocked) this.write(unlocked, apply);
    else this.store.atomically(apply);
    this.localWrites += 1;
    return this.mustExist(name);
  }

  /** Deletes a secret and its assignments; returns whether it existed. */
  delete(name: string): boolean {
    const existed = this.store.delete(name);
    this.localWrites += 1;
    return existed;
  }

  /** Lets `agentId` use a secret. */
  assign(name: string, agentId: string): void {
    this.mustExist(name);
    this.store.assign(name, agentId);
    this.localWrites += 1;
  }

  /** Takes a secret away from `agentId`; returns whether it had been assigned. */
  unassign(name: string, agentId: string): boolean {
    this.mustExist(name);
    const was = this.store.unassign(name, agentId);
    this.localWrites += 1;
    return was;
  }

  /** Makes a secret usable by every agent, or only by those it is assigned to. */
  setGlobal(name: string, global: boolean): void {
    const found = this.mustExist(name);
    this.store.describe(name, { ...found, global });
    this.localWrites += 1;
  }

  /** Replaces the secrets assigned to `agentId`; every name must exist. */
  setSecretsOf(agentId: string, names: readonly string[]): void {
    this.store.atomically(() => {
      for (const name of names) this.mustExist(name);
      this.store.setSecretsOf(agentId, names);
    });
    this.localWrites += 1;
  }

  /** A secret's value. */
  reveal(name: string): Buffer {
    const sealed = this.store.sealed(name);
    if (!sealed) throw new VaultError(`no secret named "${name}"`, 'not_found');
    const unlocked = this.currentKey();
    const plain = open(unlocked.key, sealed, secretAad(name));
    if (plain === null) {
      throw new VaultError(
        `the secret "${name}" does not decrypt: its row was altered or copied from another secret`,
        'corrupt',
      );
    }
    this.onValue(plain);
    return plain;
  }

  /**
   * Re-encrypts every secret under `newPassphrase`, with a new salt and at least the default key derivation
   * parameters, in one transaction: afterwards either every secret and the check are under the new key, or
   * (on any failure, or if the process dies midway) all are still under the old one. `midway` runs inside the
   * transaction after the first secret is re-encrypted (a test makes it throw there).
   */
  async rotate(newPassphrase: string, opts: { midway?: () => void } = {}): Promise<number> {
    if (newPassphrase === '') throw new VaultError('the new passphrase must not be empty', 'invalid');
    const old = await this.writableKey();
    const found = this.store.header() as VaultHeader;
    const kdf: KdfParams = {
      ...freshKdf(),
      memoryKib: Math.max(found.memoryKib, DEFAULT_KDF.memoryKib),
      iterations: Math.max(found.iterations, DEFAULT_KDF.iterations),
      parallelism: Math.max(found.parallelism, DEFAULT_KDF.parallelism),
    };
    const key = await deriveKey(newPassphrase, kdf);
    const next = header(kdf, key);
    let count = 0;
    this.write(old, () => {
      for (const row of this.store.allSealed()) {
        const plain = open(old.key, row, secretAad(row.name));
        if (plain === null) {
          throw new VaultError(
            `the secret "${row.name}" does not decrypt (its row was altered); nothing was changed`,
            'corrupt',
          );
        }
        this.store.reseal(row.name, seal(key, plain, secretAad(row.name)));
        count += 1;
        if (count === 1) opts.midway?.();
      }
      this.store.replaceHeader(next);
    });
    this.unlocked = { key, salt: next.salt, checkValue: next.checkValue };
    this.passphrase = newPassphrase;
    return count;
  }

  /** Deletes every secret and the header: for a forgotten passphrase. Needs no passphrase. */
  reset(): number {
    const count = this.store.atomically(() => {
      const n = this.store.count();
      this.store.clear();
      return n;
    });
    this.unlocked = null;
    this.localWrites += 1;
    return count;
  }

  private mustExist(name: string): SecretInfo {
    const found = this.store.info(name);
    if (!found) throw new VaultError(`no secret named "${name}"`, 'not_found');
    return found;
  }

  private checkSize(value: Buffer): void {
    if (value.length > MAX_SECRET_BYTES) {
      throw new VaultError(
        `a secret holds at most ${MAX_SECRET_BYTES} bytes; this one has ${value.length}`,
        'invalid',
      );
    }
  }

  /** Derives the key for `found` and checks it against the stored check value. */
  private async unlock(found: VaultHeader, passphrase: string): Promise<Unlocked> {
    assertReadable(found, this.store.file);
    const key = await deriveKey(passphrase, {
      salt: found.salt,
      memoryKib: found.memoryKib,
      iterations: found.iterations,
      parallelism: found.parallelism,
    });
    if (!checkOpens(key, { nonce: found.checkNonce, value: found.checkValue })) {
      throw new VaultError(
        `the vault passphrase is wrong: it does not open the vault in ${this.store.file}`,
        'wrong_passphrase',
      );
    }
    return { key, salt: found.salt, checkValue: found.checkValue };
  }

  /** The key for reading, checked against the header as it is now. */
  private currentKey(): Unlocked {
    if (this.passphrase === null) {
      throw new VaultError(
        'the vault is locked: no passphrase is set (vault.passphrase in praktor.yaml or PRAKTOR_VAULT_PASSPHRASE)',
        'no_passphrase',
      );
    }
    const found = this.store.header();
    if (this.unlocked && found && this.matches(this.unlocked, found)) return this.unlocked;
    throw new VaultError(
      'the vault was re-keyed or re-created after this process opened it (praktor vault rotate or reset); ' +
        'start Praktor again, with the new passphrase if it changed',
      'stale',
    );
  }

  /** The key for writing: unlocks or creates the vault when this process has not yet. */
  private async writableKey(): Promise<Unlocked> {
    if (this.passphrase === null) return this.currentKey();
    for (;;) {
      const found = this.store.header();
      if (found) {
        if (this.unlocked && this.matches(this.unlocked, found)) return this.unlocked;
        if (this.unlocked) return this.currentKey();
        this.unlocked = await this.unlock(found, this.passphrase);
        return this.unlocked;
      }
      const kdf = freshKdf();
      const key = await deriveKey(this.passphrase, kdf);
      const created = header(kdf, key);
      if (this.store.createHeader(created)) {
        this.unlocked = { key, salt: created.salt, checkValue: created.checkValue };
        this.localWrites += 1;
        return this.unlocked;
      }
      // Another process created the vault meanwhile: open theirs.
    }
  }

  /** Runs `fn` in a transaction, after checking that the header still belongs to `unlocked`. */
  private write(unlocked: Unlocked, fn: () => void): void {
    this.store.atomically(() => {
      const found = this.store.header();
      if (!found || !this.matches(unlocked, found)) {
        throw new VaultError('the vault changed while this was being written; try again', 'stale');
      }
      fn();
    });
    this.localWrites += 1;
  }

  private matches(unlocked: Unlocked, found: VaultHeader): boolean {
    return unlocked.salt.equals(found.salt) && unlocked.checkValue.equals(found.checkValue);
  }
}
