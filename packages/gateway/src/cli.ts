/**
 * The `praktor` command.
 */
import { messageOf } from '@praktor/protocol';
import { type Config, ConfigError, loadConfig } from './config/index.js';
import { createLogger } from './log.js';
import { printable, printableLines } from './printable.js';
import { pairCommand } from './router/pairing-cli.js';
import { vaultCommand } from './vault/cli.js';
import { VERSION as version } from './version.js';

const USAGE = `Usage: praktor <command>

Commands:
  gateway   run the gateway (reads praktor.yaml; see docs/configuration.md)
  vault     manage secrets: set, list, get, assign, rotate… (praktor vault help)
  pair      let new Telegram users in: list, approve CODE, revoke USER_ID (praktor pair help)
  image     build the agent image for the Docker runtime (praktor image help)
  agent     move an agent to another Docker host: praktor agent move ID --to HOST
  backup    write a backup: praktor backup -f FILE.tar.zst (praktor backup help)
  restore   restore or check a backup: praktor restore -f FILE [--overwrite|--verify]
  doctor    check the setup and say how to fix each problem (--json for scripts)
  version   print the version (also --version, -v)
  help      show this help (also --help, -h, and after any command)

Installed with npm, the command is \`npx praktor …\` from the installation's folder.
`;

const GATEWAY_USAGE = `Usage: praktor gateway

Runs the gateway in the foreground until Ctrl-C or SIGTERM: the agents, Telegram (when telegram.token is set)
and Mission Control. It reads praktor.yaml from PRAKTOR_CONFIG, ./praktor.yaml or ./config/praktor.yaml, or
runs on the built-in defaults; environment variables override it (see docs/configuration.md).
`;

/** Whether the words after a command ask for its help: then nothing is done. */
function asksForHelp(args: string[]): boolean {
  return args.some((arg) => arg === '--help' || arg === '-h' || arg === 'help');
}

async function gateway(): Promise<void> {
  const log = createLogger();
  let loaded: ReturnType<typeof loadConfig>;
  try {
    loaded = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`praktor: the configuration is not valid\n${printableLines(err.message)}\n`);
      process.exit(1);
    }
    throw err;
  }
  for (const warning of loaded.warnings) log.warn(warning);
  log.info({ version }, 'starting praktor gateway');
  // Loaded here, not at the top: the other commands need little of the gateway and start faster without it.
  const [{ startGateway }, { configurationNotes }] = await Promise.all([
    import('./gateway.js'),
    import('./setup.js'),
  ]);
  let running: Awaited<ReturnType<typeof startGateway>>;
  try {
    running = await startGateway(loaded.config, log, loaded.warnings);
  } catch (err) {
    log.fatal({ err: messageOf(err) }, 'gateway failed to start');
    process.exit(1);
  }
  process.stderr.write(running.banner + configurationNotes(loaded.warnings));
  // The gateway runs until a signal stops it, even when no channel holds the event loop open.
  const keepAlive = setInterval(() => {}, 2 ** 31 - 1);
  let signals = 0;
  const onSignal = (signal: NodeJS.Signals) => {
    signals += 1;
    if (signals > 1) {
      log.warn({ signal }, 'second signal: exiting now');
      process.exit(130);
    }
    log.info({ signal }, 'shutting down');
    clearInterval(keepAlive);
    running.stop().then(
      () => process.exit(0),
      (err: Error) => {
        log.error({ err: err.message }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  // `docker compose kill -s HUP praktor`: reload the configuration, as a change to the file does.
  process.on('SIGHUP', () => {
    log.info({ signal: 'SIGHUP' }, 'reloading the configuration');
    running.reload();
  });
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
}

/** The vault secrets that `docker.hosts` names as TLS files, for the commands that reach Docker hosts. */
async function hostSecrets(config: Config): Promise<(name: string) => Buffer> {
  const { vaultHostSecrets } = await import('./vault/host-secrets.js');
  return vaultHostSecrets(config);
}

async function main(argv: string[]): Promise<void> {
  const [command] = argv;
  switch (command) {
    case 'gateway':
      if (asksForHelp(argv.slice(1))) {
        process.stdout.write(GATEWAY_USAGE);
        return;
      }
      if (argv.length > 1) {
        process.stderr.write(
          `praktor gateway: unexpected "${printable(argv[1] as string)}"\n\n${GATEWAY_USAGE}`,
        );
        process.exit(1);
      }
      await gateway();
      return;
    case 'vault':
      process.exitCode = await vaultCommand(argv.slice(1));
      return;
    case 'pair':
      process.exitCode = pairCommand(argv.slice(1));
      return;
    case 'image': {
      // Loaded on demand: the Docker client is heavy, and `praktor gateway` with local agents does not need it.
      const { imageCommand } = await import('./runtimes/image-cli.js');
      process.exitCode = await imageCommand(argv.slice(1), undefined, undefined, hostSecrets);
      return;
    }
    case 'agent': {
      const { agentCommand } = await import('./runtimes/agent-cli.js');
      process.exitCode = await agentCommand(argv.slice(1), hostSecrets);
      return;
    }
    case 'backup': {
      const { backupCommand } = await import('./backup/cli.js');
      process.exitCode = await backupCommand(argv.slice(1), hostSecrets);
      return;
    }
    case 'restore': {
      const { restoreCommand } = await import('./backup/cli.js');
      process.exitCode = await restoreCommand(argv.slice(1), hostSecrets);
      return;
    }
    case 'doctor': {
      const { doctorCommand } = await import('./doctor/cli.js');
      process.exitCode = await doctorCommand(argv.slice(1));
      return;
    }
    case 'version':
    case '--version':
    case '-v':
      process.stdout.write(`praktor ${version}\n`);
      return;
    case 'help':
    case '--help':
    case '-h':
      process.stdout.write(USAGE);
      return;
    default:
      process.stderr.write(command ? `praktor: unknown command "${printable(command)}"\n\n${USAGE}` : USAGE);
      process.exit(1);
  }
}

await main(process.argv.slice(2));
