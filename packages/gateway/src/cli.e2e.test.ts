/**
 * The `praktor` command as a user runs it.
 */
// biome-ignore-all lint/suspicious/noTemplateCurlyInString: config text with ${NAME} references
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PRAKTOR_BIN, spawnPraktor } from '@praktor/testkit';
import { describe, expect, it } from 'vitest';

describe('praktor version', () => {
  it('prints the version', () => {
    expect(execFileSync(process.execPath, [PRAKTOR_BIN, 'version'], { encoding: 'utf8' })).toMatch(
      /^praktor \d+\.\d+\.\d+\n$/,
    );
  });
});

describe('praktor --version and -v', () => {
  for (const flag of ['--version', '-v']) {
    it(`prints the version for ${flag}`, () => {
      expect(execFileSync(process.execPath, [PRAKTOR_BIN, flag], { encoding: 'utf8' })).toMatch(
        /^praktor \d+\.\d+\.\d+\n$/,
      );
    });
  }
});

describe('help on every command', () => {
  /** Runs praktor in an empty folder with a short timeout: a command that acted instead would hang or write. */
  function help(args: string[]) {
    const home = mkdtempSync(join(tmpdir(), 'praktor-help-'));
    const result = spawnSync(process.execPath, [PRAKTOR_BIN, ...args], {
      cwd: home,
      env: { PATH: process.env.PATH, HOME: home, PRAKTOR_DATA_DIR: join(home, 'data') },
      encoding: 'utf8',
      timeout: 10_000,
    });
    return { ...result, home };
  }

  const cases: [string[], string][] = [
    [['--help'], 'Usage: praktor <command>'],
    [['-h'], 'Usage: praktor <command>'],
    [['gateway', '--help'], 'Usage: praktor gateway'],
    [['gateway', '-h'], 'Usage: praktor gateway'],
    [['gateway', 'help'], 'Usage: praktor gateway'],
    [['vault', '--help'], 'Usage: praktor vault <command>'],
    [['vault', 'set', 'token', '--value', 'x', '--help'], 'Usage: praktor vault <command>'],
    [['vault', 'reset', '--yes', '-h'], 'Usage: praktor vault <command>'],
    [['image', '--help'], 'Usage: praktor image build'],
    [['image', 'build', '--help'], 'Usage: praktor image build'],
  ];
  for (const [args, usage] of cases) {
    it(`shows the usage for "praktor ${args.join(' ')}" and does nothing else`, () => {
      const result = help(args);
      expect(result.status).toBe(0);
      expect(result.stdout).toContain(usage);
      // Nothing was started or stored: no data directory was made.
      expect(existsSync(join(result.home, 'data'))).toBe(false);
    });
  }

  it('says how to run praktor after an npm install', () => {
    expect(help(['--help']).stdout).toContain('npx praktor');
  });
});

describe('praktor with an unknown command', () => {
  it('prints the usage and exits non-zero', () => {
    try {
      execFileSync(process.execPath, [PRAKTOR_BIN, 'frobnicate'], { encoding: 'utf8', stdio: 'pipe' });
      expect.unreachable('praktor accepted an unknown command');
    } catch (err) {
      const failure = err as { status: number; stderr: string };
      expect(failure.status).toBe(1);
      expect(failure.stderr).toContain('unknown command "frobnicate"');
      expect(failure.stderr).toContain('gateway');
    }
  });
});

describe('praktor gateway', () => {
  it('refuses a default agent that is not configured, naming the key and the agent', async () => {
    const praktor = await spawnPraktor({
      config: { agents: { general: {}, coder: {} }, router: { default_agent: 'writer' } },
    });
    try {
      const exit = await praktor.process.exited;
      expect(exit.code).toBe(1);
      const output = praktor.process.lines.join('\n');
      expect(output).toContain('router.default_agent');
      expect(output).toContain('writer');
    } finally {
      praktor.cleanup();
    }
  });

  it('refuses a malformed YAML file, naming the file and the line', async () => {
    const praktor = await spawnPraktor({ config: 'agents:\n  general:\n    description: [unclosed\n' });
    try {
      const exit = await praktor.process.exited;
      expect(exit.code).toBe(1);
      const output = praktor.process.lines.join('\n');
      expect(output).toContain('praktor.yaml');
      expect(output).toMatch(/line \d+/);
    } finally {
      praktor.cleanup();
    }
  });

  it('refuses to put Mission Control on the network without a password', async () => {
    const praktor = await spawnPraktor({ config: { web: { host: '0.0.0.0' } } });
    try {
      const exit = await praktor.process.exited;
      expect(exit.code).toBe(1);
      expect(praktor.process.lines.join('\n')).toContain(
        'without a password. Set web.auth (or PRAKTOR_WEB_PASSWORD)',
      );
    } finally {
      praktor.cleanup();
    }
  });

  it('starts with no config file on the built-in defaults and stops cleanly on Ctrl-C', async () => {
    const praktor = await spawnPraktor();
    try {
      const ready = await praktor.waitForLog('gateway ready');
      expect(ready.agents).toEqual(['general']);
      expect(ready.config).toBe('built-in defaults');
      await new Promise((resolve) => setTimeout(resolve, 1000));
      expect(praktor.process.child.exitCode, 'the gateway must keep running until stopped').toBeNull();
      praktor.process.child.kill('SIGINT');
      const exit = await praktor.process.exited;
      expect(exit.code).toBe(0);
      expect(praktor.logs().some((l) => l.msg === 'gateway stopped')).toBe(true);
      expect(praktor.leftovers()).toEqual([]);
    } finally {
      praktor.cleanup();
    }
  });
});

