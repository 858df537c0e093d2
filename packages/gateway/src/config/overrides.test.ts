import { describe, expect, test } from 'vitest';
import { ConfigError } from './issues.js';
import { parseConfig } from './parse.js';
import type { Config } from './schema.js';

const FILE = `
telegram: { token: file-token, api_root: "http://file.example" }
defaults: { model: file-model, anthropic_api_key: file-key, oauth_token: file-oauth, runtime: docker }
web: { port: 8000, auth: file-password, host: 0.0.0.0 }
vault: { passphrase: file-passphrase }
`;
const load = (env: NodeJS.ProcessEnv) =>
  parseConfig(FILE, { env, source: 'praktor.yaml', cwd: '/srv' }).config;

function problems(env: NodeJS.ProcessEnv): string[] {
  try {
    load(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.message.split('\n');
    throw error;
  }
  throw new Error('expected the config to be rejected');
}

describe('environment overrides', () => {
  test.each<[string, string, (config: Config) => unknown, unknown]>([
    ['PRAKTOR_TELEGRAM_TOKEN', 'env-token', (c) => c.telegram.token, 'env-token'],
    ['PRAKTOR_TELEGRAM_API_ROOT', 'http://127.0.0.1:9/', (c) => c.telegram.api_root, 'http://127.0.0.1:9'],
    ['ANTHROPIC_API_KEY', 'env-key', (c) => c.defaults.anthropic_api_key, 'env-key'],
    ['CLAUDE_CODE_OAUTH_TOKEN', 'env-oauth', (c) => c.defaults.oauth_token, 'env-oauth'],
    ['PRAKTOR_AGENT_MODEL', 'env-model', (c) => c.defaults.model, 'env-model'],
    ['PRAKTOR_RUNTIME', 'auto', (c) => c.defaults.runtime, 'auto'],
    ['PRAKTOR_WEB_HOST', '::1', (c) => c.web.host, '::1'],
    ['PRAKTOR_WEB_PORT', '9090', (c) => c.web.port, 9090],
    ['PRAKTOR_WEB_PASSWORD', 'env-password', (c) => c.web.auth, 'env-password'],
    ['PRAKTOR_VAULT_PASSPHRASE', 'env-passphrase', (c) => c.vault.passphrase, 'env-passphrase'],
  ])('%s wins over the file', (variable, value, read, expected) => {
    expect(read(load({ [variable]: value }))).toEqual(expected);
  });

  test('an empty variable leaves the file value', () => {
    const config = load({ PRAKTOR_TELEGRAM_TOKEN: '', PRAKTOR_WEB_PORT: '', PRAKTOR_RUNTIME: '' });
    expect([config.telegram.token, config.web.port, config.defaults.runtime]).toEqual([
      'file-token',
      8000,
      'docker',
    ]);
  });

  test('a PRAKTOR_WEB_PORT that is not a port is an error naming the variable', () => {
    expect(problems({ PRAKTOR_WEB_PORT: '80a' })).toEqual([
      'PRAKTOR_WEB_PORT: "80a" is not a port number (use a whole number from 1 to 65535)',
    ]);
  });

  test('a PRAKTOR_WEB_PORT out of range is an error naming the variable', () => {
    expect(problems({ PRAKTOR_WEB_PORT: '65536' })).toEqual([
      'PRAKTOR_WEB_PORT: "65536" is not a port number (use a whole number from 1 to 65535)',
    ]);
  });

  test('an unknown PRAKTOR_RUNTIME is an error naming the variable', () => {
    expect(problems({ PRAKTOR_RUNTIME: 'podman' })).toEqual([
      'PRAKTOR_RUNTIME: "podman" is not one of local, docker, auto',
    ]);
  });

  test('a PRAKTOR_TELEGRAM_API_ROOT that is not a URL is an error naming the variable', () => {
    expect(problems({ PRAKTOR_TELEGRAM_API_ROOT: 'localhost:8081' })).toEqual([
      'PRAKTOR_TELEGRAM_API_ROOT: must be an http:// or https:// URL',
    ]);
  });

  test('PRAKTOR_AGENT_MODEL changes the default model, not an agent that names its own', () => {
    const config = parseConfig('agents: { a: { model: own } }', {
      env: { PRAKTOR_AGENT_MODEL: 'env-model' },
      source: 'praktor.yaml',
      cwd: '/srv',
    }).config;
    expect([config.defaults.model, config.agents.a?.model]).toEqual(['env-model', 'own']);
  });
});
