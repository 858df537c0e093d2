/**
 * `praktor vault` as a user runs it: real processes on a real database.
 */
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { PRAKTOR_BIN } from '@praktor/testkit';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Store } from '../store/index.js';
import { MAX_SECRET_BYTES, Vault } from './vault.js';

const PASS = 'the right passphrase';
const NEW_PASS = 'the next passphrase';
/** Every byte value, so that nothing is lost to text conversions. */
const BINARY = Buffer.from(Array.from({ length: 512 }, (_, i) => (i * 7) % 256));

let dir: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'praktor-vault-cli-'));
  writeFileSync(
    join(dir, 'praktor.yaml'),
    'agents:\n  general: {}\n  coder: {}\nrouter:\n  default_agent: general\n',
  );
});

afterEach(() => rmSync(dir, { recursive: true, force: true }));

function env(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return { PATH: process.env.PATH, HOME: dir, PRAKTOR_DATA_DIR: join(dir, 'data'), ...extra };
}

/** Runs `praktor vault …` with the passphrase `pass` (undefined: none). */
function vault(
  args: string[],
  opts: { pass?: string | undefined; input?: Buffer | string; env?: NodeJS.ProcessEnv } = {},
) {
  const pass = 'pass' in opts ? opts.pass : PASS;
  const result = spawnSync(process.execPath, [PRAKTOR_BIN, 'vault', ...args], {
    cwd: dir,
    env: env({ ...(pass !== undefined ? { PRAKTOR_VAULT_PASSPHRASE: pass } : {}), ...opts.env }),
    input: opts.input ?? '',
  });
  return {
    code: result.status,
    stdout: result.stdout,
    out: result.stdout.toString(),
    err: result.stderr.toString(),
  };
}

function ok(args: string[], opts: Parameters<typeof vault>[1] = {}) {
  const result = vault(args, opts);
  if (result.code !== 0) throw new Error(`praktor vault ${args[0]} failed (${result.code}): ${result.err}`);
  return result;
}

function dbFile(): string {
  return join(dir, 'data', 'praktor.db');
}

/** How many bytes the database's write-ahead log holds (0 when there is none). */
function walBytes(): number {
  try {
    return statSync(`${dbFile()}-wal`).size;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 0;
    throw error;
  }
}

/** Secrets of the largest size a vault takes, for a rotation that lasts long enough to be caught midway. */
const LARGE_SECRETS = 48;

/** Every vault row, as comparable text. */
function rows(): string {
  const db = new Database(dbFile(), { readonly: true });
  try {
    return JSON.stringify(
      ['vault_meta', 'secrets', 'agent_secrets'].map((table) =>
        db
          .prepare(`SELECT * FROM ${table} ORDER BY 1, 2`)
          .all()
          .map((row) =>
            Object.values(row as object).map((v) => (Buffer.isBuffer(v) ? v.toString('hex') : v)),
          ),
      ),
    );
  } finally {
    db.close();
  }
}

function fill(): void {
  ok(['set', 'token', '--value', 'tok-123456789', '--description', 'A token']);
  writeFileSync(join(dir, 'key.bin'), BINARY);
  ok(['set', 'key', '--file', join(dir, 'key.bin')]);
  ok(['assign', 'token', '--agent', 'coder']);
}

describe('praktor vault with a wrong passphrase', () => {
  it('is refused by every command, and the database stays byte for byte as it was', () => {
    fill();
    const bytes = readFileSync(dbFile());
    const before = rows();
    const commands = [
      ['list'],
      ['set', 'token', '--value', 'replaced'],
      ['set', 'fresh', '--value', 'new value'],
      ['get', 'token'],
      ['delete', 'token'],
      ['assign', 'token', '--agent', 'writer'],
      ['unassign', 'token', '--agent', 'coder'],
      ['global', 'token', '--enable'],
      ['rotate'],
    ];
    for (const command of commands) {
      const result = vault(command, {
        pass: 'a wrong passphrase',
        env: { PRAKTOR_VAULT_NEW_PASSPHRASE: NEW_PASS },
      });
      expect({ command, code: result.code }).toEqual({ command, code: 1 });
      expect(result.err).toContain('the vault passphrase is wrong');
      expect(result.out).toBe('');
    }
    expect(rows()).toBe(before);
    expect(readFileSync(dbFile()).equals(bytes)).toBe(true);
  });
});

