import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { ConfigError } from './issues.js';
import { loadConfig } from './load.js';

let dir: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'praktor-config-'));
});

afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** Writes a config whose only agent is `id`, so a test can tell which file was read. */
function writeConfig(path: string, id: string): string {
  const file = join(dir, path);
  mkdirSync(join(file, '..'), { recursive: true });
  writeFileSync(file, `agents:\n  ${id}: { description: from ${path} }\n`);
  return file;
}

const agentsOf = (env: NodeJS.ProcessEnv = {}) => Object.keys(loadConfig({ env, cwd: dir }).config.agents);

function loadError(env: NodeJS.ProcessEnv): ConfigError {
  try {
    loadConfig({ env, cwd: dir });
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected loading to fail');
}

describe('finding the config file', () => {
  test('reads PRAKTOR_CONFIG, relative to the working directory, before any other file', () => {
    writeConfig('praktor.yaml', 'local');
    const file = writeConfig('etc/custom.yaml', 'custom');
    expect(agentsOf({ PRAKTOR_CONFIG: 'etc/custom.yaml' })).toEqual(['custom']);
    expect(loadConfig({ env: { PRAKTOR_CONFIG: 'etc/custom.yaml' }, cwd: dir }).config.source).toBe(file);
  });

  test('reads an absolute PRAKTOR_CONFIG', () => {
    const file = writeConfig('etc/custom.yaml', 'custom');
    expect(agentsOf({ PRAKTOR_CONFIG: file })).toEqual(['custom']);
  });

  test('a PRAKTOR_CONFIG naming no file is an error naming the variable', () => {
    const error = loadError({ PRAKTOR_CONFIG: 'missing.yaml' });
    expect(error.message).toBe(
      `PRAKTOR_CONFIG: ${join(dir, 'missing.yaml')} does not exist or is not a file`,
    );
  });

  test('a PRAKTOR_CONFIG naming a directory is an error', () => {
    expect(loadError({ PRAKTOR_CONFIG: '.' }).issues[0]?.path).toBe('PRAKTOR_CONFIG');
  });

  test('an empty PRAKTOR_CONFIG counts as unset', () => {
    writeConfig('praktor.yaml', 'local');
    expect(agentsOf({ PRAKTOR_CONFIG: '' })).toEqual(['local']);
  });

  test('reads ./praktor.yaml first, and warns that ./config/praktor.yaml is ignored', () => {
    const used = writeConfig('praktor.yaml', 'top');
    const ignored = writeConfig('config/praktor.yaml', 'nested');
    const { config, warnings } = loadConfig({ env: {}, cwd: dir });
    expect(Object.keys(config.agents)).toEqual(['top']);
    expect(config.source).toBe(used);
    expect(warnings).toEqual([`${ignored} is ignored because ${used} is used`]);
  });

  test("reads ./config/praktor.yaml, the original's location, when there is no ./praktor.yaml", () => {
    const file = writeConfig('config/praktor.yaml', 'nested');
    const { config } = loadConfig({ env: {}, cwd: dir });
    expect(Object.keys(config.agents)).toEqual(['nested']);
    expect(config.source).toBe(file);
  });

  test('skips a directory named praktor.yaml', () => {
    mkdirSync(join(dir, 'praktor.yaml'));
    writeConfig('config/praktor.yaml', 'nested');
    expect(agentsOf()).toEqual(['nested']);
  });

  test('without any file, runs on built-in defaults with no source', () => {
    const { config, warnings } = loadConfig({ env: {}, cwd: dir });
    expect(config.source).toBeNull();
    expect(Object.keys(config.agents)).toEqual(['general']);
    expect(config.dataDir).toBe(join(dir, 'data'));
    expect(warnings).toEqual([]);
  });

  test('without any file, environment overrides still apply', () => {
    const { config } = loadConfig({
      env: { PRAKTOR_TELEGRAM_TOKEN: 't', PRAKTOR_WEB_PORT: '9000' },
      cwd: dir,
    });
    expect([config.telegram.token, config.web.port]).toEqual(['t', 9000]);
  });

  test('problems in the file name the file on the error', () => {
    const file = join(dir, 'praktor.yaml');
    writeFileSync(file, 'web: { port: 0 }\n');
    const error = loadError({});
    expect(error.source).toBe(file);
    expect(error.issues.map((issue) => issue.path)).toEqual(['web.port']);
  });

  test('a YAML syntax error names the file, line and column', () => {
    const file = join(dir, 'praktor.yaml');
    writeFileSync(file, 'web:\n  port: 8080\n  port: 9090\n');
    expect(loadError({}).message).toBe(`${file}: Map keys must be unique at line 3, column 3`);
  });
});

describe('the size of the file', () => {
  test('refuses a file larger than 1 MiB without reading it, naming the file and the limit', () => {
    const file = join(dir, 'praktor.yaml');
    writeFileSync(file, `# ${'x'.repeat(2 * 1024 * 1024)}\n`);
    expect(loadError({}).message).toBe(
      `${file}: is ${2 * 1024 * 1024 + 3} bytes; a config file may be at most 1048576 bytes (1 MiB)`,
    );
  });
});
