import { describe, expect, test } from 'vitest';
import { parseConfig } from './parse.js';
import { resolveAgent } from './resolve.js';

const FILE = `
defaults:
  model: default-model
  image: default-image
  runtime: docker
  security: { memory_mb: 256 }
  approvals: { rules: [WebFetch], timeout: 5m }
agents:
  plain: {}
  custom:
    description: Does things
    model: own-model
    image: own-image
    workspace: shared
    runtime: local
    network: none
    env: { EDITOR: vim }
    files: [ { secret: key, target: /k, mode: "0400" } ]
    allowed_tools: [Read]
    nix_enabled: true
    security: { pids_limit: 64 }
    approvals: { rules: ["Bash(rm:*)", WebFetch], timeout: 30s }
router: { default_agent: plain }
`;
const config = (env: NodeJS.ProcessEnv = {}) =>
  parseConfig(FILE, { env, source: 'praktor.yaml', cwd: '/srv' }).config;

describe('resolveAgent', () => {
  test("an agent's own keys win over the defaults", () => {
    expect(resolveAgent(config(), 'custom')).toEqual({
      id: 'custom',
      description: 'Does things',
      model: 'own-model',
      image: 'own-image',
      workspace: 'shared',
      runtime: 'local',
      host: null,
      network: 'none',
      egress: { allow: [], deny: [] },
      env: { EDITOR: 'vim' },
      files: [{ secret: 'key', target: '/k', mode: '0400' }],
      allowedTools: ['Read'],
      nixEnabled: true,
      nixCaches: {
        substituters: ['https://cache.nixos.org'],
        trustedPublicKeys: ['cache.nixos.org-1:6NCHdD59X431o0gWypbMrAURkbJ16ZPMQFGspcDShjY='],
      },
      security: expect.objectContaining({ pids_limit: 64, memory_mb: 2048 }),
      approvalRules: ['WebFetch', 'Bash(rm:*)'],
      approvalTimeoutMs: 30_000,
    });
  });

  test('an agent without its own keys takes model, image, runtime and security from the defaults', () => {
    const loaded = config();
    expect(resolveAgent(loaded, 'plain')).toEqual({
      id: 'plain',
      description: '',
      model: 'default-model',
      image: 'default-image',
      workspace: 'plain',
      runtime: 'docker',
      host: null,
      network: null,
      egress: { allow: [], deny: [] },
      env: {},
      files: [],
      allowedTools: [],
      nixEnabled: false,
      nixCaches: {
        substituters: ['https://cache.nixos.org'],
        trustedPublicKeys: ['cache.nixos.org-1:6NCHdD59X431o0gWypbMrAURkbJ16ZPMQFGspcDShjY='],
      },
      security: loaded.defaults.security,
      approvalRules: ['WebFetch'],
      approvalTimeoutMs: 300_000,
    });
  });

  test("an agent's approval rules join the defaults' (each once), and a timeout of its own replaces theirs", () => {
    const custom = resolveAgent(config(), 'custom');
    expect(custom.approvalRules).toEqual(['WebFetch', 'Bash(rm:*)']);
    expect(custom.approvalTimeoutMs).toBe(30_000);
  });

  test("an approval rule naming one of Praktor's own tools by its bare name is spelled as its MCP tool", () => {
    const loaded = parseConfig('agents: { a: { approvals: { rules: [file_send, "Bash(rm:*)"] } } }', {
      env: {},
      source: 'praktor.yaml',
      cwd: '/srv',
    }).config;
    expect(resolveAgent(loaded, 'a').approvalRules).toEqual(['mcp__praktor-files__file_send', 'Bash(rm:*)']);
  });

  test('an approval timeout defaults to ten minutes', () => {
    const loaded = parseConfig('agents: { a: {} }', { env: {}, source: 'praktor.yaml', cwd: '/srv' }).config;
    expect(resolveAgent(loaded, 'a').approvalTimeoutMs).toBe(600_000);
  });

  test("an agent's security block replaces the default one as a whole", () => {
    const { security } = resolveAgent(config(), 'custom');
    expect(security.memory_mb).toBe(2048);
    expect(security.pids_limit).toBe(64);
  });

  test("an agent's network defaults to defaults.network, else to none of its own (only through the gateway)", () => {
    const own = parseConfig('docker: { prefix: home }\nagents: { a: {} }', {
      env: {},
      source: 'praktor.yaml',
      cwd: '/srv',
    });
    expect(resolveAgent(own.config, 'a').network).toBeNull();
    const set = parseConfig('defaults: { network: host }\nagents: { a: {} }', {
      env: {},
      source: 'praktor.yaml',
      cwd: '/srv',
    });
    expect(resolveAgent(set.config, 'a').network).toBe('host');
  });

  test("the default deny list and the agent's own both apply; the agent's allow list replaces the default one", () => {
    const loaded = parseConfig(
      [
        'defaults: { egress: { allow: ["*.example.com"], deny: [ads.example.com] } }',
        'agents:',
        '  plain: {}',
        '  narrow: { egress: { allow: ["api.github.com:443"], deny: ["*.tracker.example"] } }',
        'router: { default_agent: plain }',
      ].join('\n'),
      { env: {}, source: 'praktor.yaml', cwd: '/srv' },
    ).config;
    const texts = (agent: string) => {
      const { egress } = resolveAgent(loaded, agent);
      return { allow: egress.allow.map((p) => p.text), deny: egress.deny.map((p) => p.text) };
    };
    expect(texts('plain')).toEqual({ allow: ['*.example.com'], deny: ['ads.example.com'] });
    expect(texts('narrow')).toEqual({
      allow: ['api.github.com:443'],
      deny: ['ads.example.com', '*.tracker.example'],
    });
  });

  test('PRAKTOR_AGENT_MODEL and PRAKTOR_RUNTIME reach only agents that do not set their own', () => {
    const loaded = config({ PRAKTOR_AGENT_MODEL: 'env-model', PRAKTOR_RUNTIME: 'auto' });
    expect([resolveAgent(loaded, 'plain').model, resolveAgent(loaded, 'plain').runtime]).toEqual([
      'env-model',
      'auto',
    ]);
    expect([resolveAgent(loaded, 'custom').model, resolveAgent(loaded, 'custom').runtime]).toEqual([
      'own-model',
      'local',
    ]);
  });

  test('an unknown agent is an error listing the configured ones', () => {
    expect(() => resolveAgent(config(), 'writer')).toThrow('unknown agent "writer" (agents: plain, custom)');
  });

  test('names inherited from Object are not agents', () => {
    expect(() => resolveAgent(config(), 'toString')).toThrow('unknown agent "toString"');
  });
});