describe('praktor vault set and get', () => {
  it('keep a binary file byte for byte, on standard output and with --out', () => {
    fill();
    const got = ok(['get', 'key']);
    expect(got.stdout.equals(BINARY)).toBe(true);
    expect(got.err).toContain('File: key.bin');
    ok(['get', 'key', '--out', join(dir, 'copy.bin')]);
    expect(readFileSync(join(dir, 'copy.bin')).equals(BINARY)).toBe(true);
  });

  it('print a text value with a newline', () => {
    fill();
    expect(ok(['get', 'token']).out).toBe('tok-123456789\n');
  });

  it('read the value from standard input with --value -, without its trailing newline', () => {
    ok(['set', 'piped', '--value', '-'], { input: 'from a pipe\n' });
    expect(ok(['get', 'piped']).out).toBe('from a pipe\n');
  });

  it('list descriptions, kinds, global flags and agents, never values', () => {
    fill();
    ok(['global', 'key', '--enable']);
    const listed = ok(['list']).out;
    expect(listed.split('\n')[0]).toMatch(/^NAME\s+KIND\s+GLOBAL\s+DESCRIPTION\s+AGENTS$/);
    expect(listed).toMatch(/key\s+file\s+yes/);
    expect(listed).toMatch(/token\s+string\s+A token\s+coder/);
    expect(listed).not.toContain('tok-123456789');
  });
});

describe('praktor vault mistakes', () => {
  it('names a missing secret and exits 1', () => {
    fill();
    const result = vault(['get', 'nope']);
    expect(result.code).toBe(1);
    expect(result.err).toContain('no secret named "nope"');
  });

  it('names the missing option of set and exits 1', () => {
    const result = vault(['set', 'x']);
    expect(result.code).toBe(1);
    expect(result.err).toContain('--value V or --file PATH');
  });

  it('refuses to assign a secret to an agent the configuration does not have, suggesting the near one', () => {
    fill();
    const result = vault(['assign', 'key', '--agent', 'codr']);
    expect(result.code).toBe(1);
    expect(result.err).toMatch(/"codr" is not an agent in \S*praktor\.yaml \(did you mean "coder"\?\)/);
    expect(result.err).toContain('agents: general, coder');
    expect(ok(['list']).out).not.toContain('codr');
  });

  it('shows the usage for --help after a command and changes nothing', () => {
    fill();
    const before = rows();
    const result = vault(['delete', 'token', '--help']);
    expect(result.code).toBe(0);
    expect(result.out).toContain('praktor vault <command>');
    expect(rows()).toBe(before);
  });

  it('suggests the near command for a mistyped one', () => {
    expect(vault(['asign', 'token']).err).toContain('unknown vault command "asign" (did you mean "assign"?)');
  });

  it('names an unknown vault command and shows the usage', () => {
    const result = vault(['frobnicate']);
    expect(result.code).toBe(1);
    expect(result.err).toContain('unknown vault command "frobnicate"');
    expect(result.err).toContain('praktor vault <command>');
  });

  it('says how to give the passphrase when there is none and no terminal', () => {
    const result = vault(['list'], { pass: undefined });
    expect(result.code).toBe(1);
    expect(result.err).toContain('PRAKTOR_VAULT_PASSPHRASE');
  });
});

describe('praktor vault rotate', () => {
  it('keeps every secret readable under the new passphrase and refuses the old one', () => {
    fill();
    const rotated = ok(['rotate'], { env: { PRAKTOR_VAULT_NEW_PASSPHRASE: NEW_PASS } });
    expect(rotated.out).toContain('2 secrets');
    expect(ok(['get', 'token'], { pass: NEW_PASS }).out).toBe('tok-123456789\n');
    expect(ok(['get', 'key'], { pass: NEW_PASS }).stdout.equals(BINARY)).toBe(true);
    expect(vault(['list']).err).toContain('the vault passphrase is wrong');
  });

  it('leaves the vault readable under the old passphrase when killed midway', async () => {
    fill();
    ok(['set', 'third', '--value', 'third value']);
    // Enough data that rotate's one transaction cannot hold its re-encrypted pages in SQLite's cache: it spills
    // them into the write-ahead log long before it commits, which a test can see from outside.
    const store = Store.open(join(dir, 'data'));
    const large = await Vault.open(store.vault, PASS);
    for (let i = 0; i < LARGE_SECRETS; i++) {
      await large.set({
        name: `large-${i}`,
        kind: 'file',
        filename: 'x.bin',
        value: randomBytes(MAX_SECRET_BYTES),
      });
    }
    store.close();
    const before = rows();
    const child = spawn(process.execPath, [PRAKTOR_BIN, 'vault', 'rotate'], {
      cwd: dir,
      env: env({ PRAKTOR_VAULT_PASSPHRASE: PASS, PRAKTOR_VAULT_NEW_PASSPHRASE: NEW_PASS }),
      stdio: 'ignore',
    });
    const exited = new Promise((resolve) => child.once('exit', resolve));
    // Committing needs a log frame for every re-encrypted page, so a log this much smaller than the secrets
    // means the rotation is under way and not committed.
    const midway = 8 * MAX_SECRET_BYTES;
    let logged = walBytes();
    while (child.exitCode === null && logged < midway) {
      await sleep(1);
      logged = walBytes();
    }
    child.kill('SIGKILL');
    await exited;
    expect(logged, 'rotate ended before it was seen midway').toBeGreaterThanOrEqual(midway);
    expect(logged).toBeLessThan(LARGE_SECRETS * MAX_SECRET_BYTES);
    expect(rows()).toBe(before);
    expect(ok(['get', 'token']).out).toBe('tok-123456789\n');
    expect(ok(['get', 'key']).stdout.equals(BINARY)).toBe(true);
    expect(ok(['get', 'third']).out).toBe('third value\n');
    expect(vault(['list'], { pass: NEW_PASS }).err).toContain('the vault passphrase is wrong');
  });
});

