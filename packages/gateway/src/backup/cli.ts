/**
 * `praktor backup` and `praktor restore`. The original's single-dash flags (`-f`, `-overwrite`, `-image`) are
 * accepted as well as the double-dash ones.
 */
import { statSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { messageOf } from '@praktor/protocol';
import { type Config, ConfigError, loadConfig } from '../config/index.js';
import { printable, printableLines } from '../printable.js';
import { createBackup } from './backup.js';
import { formatBytes, Progress } from './progress.js';
import { restoreBackup, verifyBackup } from './restore.js';

export const BACKUP_USAGE = `Usage: praktor backup -f FILE.tar.zst [--image IMAGE]

Writes the data directory (the database as a consistent snapshot, taken while the gateway runs; workspaces,
homes, global files, memories, uploads) and, for agents on the Docker runtime, every Docker volume of this
installation on every Docker host (docker.hosts) into one zstd-compressed tar with a manifest of checksums
that records each volume's host. Every host must answer. FILE is replaced only once the new backup is complete.
  -f, --file FILE    the archive to write
  --image IMAGE      the image of the helper containers that read volumes and copy agents' memories
                     (default: defaults.image; another must have Node 22.16 or later, as the agent image has)

The data directory and docker.prefix come from the configuration (PRAKTOR_CONFIG, PRAKTOR_DATA_DIR).
`;

export const RESTORE_USAGE = `Usage: praktor restore -f FILE.tar.zst [--overwrite] [--image IMAGE]
       praktor restore -f FILE.tar.zst --verify

Restores a backup into the data directory the configuration names (PRAKTOR_DATA_DIR, or the config's) and each
of its Docker volumes on the Docker host it came from (by name in docker.hosts; local for backups from before
hosts), under the configuration's docker.prefix, which may differ from the one backed up. The whole archive is
checked against its checksums, and every host it names must be configured and answer, before anything is written. Refuses while a gateway runs on that
data directory, and refuses to write over existing data or volumes without --overwrite.
  -f, --file FILE    the archive to read
  --overwrite        write over existing data (files not in the backup stay)
  --verify           only check the archive, restore nothing
  --image IMAGE      the image of the helper containers that write volumes (default: defaults.image)
`;

/** The original's single-dash long flags, as Node's parser reads them. */
const SINGLE_DASH = new Map([
  ['-overwrite', '--overwrite'],
  ['-image', '--image'],
  ['-verify', '--verify'],
  ['-file', '--file'],
]);

/**
 * Opens the vault's secrets that Docker hosts name as TLS files; handed in by the CLI, since a backup does not
 * read the vault itself.
 */
export type HostSecrets = (config: Config) => Promise<(name: string) => Buffer>;

interface Streams {
  out: NodeJS.WritableStream;
  err: NodeJS.WritableStream & { isTTY?: boolean };
}

function parse(
  args: string[],
  withRestoreFlags: boolean,
): { file?: string; image?: string; overwrite?: boolean; verify?: boolean } {
  const { values } = parseArgs({
    args: args.map((arg) => SINGLE_DASH.get(arg) ?? arg),
    options: {
      file: { type: 'string', short: 'f' },
      image: { type: 'string' },
      ...(withRestoreFlags ? { overwrite: { type: 'boolean' }, verify: { type: 'boolean' } } : {}),
    },
    strict: true,
  });
  return values as { file?: string; image?: string; overwrite?: boolean; verify?: boolean };
}

function config(io: Streams): Config | null {
  try {
    return loadConfig().config;
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    io.err.write(`praktor: the configuration is not valid\n${printableLines(e.message)}\n`);
    return null;
  }
}

function wantsHelp(args: string[]): boolean {
  return args.some((arg) => arg === '--help' || arg === '-h' || arg === 'help');
}

/** One line per host: `  on local: praktor-wk-main, praktor-home-main`. */
function byHost(volumes: { host: string; volume: string }[]): string {
  const hosts = new Map<string, string[]>();
  for (const { host, volume } of volumes) hosts.set(host, [...(hosts.get(host) ?? []), volume]);
  return [...hosts]
    .map(([host, names]) => `  on ${printable(host)}: ${printable(names.join(', '))}\n`)
    .join('');
}

/** Runs `praktor backup <args>`; resolves with the exit code. */
export async function backupCommand(
  args: string[],
  secrets: HostSecrets,
  io: Streams = { out: process.stdout, err: process.stderr },
): Promise<number> {
  if (wantsHelp(args)) {
    io.out.write(BACKUP_USAGE);
    return 0;
  }
  let values: ReturnType<typeof parse>;
  try {
    values = parse(args, false);
    if (!values.file) throw new Error('-f FILE is required');
  } catch (e) {
    io.err.write(`praktor backup: ${printable(messageOf(e))}\n\n${BACKUP_USAGE}`);
    return 1;
  }
  const loaded = config(io);
  if (loaded === null) return 1;
  const file = resolve(values.file);
  const progress = new Progress(io.err, 'backing up');
  try {
    const result = await createBackup({
      config: loaded,
      file,
      ...(values.image ? { image: values.image } : {}),
      onBytes: progress.add,
      secret: await secrets(loaded),
    });
    progress.end();
    const files = Object.keys(result.manifest.files).length;
    const { volumes } = result.manifest;
    io.out.write(
      `Backup complete: ${files} files, ${volumes.length} volumes, ` +
        `${formatBytes(result.bytes)} (${formatBytes(statSync(file).size)} compressed) in ${file}\n` +
        byHost(
          volumes.map((v) => ({ host: v.host ?? '', volume: `${result.manifest.docker_prefix}-${v.name}` })),
        ),
    );
    return 0;
  } catch (e) {
    progress.end();
    io.err.write(`praktor backup: ${printable(messageOf(e))}\n`);
    return 1;
  }
}

/** Runs `praktor restore <args>`; resolves with the exit code. */
export async function restoreCommand(
  args: string[],
  secrets: HostSecrets,
  io: Streams = { out: process.stdout, err: process.stderr },
): Promise<number> {
  if (wantsHelp(args)) {
    io.out.write(RESTORE_USAGE);
    return 0;
  }
  let values: ReturnType<typeof parse>;
  try {
    values = parse(args, true);
    if (!values.file) throw new Error('-f FILE is required');
    if (values.verify && values.overwrite)
      throw new Error('--verify restores nothing: leave out --overwrite');
  } catch (e) {
    io.err.write(`praktor restore: ${printable(messageOf(e))}\n\n${RESTORE_USAGE}`);
    return 1;
  }
  const file = resolve(values.file);
  let size: number;
  try {
    size = statSync(file).size;
  } catch (e) {
    io.err.write(`praktor restore: cannot read ${printable(file)}: ${printable(messageOf(e))}\n`);
    return 1;
  }
  if (values.verify) {
    const progress = new Progress(io.err, 'checking', size);
    try {
      const manifest = await verifyBackup(file, progress.add);
      progress.end();
      const files = Object.values(manifest.files);
      const bytes = files.reduce((sum, f) => sum + f.size, 0);
      io.out.write(
        `Archive OK: ${files.length} files (${formatBytes(bytes)}), ${manifest.volumes.length} volumes, ` +
          `written by praktor ${manifest.praktor} at ${manifest.created_at}\n`,
      );
      return 0;
    } catch (e) {
      progress.end();
      io.err.write(`praktor restore: ${printable(file)}: ${printable(messageOf(e))}\n`);
      return 1;
    }
  }
  const loaded = config(io);
  if (loaded === null) return 1;
  // Read twice: checked whole first, then restored.
  const progress = new Progress(io.err, 'restoring', size * 2);
  try {
    const result = await restoreBackup({
      config: loaded,
      file,
      overwrite: values.overwrite ?? false,
      ...(values.image ? { image: values.image } : {}),
      onBytes: progress.add,
      secrets: () => secrets(loaded),
    });
    progress.end();
    io.out.write(
      `Restore complete: ${Object.keys(result.manifest.files).length} files into ${result.dataDir}, ` +
        `${result.volumes.length} volumes\n${byHost(result.volumes)}`,
    );
    return 0;
  } catch (e) {
    progress.end();
    io.err.write(`praktor restore: ${printable(messageOf(e))}\n`);
    return 1;
  }
}
