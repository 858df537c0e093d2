/**
 * The vault over a real SQLite database: passphrase checks, values, access, rotation.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Store } from '../store/index.js';
import { Vault, VaultError } from './vault.js';

const PASS = 'first passphrase';

let dir: string;
let store: Store;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'praktor-vault-'));
  store = Store.open(dir);
});

afterEach(() => {
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Every vault row, as a comparable text. */
function snapshot(): string {
  const db = new Database(join(dir, 'praktor.db'), { readonly: true });
  try {
    return JSON.stringify(
      ['vault_meta', 'secrets', 'agent_secrets'].map((table) =>
        db
          .prepare(`SELECT * FROM ${table} ORDER BY 1, 2`)
          .all()
          .map((row) =>
            Object.entries(row as object).map(([k, v]) => [k, Buffer.isBuffer(v) ? v.toString('hex') : v]),
          ),
      ),
    );
  } finally {
    db.close();
  }
}

async function filled(): Promise<Vault> {
  const vault = await Vault.open(store.vault, PASS);
  await vault.set({ name: 'a', kind: 'string', value: Buffer.from('value-a') });
  await vault.set({ name: 'b', kind: 'file', value: Buffer.from([0, 255, 1, 254]), filename: 'b.bin' });
  await vault.set({ name: 'c', kind: 'string', value: Buffer.from('value-c'), global: true });
  vault.assign('a', 'coder');
  return vault;
}

async function refusal(promise: Promise<unknown>): Promise<VaultError> {
  const err = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(VaultError);
  return err as VaultError;
}

describe('Vault.open', () => {
  it('refuses a wrong passphrase with a clear message and changes nothing', async () => {
    await filled();
    const before = snapshot();
    const err = await refusal(Vault.open(store.vault, 'not the passphrase', { create: true }));
    expect(err.reason).toBe('wrong_passphrase');
    expect(err.message).toContain('the vault passphrase is wrong');
    expect(snapshot()).toBe(before);
  });

  it('creates the header at once when asked to, so secrets stored later by others work', async () => {
    await Vault.open(store.vault, PASS, { create: true });
    expect(store.vault.header()).not.toBeNull();
    const cli = await Vault.open(store.vault, PASS);
    await cli.set({ name: 'later', kind: 'string', value: Buffer.from('later value') });
    const gateway = await Vault.open(store.vault, PASS);
    expect(gateway.reveal('later').toString()).toBe('later value');
  });

  it('opens without a passphrase for descriptions only, and says why a value cannot be read', async () => {
    await filled();
    const locked = await Vault.open(store.vault, null);
    expect(locked.list().map((s) => s.name)).toEqual(['a', 'b', 'c']);
    expect(() => locked.reveal('a')).toThrow(/no passphrase is set/);
  });
});

describe('Vault values', () => {
  it('returns binary values byte for byte', async () => {
    const vault = await filled();
    expect([...vault.reveal('b')]).toEqual([0, 255, 1, 254]);
  });

  it('keeps the global flag, description and assignments when a value is replaced', async () => {
    const vault = await filled();
    await vault.update('a', { description: 'kept' });
    await vault.set({ name: 'a', kind: 'string', value: Buffer.from('new-a') });
    await vault.set({ name: 'c', kind: 'string', value: Buffer.from('new-c') });
    expect(vault.info('a')).toMatchObject({ description: 'kept', agentIds: ['coder'] });
    expect(vault.info('c')?.global).toBe(true);
    expect(vault.reveal('a').toString()).toBe('new-a');
  });

  it('lists as usable by an agent exactly the secrets assigned to it and the global ones', async () => {
    const vault = await filled();
    expect(vault.accessible('coder').map((s) => s.name)).toEqual(['a', 'c']);
    expect(vault.accessible('writer').map((s) => s.name)).toEqual(['c']);
  });

  it('deletes a secret with its assignments', async () => {
    const vault = await filled();
    expect(vault.delete('a')).toBe(true);
    expect(vault.info('a')).toBeNull();
    expect(vault.accessible('coder').map((s) => s.name)).toEqual(['c']);
  });

  it('refuses a value swapped in from another row', async () => {
    const vault = await filled();
    const other = store.vault.sealed('c');
    store.vault.reseal('a', other as NonNullable<typeof other>);
    expect(() => vault.reveal('a')).toThrow(/does not decrypt/);
  });
});

describe('Vault.rotate', () => {
  it('re-encrypts every secret under the new passphrase and refuses the old one afterwards', async () => {
    const vault = await filled();
    const saltBefore = store.vault.header()?.salt;
    expect(await vault.rotate('second passphrase')).toBe(3);
    expect(store.vault.header()?.salt.equals(saltBefore as Buffer)).toBe(false);
    const reopened = await Vault.open(store.vault, 'second passphrase');
    expect(reopened.reveal('a').toString()).toBe('value-a');
    expect([...reopened.reveal('b')]).toEqual([0, 255, 1, 254]);
    expect(reopened.reveal('c').toString()).toBe('value-c');
    await refusal(Vault.open(store.vault, PASS));
  });

  it('changes nothing when it fails midway', async () => {
    const vault = await filled();
    const before = snapshot();
    const failing = vault.rotate('second passphrase', {
      midway: () => {
        throw new Error('power cut');
      },
    });
    await expect(failing).rejects.toThrow('power cut');
    expect(snapshot()).toBe(before);
    const reopened = await Vault.open(store.vault, PASS);
    expect(reopened.reveal('a').toString()).toBe('value-a');
  });

  it('makes another process that still holds the old key say it must be restarted', async () => {
    const gateway = await filled();
    const cli = await Vault.open(store.vault, PASS);
    await cli.rotate('second passphrase');
    expect(() => gateway.reveal('a')).toThrow(/re-keyed/);
  });
});
