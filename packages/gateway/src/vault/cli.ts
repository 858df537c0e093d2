/**
 * `praktor vault`: managing secrets from the command line, as in the original Praktor — plus `rotate` (a new
 * passphrase, all or nothing) and `reset` (for a forgotten one). Every command that reads or changes a secret
 * checks the passphrase first and refuses a wrong one before touching anything.
 */

import { readFileSync, writeFileSync } from 'node:fs';
import { basename } from 'node:path';
import { parseArgs } from 'node:util';
import { messageOf } from '@praktor/protocol';
import { agentIdProblem, type Config, ConfigError, loadConfig } from '../config/index.js';
import { printable, printableLines } from '../printable.js';
import { DatabaseError, Store } from '../store/index.js';
import { didYouMean } from '../suggest.js';
import { MIN_MASKED_LENGTH } from './mask.js';
import { canPrompt, promptHidden, readStdin } from './prompt.js';
import { MAX_SECRET_BYTES, Vault, VaultError } from './vault.js';

export const VAULT_USAGE = `Usage: praktor vault <command>

Commands:
  list                                      the secrets, without their values
  set NAME --value V [--description D]      store text (--value - reads it from standard input)
  set NAME --file PATH [--description D]    store a file's exact bytes
  get NAME [--out PATH]                     print the value (a file secret's exact bytes), or write it to PATH
  delete NAME                               delete a secret
  assign NAME --agent ID                    let an agent use a secret
  unassign NAME --agent ID                  take it away again
  global NAME --enable|--disable            let every agent use a secret, or only those it is assigned to
  rotate                                    re-encrypt everything under a new passphrase, taken from
                                            PRAKTOR_VAULT_NEW_PASSPHRASE or asked for
  reset --yes                               delete every secret and the passphrase (when it is forgotten)

The passphrase comes from PRAKTOR_VAULT_PASSPHRASE or vault.passphrase in praktor.yaml; without either it is
asked for at a terminal. The database is the one in the data directory (PRAKTOR_DATA_DIR, default ./data).
Agents see changes when they next start. See docs/vault.md.
`;

/** A mistake in how the command was called, or a state it cannot work in. */
class CliError extends Error {}

type Options = NonNullable<Parameters<typeof parseArgs>[0]>['options'];

interface Parsed {
  name: string;
  values: Record<string, string | boolean | undefined>;
}

interface Context {
  vault: Vault;
  config: Config;
  out: NodeJS.WritableStream;
  err: NodeJS.WritableStream;
}

interface Command {
  options: Options;
  /** Whether the command takes a secret name. */
  named: boolean;
  /** Whether the command needs the passphrase (every command but reset). */
  passphrase?: boolean;
  run(args: Parsed, context: Context): Promise<void> | void;
}

const text = { type: 'string' } as const;
const flag = { type: 'boolean' } as const;

function pad(rows: string[][]): string {
  const widths =
    rows[0]?.map((_, column) => Math.max(...rows.map((row) => (row[column] ?? '').length))) ?? [];
  return rows
    .map((row) =>
      row
        .map((cell, column) => (column === row.length - 1 ? cell : cell.padEnd((widths[column] ?? 0) + 2)))
        .join('')
        .trimEnd(),
    )
    .join('\n');
}

async function readValue(name: string, value: string): Promise<Buffer> {
  if (value !== '-') return Buffer.from(value, 'utf8');
  if (canPrompt()) return Buffer.from(await promptHidden(`Value of ${name}: `), 'utf8');
  const bytes = await readStdin();
  // A value piped in by echo or a here-document ends with a newline that is not part of it.
  const end = bytes.at(-1) === 0x0a ? (bytes.at(-2) === 0x0d ? 2 : 1) : 0;
  return bytes.subarray(0, bytes.length - end);
}

/** Refuses an agent the configuration does not have (a typo would give the secret to nobody), suggesting the near one. */
function requireConfiguredAgent(config: Config, agentId: string): void {
  if (Object.hasOwn(config.agents, agentId)) return;
  const agents = Object.keys(config.agents);
  throw new CliError(
    `"${agentId}" is not an agent in ${printable(config.source ?? 'the built-in configuration')}` +
      `${didYouMean(agentId, agents)}; agents: ${agents.join(', ')}`,
  );
}

