/**
 * Secret references in extensions, resolved from a real vault under its access rules: a server whose reference
 * does not resolve is left out with a message saying why, and the agent's other servers start as saved.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseConfig, resolveAgent } from '../config/index.js';
import { Store } from '../store/index.js';
import { AgentSecrets } from '../vault/agent-secrets.js';
import { Vault } from '../vault/vault.js';
import { startExtensions } from './agent-extensions.js';

const config = parseConfig('router: { default_agent: general }\nagents: { general: {}, coder: {} }\n', {
  env: {},
  source: 'praktor.yaml',
  cwd: '/srv',
}).config;

describe('extensions at start', () => {
  let dir: string;
  let store: Store;
  let secrets: AgentSecrets;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'praktor-agent-extensions-'));
    store = Store.open(dir);
    const vault = await Vault.open(store.vault, 'passphrase of the extensions test');
    await vault.set({ name: 'coder-token', kind: 'string', value: Buffer.from('token-of-coder') });
    vault.assign('coder-token', 'coder');
    secrets = new AgentSecrets(vault);
  });

  afterEach(() => {
    store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('stops only the server whose secret exists but is not assigned to the agent, saying so', () => {
    const started = startExtensions(
      resolveAgent(config, 'general'),
      {
        mcp_servers: {
          locked: {
            type: 'http',
            url: 'https://mcp.example.com/mcp',
            headers: { 'X-Key': 'secret:coder-token' },
          },
          open: { type: 'stdio', command: 'node', env: { MODE: 'plain' } },
        },
      },
      secrets,
    );
    expect(Object.keys(started.mcp_servers ?? {})).toEqual(['open']);
    expect(started.errors).toEqual([
      'MCP server "locked" was not started: extensions.mcp_servers.locked.headers.X-Key refers to the secret ' +
        '"coder-token", which agent "general" may not use: assign it (praktor vault assign coder-token --agent general) ' +
        'or make it global',
    ]);
  });

  it('gives the agent it is assigned to the secret’s value', () => {
    const started = startExtensions(
      resolveAgent(config, 'coder'),
      { mcp_servers: { locked: { type: 'stdio', command: 'node', env: { TOKEN: 'secret:coder-token' } } } },
      secrets,
    );
    expect(started.mcp_servers?.locked).toEqual({
      type: 'stdio',
      command: 'node',
      env: { TOKEN: 'token-of-coder' },
    });
    expect(started.errors).toEqual([]);
  });
});