describe('praktor vault reset', () => {
  it('deletes every secret only with --yes, so that a new passphrase can start over', () => {
    fill();
    expect(vault(['reset'], { pass: undefined }).code).toBe(1);
    expect(ok(['reset', '--yes'], { pass: undefined }).out).toContain('2 secrets deleted');
    expect(ok(['list'], { pass: 'a new start' }).out).toBe('No secrets stored.\n');
  });
});

/** An escape sequence that retitles a terminal, as a name or description could carry it. */
const RETITLE = '\u001b]0;pwned\u0007';
/** How it must appear instead: as visible text. */
const RETITLE_SHOWN = '\\x1b]0;pwned\\x07';

describe('praktor vault prints names safely', () => {
  it('shows a file name holding an escape sequence as text when getting the secret', () => {
    const path = join(dir, `key${RETITLE}.bin`);
    writeFileSync(path, BINARY);
    ok(['set', 'key', '--file', path]);
    const got = ok(['get', 'key']);
    expect(got.err).toBe(`File: key${RETITLE_SHOWN}.bin\n`);
    expect(got.stdout.equals(BINARY)).toBe(true);
  });

  it('shows a description holding an escape sequence as text in the list', () => {
    ok(['set', 'token', '--value', 'tok-123456789', '--description', `look${RETITLE}here\nforged line`]);
    const listed = ok(['list']).out;
    expect(listed).toContain(`look${RETITLE_SHOWN}here\\x0aforged line`);
    expect(listed).not.toContain('\u001b');
  });

  it('shows stored names and agent ids holding control characters as text in the list', () => {
    fill();
    const db = new Database(dbFile());
    db.prepare("UPDATE secrets SET name = ? WHERE name = 'key'").run(`key${RETITLE}`);
    db.prepare('UPDATE agent_secrets SET agent_id = ?').run(`coder\u009b2J`);
    db.close();
    const listed = ok(['list']).out;
    expect(listed).toContain(`key${RETITLE_SHOWN}`);
    expect(listed).toContain('coder\\x9b2J');
    for (const control of ['\u001b', '\u0007', '\u009b']) expect(listed).not.toContain(control);
  });

  it('shows a name given on the command line as text in its error', () => {
    const result = vault(['get', `nope${RETITLE}`]);
    expect(result.code).toBe(1);
    expect(result.err).toBe(`praktor vault: no secret named "nope${RETITLE_SHOWN}"\n`);
  });

  it('refuses a new secret name with a control character, naming the rule', () => {
    const result = vault(['set', `bad${RETITLE}`, '--value', 'some value here']);
    expect(result.code).toBe(1);
    expect(result.err).toContain(`"bad${RETITLE_SHOWN}" is not a valid secret name`);
    expect(result.err).not.toContain('\u001b');
  });

  it('refuses to assign a secret to an agent id that is not one, naming the rule', () => {
    fill();
    const result = vault(['assign', 'token', '--agent', `writer${RETITLE}`]);
    expect(result.code).toBe(1);
    expect(result.err).toBe(
      'praktor vault: "writer\\u001b]0;pwned\\u0007" is not a valid agent id (use letters, digits, "_" and "-", starting with a letter or digit)\n',
    );
    expect(ok(['list']).out).toMatch(/token\s+string\s+A token\s+coder$/m);
  });
});

describe('praktor vault on a database it must not use', () => {
  it('refuses an empty database file, naming it, and leaves it empty', () => {
    mkdirSync(join(dir, 'data'));
    writeFileSync(dbFile(), '');
    const result = vault(['list']);
    expect(result.code).toBe(1);
    expect(result.err).toContain(`praktor vault: ${dbFile()} is empty (0 bytes)`);
    expect(result.err).toContain('Restore it from a backup');
    expect(readFileSync(dbFile())).toHaveLength(0);
  });

  it('narrows a data directory others can read, and says so', () => {
    mkdirSync(join(dir, 'data'), { mode: 0o755 });
    chmodSync(join(dir, 'data'), 0o755);
    const result = ok(['list']);
    expect(result.err).toBe(
      `note: ${join(dir, 'data')} was readable by other users (0755); it is now 0700, its owner's only\n`,
    );
    expect(statSync(join(dir, 'data')).mode & 0o777).toBe(0o700);
  });
});