const COMMANDS: Record<string, Command> = {
  list: {
    options: {},
    named: false,
    run(_args, { vault, out }) {
      const secrets = vault.list();
      if (secrets.length === 0) {
        out.write('No secrets stored.\n');
        return;
      }
      const rows = [['NAME', 'KIND', 'GLOBAL', 'DESCRIPTION', 'AGENTS']];
      for (const s of secrets) {
        rows.push(
          [s.name, s.kind, s.global ? 'yes' : '', s.description, s.agentIds.join(',')].map(printable),
        );
      }
      out.write(`${pad(rows)}\n`);
    },
  },
  set: {
    options: { value: text, file: text, description: text },
    named: true,
    async run({ name, values }, { vault, out, err }) {
      const given = [values.value, values.file].filter((v) => v !== undefined).length;
      if (given !== 1) throw new CliError('set needs exactly one of --value V or --file PATH');
      let value: Buffer;
      let filename: string | null = null;
      if (typeof values.file === 'string') {
        try {
          value = readFileSync(values.file);
        } catch (error) {
          throw new CliError(`cannot read ${values.file}: ${(error as NodeJS.ErrnoException).code ?? error}`);
        }
        filename = basename(values.file);
      } else {
        value = await readValue(name, values.value as string);
      }
      if (value.length > MAX_SECRET_BYTES) {
        throw new CliError(`a secret holds at most 1 MiB; this value has ${value.length} bytes`);
      }
      const kind = filename === null ? 'string' : 'file';
      await vault.set({
        name,
        kind,
        value,
        filename,
        ...(typeof values.description === 'string' ? { description: values.description } : {}),
      });
      if (value.toString('utf8').trim().length < MIN_MASKED_LENGTH) {
        err.write(
          `warning: values shorter than ${MIN_MASKED_LENGTH} characters are not masked in what agents write\n`,
        );
      }
      out.write(`Secret "${printable(name)}" saved (${kind})\n`);
    },
  },
  get: {
    options: { out: text },
    named: true,
    run({ name, values }, { vault, out, err }) {
      const info = vault.info(name);
      if (!info) throw new VaultError(`no secret named "${name}"`, 'not_found');
      const value = vault.reveal(name);
      if (typeof values.out === 'string') {
        writeFileSync(values.out, value, { mode: 0o600 });
        err.write(`Secret "${printable(name)}" written to ${printable(values.out)}\n`);
        return;
      }
      if (info.kind === 'file') {
        if (info.filename) err.write(`File: ${printable(info.filename)}\n`);
        out.write(value);
        return;
      }
      out.write(value);
      if (value.at(-1) !== 0x0a) out.write('\n');
    },
  },
  delete: {
    options: {},
    named: true,
    run({ name }, { vault, out }) {
      if (!vault.delete(name)) throw new VaultError(`no secret named "${name}"`, 'not_found');
      out.write(`Secret "${printable(name)}" deleted\n`);
    },
  },
  assign: {
    options: { agent: text },
    named: true,
    run({ name, values }, { vault, config, out }) {
      const agent = values.agent;
      if (typeof agent !== 'string' || agent === '') throw new CliError('assign needs --agent ID');
      const problem = agentIdProblem(agent);
      if (problem) throw new CliError(problem);
      requireConfiguredAgent(config, agent);
      vault.assign(name, agent);
      out.write(`Secret "${printable(name)}" assigned to agent "${agent}"\n`);
    },
  },
  unassign: {
    options: { agent: text },
    named: true,
    run({ name, values }, { vault, out }) {
      const agent = values.agent;
      if (typeof agent !== 'string' || agent === '') throw new CliError('unassign needs --agent ID');
      if (!vault.unassign(name, agent)) {
        throw new CliError(`the secret "${name}" is not assigned to agent "${agent}"`);
      }
      out.write(`Secret "${printable(name)}" unassigned from agent "${printable(agent)}"\n`);
    },
  },
  global: {
    options: { enable: flag, disable: flag },
    named: true,
    run({ name, values }, { vault, out }) {
      if (values.enable === values.disable)
        throw new CliError('global needs exactly one of --enable or --disable');
      const global = values.enable === true;
      vault.setGlobal(name, global);
      out.write(`Secret "${printable(name)}" global=${global}\n`);
    },
  },
  rotate: {
    options: {},
    named: false,
    async run(_args, { vault, out }) {
      if (!vault.exists)
        throw new CliError('the vault has no passphrase yet: there is nothing to re-encrypt');
      const next = await newPassphrase();
      const count = await vault.rotate(next);
      out.write(
        `Vault re-encrypted under the new passphrase (${count} secret${count === 1 ? '' : 's'}). ` +
          'Set PRAKTOR_VAULT_PASSPHRASE (or vault.passphrase) to it and restart the gateway.\n',
      );
    },
  },
  reset: {
    options: { yes: flag },
    named: false,
    passphrase: false,
    run({ values }, { vault, out }) {
      if (values.yes !== true) {
        throw new CliError(
          'reset deletes every secret for good; run it again with --yes if that is what you want',
        );
      }
      const count = vault.reset();
      out.write(
        `Vault reset: ${count} secret${count === 1 ? '' : 's'} deleted; the next passphrase starts anew.\n`,
      );
    },
  },
};

