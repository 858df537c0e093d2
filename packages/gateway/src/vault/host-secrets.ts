/**
 * The vault secrets that \`docker.hosts\` names as TLS files (\`secret:NAME\`), read from the data directory's database
 * as it is, read-only: for commands that run beside a gateway (doctor, backup) or before one exists (restore), which
 * must neither lock the database nor create one.
 */
import { join } from 'node:path';
import { messageOf } from '@praktor/protocol';
import type { Config } from '../config/index.js';
import { withReadOnlyDatabase } from '../store/snapshot.js';
import { Vault } from './vault.js';

/** A vault secret's value by name; throws, saying why, when it cannot be read. */
export type HostSecretReader = (name: string) => Buffer;

/** Reads the vault secrets hosts name as TLS files, with the configured passphrase, from the database as it is. */
export async function vaultHostSecrets(config: Config): Promise<HostSecretReader> {
  const wanted = Object.values(config.docker.hosts).flatMap((host) =>
    Object.values(host.tls ?? {}).flatMap((source) =>
      source?.startsWith('secret:') ? [source.slice('secret:'.length)] : [],
    ),
  );
  // A secret that cannot be read makes its host's check fail, saying why; the other checks still run.
  const values = new Map<string, Buffer | string>();
  if (wanted.length > 0) {
    try {
      await withReadOnlyDatabase(join(config.dataDir, 'praktor.db'), async ({ vault: store }) => {
        const vault = await Vault.open(store, config.vault.passphrase || null);
        for (const name of wanted) {
          try {
            values.set(name, vault.reveal(name));
          } catch (err) {
            values.set(name, messageOf(err));
          }
        }
      });
    } catch (err) {
      for (const name of wanted) values.set(name, `the vault cannot be opened: ${messageOf(err)}`);
    }
  }
  return (name) => {
    const value = values.get(name);
    if (value === undefined) throw new Error(`the vault has no secret "${name}" (or no database yet)`);
    if (typeof value === 'string') throw new Error(value);
    return value;
  };
}
