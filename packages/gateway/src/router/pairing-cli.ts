/**
 * `praktor pair`: approving pairing codes, listing them and the users let in, and taking access away, from the
 * command line. It works on the database directly, so a running gateway lets an approved user in at their next
 * message.
 */
import { messageOf } from '@praktor/protocol';
import { ConfigError, loadConfig } from '../config/index.js';
import { printable, printableLines } from '../printable.js';
import { DatabaseError, Store } from '../store/index.js';
import { didYouMean } from '../suggest.js';
import { Pairing, PairingError, pairingEnabled } from './pairing.js';

export const PAIR_USAGE = `Usage: praktor pair <command>

Commands:
  list              the codes waiting for approval, and the users let in
  approve CODE      let in the Telegram user who got CODE from the bot
  revoke USER_ID    take a paired user's access away

Unknown Telegram users get a pairing code when telegram.pairing is on (the default while telegram.allow_from
is empty). The database is the one in the data directory (PRAKTOR_DATA_DIR, default ./data).
`;

const COMMANDS = ['list', 'approve', 'revoke'];

/** A mistake in how the command was called. */
class CliError extends Error {}

function formatTime(ms: number): string {
  return new Date(ms).toISOString().replace('T', ' ').slice(0, 16);
}

function who(user: { userId: number; name: string; username: string | null }): string {
  return `${user.userId}  ${printable(user.name)}${user.username ? ` (@${printable(user.username)})` : ''}`;
}

/** Runs `praktor pair …` with `argv` (the words after `pair`); returns the exit code. */
export function pairCommand(
  argv: string[],
  out: NodeJS.WritableStream = process.stdout,
  err: NodeJS.WritableStream = process.stderr,
): number {
  const [name, ...args] = argv;
  if (
    name === 'help' ||
    name === '--help' ||
    name === '-h' ||
    args.some((a) => a === '--help' || a === '-h')
  ) {
    out.write(PAIR_USAGE);
    return 0;
  }
  if (name === undefined || !COMMANDS.includes(name)) {
    const unknown = name === undefined ? '' : `praktor pair: unknown command "${printable(name)}"`;
    err.write(`${unknown}${name ? didYouMean(name, COMMANDS) : ''}${unknown ? '\n\n' : ''}${PAIR_USAGE}`);
    return 1;
  }
  try {
    const wanted = name === 'list' ? 0 : 1;
    if (args.length !== wanted) {
      throw new CliError(wanted === 0 ? 'list takes no arguments' : `${name} needs exactly one argument`);
    }
    const config = loadConfig().config;
    const store = Store.open(config.dataDir);
    try {
      const pairing = new Pairing({ config: () => config, store });
      run(name, args[0] ?? '', pairing, pairingEnabled(config), out);
    } finally {
      store.close();
    }
    return 0;
  } catch (error) {
    if (error instanceof ConfigError) {
      err.write(`praktor pair: the configuration is not valid\n${printableLines(error.message)}\n`);
      return 1;
    }
    const known =
      error instanceof CliError || error instanceof PairingError || error instanceof DatabaseError;
    if (!known) throw error;
    err.write(`praktor pair: ${printable(messageOf(error))}\n`);
    return 1;
  }
}

function run(
  name: string,
  arg: string,
  pairing: Pairing,
  enabled: boolean,
  out: NodeJS.WritableStream,
): void {
  switch (name) {
    case 'approve': {
      const user = pairing.approve(arg, 'cli');
      out.write(`approved: ${who(user)} can talk to the agents now\n`);
      return;
    }
    case 'revoke': {
      const userId = Number(arg);
      if (!Number.isSafeInteger(userId)) throw new CliError(`"${printable(arg)}" is not a Telegram user id`);
      if (!pairing.revoke(userId)) throw new CliError(`user ${userId} is not paired (see praktor pair list)`);
      out.write(`revoked: user ${userId} can no longer talk to the agents\n`);
      return;
    }
    default: {
      const pending = pairing.pending();
      const paired = pairing.paired();
      if (!enabled) out.write('pairing is off (telegram.pairing): unknown users get no code\n');
      out.write(pending.length === 0 ? 'No codes are waiting.\n' : 'Waiting for approval:\n');
      for (const request of pending) {
        out.write(`  ${request.code}  ${who(request)}  since ${formatTime(request.createdAt)} UTC\n`);
      }
      out.write(paired.length === 0 ? 'No users are paired.\n' : 'Paired users:\n');
      for (const user of paired) {
        out.write(
          `  ${who(user)}  approved ${formatTime(user.approvedAt)} UTC by ${printable(user.approvedBy)}\n`,
        );
      }
    }
  }
}