async function newPassphrase(): Promise<string> {
  const fromEnv = process.env.PRAKTOR_VAULT_NEW_PASSPHRASE;
  if (fromEnv) return fromEnv;
  if (!canPrompt()) {
    throw new CliError(
      'no new passphrase: set PRAKTOR_VAULT_NEW_PASSPHRASE, or run in a terminal to be asked for it',
    );
  }
  const first = await promptHidden('New vault passphrase: ');
  if (first === '') throw new CliError('the new passphrase must not be empty');
  if ((await promptHidden('Repeat the new passphrase: ')) !== first)
    throw new CliError('the passphrases differ');
  return first;
}

/** The passphrase from the configuration, or asked for (twice when it is about to start a new vault). */
async function passphrase(config: Config, store: Store): Promise<string> {
  if (config.vault.passphrase) return config.vault.passphrase;
  if (!canPrompt()) {
    throw new CliError(
      'no vault passphrase: set PRAKTOR_VAULT_PASSPHRASE (or vault.passphrase in praktor.yaml), ' +
        'or run in a terminal to be asked for it',
    );
  }
  const first = await promptHidden('Vault passphrase: ');
  if (first === '') throw new CliError('the passphrase must not be empty');
  if (
    store.vault.header() === null &&
    (await promptHidden('Repeat it (it starts a new vault): ')) !== first
  ) {
    throw new CliError('the passphrases differ');
  }
  return first;
}

/** Runs `praktor vault …` with `argv` (the words after `vault`); returns the exit code. */
export async function vaultCommand(
  argv: string[],
  out: NodeJS.WritableStream = process.stdout,
  err: NodeJS.WritableStream = process.stderr,
): Promise<number> {
  const [name, ...rest] = argv;
  if (name === 'help' || name === '--help' || name === '-h') {
    out.write(VAULT_USAGE);
    return 0;
  }
  if (name === undefined) {
    err.write(VAULT_USAGE);
    return 1;
  }
  const command = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
  if (!command) {
    err.write(
      `praktor vault: unknown vault command "${printable(name)}"${didYouMean(name, Object.keys(COMMANDS))}\n\n${VAULT_USAGE}`,
    );
    return 1;
  }
  // Help anywhere after the command shows the usage and changes nothing.
  if (rest.some((arg) => arg === '--help' || arg === '-h')) {
    out.write(VAULT_USAGE);
    return 0;
  }
  try {
    const { values, positionals } = parseArgs({
      args: rest,
      options: command.options ?? {},
      allowPositionals: true,
      strict: true,
    });
    const wanted = command.named ? 1 : 0;
    if (positionals.length !== wanted) {
      throw new CliError(
        wanted === 1
          ? `${name} needs one secret name${positionals.length > 1 ? `, not ${positionals.length}` : ''}`
          : `${name} takes no name`,
      );
    }
    const config = loadConfig().config;
    const store = Store.open(config.dataDir);
    for (const { path, was, now } of store.tightened) {
      err.write(
        `note: ${printable(path)} was readable by other users (${was}); it is now ${now}, its owner's only\n`,
      );
    }
    try {
      const phrase = command.passphrase === false ? null : await passphrase(config, store);
      const vault = await Vault.open(store.vault, phrase);
      const flags = values as Parsed['values'];
      await command.run({ name: positionals[0] ?? '', values: flags }, { vault, config, out, err });
    } finally {
      store.close();
    }
    return 0;
  } catch (error) {
    const known =
      error instanceof CliError ||
      error instanceof VaultError ||
      error instanceof DatabaseError ||
      (error as NodeJS.ErrnoException).code?.startsWith('ERR_PARSE_ARGS');
    if (error instanceof ConfigError) {
      err.write(`praktor vault: the configuration is not valid\n${printableLines(error.message)}\n`);
      return 1;
    }
    if (!known && messageOf(error) !== 'cancelled') throw error;
    err.write(`praktor vault: ${printable(messageOf(error))}\n`);
    return 1;
  }
}