/** The output of a `praktor gateway` that must refuse to start. */
async function refusedStart(opts: Parameters<typeof spawnPraktor>[0]): Promise<string> {
  const praktor = await spawnPraktor(opts);
  try {
    const exit = await praktor.process.exited;
    const output = praktor.process.lines.join('\n');
    expect(exit.code, output).toBe(1);
    return output;
  } finally {
    praktor.cleanup();
  }
}

describe('praktor gateway with hostile or damaged input', () => {
  it('refuses a config whose aliases stand for millions of values, within a 96 MB heap', async () => {
    const items = Array.from({ length: 20_000 }, (_, i) => `    - item${i}`).join('\n');
    const uses = Array.from({ length: 990 }, (_, i) => `  k${i}: *big`).join('\n');
    const output = await refusedStart({
      config: `agentmail:\n  big: &big\n${items}\nspeech:\n${uses}\n`,
      env: { NODE_OPTIONS: '--max-old-space-size=96' },
    });
    expect(output).toMatch(
      /praktor\.yaml: holds more than 100000 keys and values once its aliases \(\*name\) are expanded; a config file may hold at most 100000/,
    );
  });

  it('refuses a password taken from a variable that is not set, naming the key and the variable', async () => {
    const output = await refusedStart({ config: 'web: { auth: "${MC_PASSWORD}" }\n' });
    expect(output).toContain('web.auth: refers to ${MC_PASSWORD}, which is not set or is empty');
  });

  it('prints a config problem holding control characters as text', async () => {
    const output = await refusedStart({ config: { agents: { 'bad\u009b2J\u001b]0;t\u0007': {} } } });
    expect(output).toContain('agents["bad\\x9b2J\\u001b]0;t\\u0007"]: "bad\\x9b2J');
    for (const control of ['\u001b', '\u0007', '\u009b']) expect(output).not.toContain(control);
  });

  it('refuses an empty database file, naming it, and leaves it empty', async () => {
    const home = mkdtempSync(join(tmpdir(), 'praktor-e2e-'));
    mkdirSync(join(home, 'data'));
    const db = join(home, 'data', 'praktor.db');
    writeFileSync(db, '');
    const praktor = await spawnPraktor({ home });
    try {
      const exit = await praktor.process.exited;
      const output = praktor.process.lines.join('\n');
      expect(exit.code, output).toBe(1);
      expect(output).toContain(`${db} is empty (0 bytes)`);
      expect(output).toContain('Restore it from a backup, or move it');
      expect(readFileSync(db)).toHaveLength(0);
    } finally {
      praktor.cleanup();
    }
  });

  it('keeps the data directory and the database to its owner, the shared folder readable by sandboxes inside it', async () => {
    const praktor = await spawnPraktor();
    try {
      await praktor.waitForLog('gateway ready');
      const modes = Object.fromEntries(
        ['', 'praktor.db', 'praktor.db-wal', 'praktor.db-shm', 'global', 'global/USER.md'].map((path) => [
          path,
          (statSync(join(praktor.dataDir, path)).mode & 0o777).toString(8),
        ]),
      );
      expect(modes).toEqual({
        '': '700',
        'praktor.db': '600',
        'praktor.db-wal': '600',
        'praktor.db-shm': '600',
        // Sandboxes that run as the agent user read the shared folder; the private data directory guards it.
        global: '755',
        'global/USER.md': '644',
      });
      await praktor.stop();
    } finally {
      praktor.cleanup();
    }
  });
});
