// biome-ignore-all lint/suspicious/noTemplateCurlyInString: these strings are config text with ${NAME} references
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeEmbeddingModel } from '@praktor/testkit';
import { afterAll, describe, expect, test } from 'vitest';
import { ConfigError } from './issues.js';
import { parseConfig } from './parse.js';

const CWD = '/srv/praktor';
const parse = (text: string, env: NodeJS.ProcessEnv = {}) =>
  parseConfig(text, { env, source: 'praktor.yaml', cwd: CWD });

/** The problem lines for `text`, which must be rejected. */
function problems(text: string, env: NodeJS.ProcessEnv = {}): string[] {
  try {
    parse(text, env);
  } catch (error) {
    if (error instanceof ConfigError) return error.message.split('\n');
    throw error;
  }
  throw new Error('expected the config to be rejected');
}

/** The original's config/praktor.example.yaml (reference section 2.5). */
const ORIGINAL_EXAMPLE = `
telegram: { token: "\${PRAKTOR_TELEGRAM_TOKEN}", allow_from: [], main_chat_id: 0 }
defaults:
  image: praktor-agent:latest
  model: claude-sonnet-4-6
  max_running: 5
  idle_timeout: 10m
  anthropic_api_key: "\${ANTHROPIC_API_KEY}"
  oauth_token: "\${CLAUDE_CODE_OAUTH_TOKEN}"
agents:
  general:    { description: "General-purpose assistant...", workspace: general }
  coder:
    description: "Software engineering specialist"
    model: claude-opus-4-6
    nix_enabled: true
    env: { EDITOR: vim, GITHUB_TOKEN: "secret:github-token" }
    files: [ { secret: gcp-service-account, target: /etc/gcp/sa.json, mode: "0600" } ]
  researcher: { description: "Web research...", allowed_tools: [WebSearch, WebFetch, Read, Write] }
router: { default_agent: general }
web: { enabled: true, port: 8080, auth: "\${PRAKTOR_WEB_PASSWORD}" }
vault: { passphrase: "\${PRAKTOR_VAULT_PASSPHRASE}" }
scheduler: { poll_interval: 30s }
`;

describe("the original's example config", () => {
  const env = {
    PRAKTOR_TELEGRAM_TOKEN: '123456:telegram',
    ANTHROPIC_API_KEY: 'sk-ant-key',
    CLAUDE_CODE_OAUTH_TOKEN: 'oauth',
    PRAKTOR_WEB_PASSWORD: 'web-password',
    PRAKTOR_VAULT_PASSPHRASE: 'vault-passphrase',
  };

  test('loads unchanged without warnings', () => {
    expect(parse(ORIGINAL_EXAMPLE, env).warnings).toEqual([]);
  });

  test('takes telegram, defaults, router, web, vault and scheduler values from the file and the environment', () => {
    const { config } = parse(ORIGINAL_EXAMPLE, env);
    expect(config.telegram).toEqual({
      token: '123456:telegram',
      allow_from: [],
      main_chat_id: 0,
      api_root: 'https://api.telegram.org',
      stream: 'draft',
    });
    expect(config.defaults).toMatchObject({
      image: 'praktor-agent:latest',
      model: 'claude-sonnet-4-6',
      max_running: 5,
      idle_timeout: 600_000,
      anthropic_api_key: 'sk-ant-key',
      oauth_token: 'oauth',
      runtime: 'local',
    });
    expect(config.router).toEqual({
      default_agent: 'general',
      ai: true,
      model: 'claude-haiku-4-5',
      timeout: 3000,
    });
    expect(config.web).toEqual({
      enabled: true,
      port: 8080,
      auth: 'web-password',
      host: '127.0.0.1',
      allowed_hosts: [],
      trusted_proxies: [],
    });
    expect(config.vault).toEqual({ passphrase: 'vault-passphrase' });
    expect(config.scheduler).toEqual({
      poll_interval: 30_000,
      max_parallel: 3,
      timezone: Intl.DateTimeFormat().resolvedOptions().timeZone,
    });
  });

  test('keeps the agents in the order of the file, with every key of their definitions', () => {
    const { agents } = parse(ORIGINAL_EXAMPLE, env).config;
    expect(Object.keys(agents)).toEqual(['general', 'coder', 'researcher']);
    expect(agents.coder).toEqual({
      description: 'Software engineering specialist',
      model: 'claude-opus-4-6',
      image: '',
      workspace: 'coder',
      claude_md: '',
      egress: { allow: [], deny: [] },
      env: { EDITOR: 'vim', GITHUB_TOKEN: 'secret:github-token' },
      files: [{ secret: 'gcp-service-account', target: '/etc/gcp/sa.json', mode: '0600' }],
      allowed_tools: [],
      nix_enabled: true,
    });
    expect(agents.researcher?.allowed_tools).toEqual(['WebSearch', 'WebFetch', 'Read', 'Write']);
  });

  test('records the absolute path of the file and the data directory', () => {
    const { config } = parse(ORIGINAL_EXAMPLE, env);
    expect(config.source).toBe('/srv/praktor/praktor.yaml');
    expect(config.dataDir).toBe('/srv/praktor/data');
  });
});

describe('docs/configuration.md', () => {
  const doc = readFileSync(new URL('../../../../docs/configuration.md', import.meta.url), 'utf8');
  const yamlBlocks = [...doc.matchAll(/```yaml\n([\s\S]*?)```/g)].map((match) => match[1] ?? '');

  test('its complete example loads without warnings', () => {
    const example = yamlBlocks.at(-1) ?? '';
    const { config, warnings } = parse(example, { PRAKTOR_TELEGRAM_TOKEN: 't' });
    expect(warnings).toEqual([]);
    expect(Object.keys(config.agents)).toEqual(['general', 'coder', 'researcher']);
  });

  test('its merge-key example loads without warnings', () => {
    const anchors = yamlBlocks.find((block) => block.includes('<<:')) ?? '';
    const { config, warnings } = parse(`${anchors.replace(/^ {2}/gm, '')}router: { default_agent: coder }`);
    expect(warnings).toEqual([]);
    expect(config.agents.reviewer).toMatchObject({ description: 'Reviews code', model: 'claude-opus-4-6' });
    expect(config.agents.reviewer?.env).toEqual({ EDITOR: 'vim' });
  });
});

describe('defaults', () => {
  test('an empty file runs the built-in general agent as the default agent', () => {
    const { config } = parse('');
    expect(Object.keys(config.agents)).toEqual(['general']);
    expect(config.agents.general?.description).toMatch(/general-purpose/);
    expect(config.agents.general?.workspace).toBe('general');
    expect(config.router.default_agent).toBe('general');
  });

  test('an empty file leaves Telegram off, runs agents locally and serves the web UI on loopback only', () => {
    const { config } = parse('');
    expect(config.telegram.token).toBe('');
    expect(config.defaults.runtime).toBe('local');
    expect(config.web).toEqual({
      enabled: true,
      port: 8080,
      auth: '',
      host: '127.0.0.1',
      allowed_hosts: [],
      trusted_proxies: [],
    });
  });

  test("an empty file takes the original's defaults for every other key", () => {
    const { config } = parse('');
    expect(config.defaults).toMatchObject({
      image: 'praktor-agent:latest',
      model: 'claude-opus-4-6',
      max_running: 5,
      idle_timeout: 600_000,
    });
    expect(config.scheduler.poll_interval).toBe(30_000);
    expect(config.swarms).toEqual({ member_timeout: 15 * 60_000, tier_timeout: 30 * 60_000 });
    expect(config.nats.data_dir).toBe('data/nats');
    expect(config.agentmail).toEqual({});
    expect(config.speech).toEqual({
      api_key: '',
      transcription_model: 'whisper-1',
      tts_enabled: false,
      tts_mode: 'voice',
      tts_engine: 'api',
      tts_model: 'tts-1',
    });
  });

  test('security defaults to the hardened profile: no capabilities added, read-only root, limited memory and CPU', () => {
    expect(parse('').config.defaults.security).toEqual({
      no_new_privileges: true,
      drop_capabilities: true,
      add_capabilities: [],
      pids_limit: 1024,
      memory_mb: 2048,
      cpus: 2,
      tmpfs: true,
      readonly_rootfs: true,
    });
  });

  test("agents join Praktor's own network, and Docker objects are named with the prefix praktor", () => {
    const { config } = parse('agents: { a: {} }');
    expect(config.defaults.network).toBe('');
    expect(config.agents.a?.network).toBeUndefined();
    expect(config.docker).toEqual({ prefix: 'praktor', hosts: {} });
  });

  test('an empty agents mapping also runs the built-in general agent', () => {
    expect(Object.keys(parse('agents: {}').config.agents)).toEqual(['general']);
  });

  test('an agent written without a body takes every default', () => {
    expect(parse('agents:\n  solo:\n').config.agents.solo).toMatchObject({
      description: '',
      workspace: 'solo',
      env: {},
    });
  });

  test('a single agent is the default agent when router.default_agent is empty', () => {
    expect(parse('agents: { solo: {} }').config.router.default_agent).toBe('solo');
  });

  test("an agent's workspace defaults to its id", () => {
    const { agents } = parse(
      'agents: { a: {}, b: { workspace: shared } }\nrouter: { default_agent: a }',
    ).config;
    expect([agents.a?.workspace, agents.b?.workspace]).toEqual(['a', 'shared']);
  });

  test('an agent without a security block inherits (has none of its own)', () => {
    expect(parse('agents: { a: {} }').config.agents.a?.security).toBeUndefined();
  });

  test("an agent's partial security block takes the Balanced defaults for the fields it leaves out", () => {
    const security = parse('agents: { a: { security: { memory_mb: 512, cpus: 1.5 } } }').config.agents.a
      ?.security;
    expect(security).toMatchObject({ memory_mb: 512, cpus: 1.5, no_new_privileges: true, pids_limit: 1024 });
  });

  test('null, empty and empty-string values mean the default', () => {
    const { config } = parse(
      'web:\ndefaults: { image: "", max_running: ~, idle_timeout: }\ntelegram: { allow_from: }',
    );
    expect(config.web.port).toBe(8080);
    expect(config.defaults.image).toBe('praktor-agent:latest');
    expect(config.defaults.max_running).toBe(5);
    expect(config.defaults.idle_timeout).toBe(600_000);
    expect(config.telegram.allow_from).toEqual([]);
  });

  test('a zero poll interval means 30 seconds, as in the original scheduler', () => {
    expect(parse('scheduler: { poll_interval: 0s }').config.scheduler.poll_interval).toBe(30_000);
  });

  test('the data directory comes from PRAKTOR_DATA_DIR, relative to the working directory', () => {
    expect(parse('', { PRAKTOR_DATA_DIR: 'state' }).config.dataDir).toBe('/srv/praktor/state');
    expect(parse('', { PRAKTOR_DATA_DIR: '/var/lib/praktor' }).config.dataDir).toBe('/var/lib/praktor');
  });
});

describe('reading YAML values like the original', () => {
  test('an unquoted file mode keeps its octal digits', () => {
    const { config } = parse('agents: { a: { files: [ { secret: s, target: /k, mode: 0640 } ] } }');
    expect(config.agents.a?.files[0]?.mode).toBe('0640');
  });

  test('a file mode defaults to 0600', () => {
    const { config } = parse('agents: { a: { files: [ { secret: s, target: /k } ] } }');
    expect(config.agents.a?.files[0]?.mode).toBe('0600');
  });

  test('text keys keep numbers as written', () => {
    const { config } = parse('defaults: { model: 1.10 }\nagents: { a: { env: { PORT: 0080, ON: true } } }');
    expect(config.defaults.model).toBe('1.10');
    expect(config.agents.a?.env).toEqual({ PORT: '0080', ON: 'true' });
  });

  test('an env entry without a value is empty text', () => {
    expect(parse('agents: { a: { env: { EMPTY: } } }').config.agents.a?.env).toEqual({ EMPTY: '' });
  });

  test('booleans accept yes/no and on/off, as yaml.v3 does', () => {
    const { config } = parse('web: { enabled: no }\nagents: { a: { nix_enabled: on } }');
    expect(config.web.enabled).toBe(false);
    expect(config.agents.a?.nix_enabled).toBe(true);
  });

  test('a bare 0 is accepted as a duration', () => {
    expect(parse('defaults: { idle_timeout: 0 }').config.defaults.idle_timeout).toBe(0);
  });

  test('durations are Go syntax converted to milliseconds', () => {
    expect(parse('defaults: { idle_timeout: 1h30m }').config.defaults.idle_timeout).toBe(5_400_000);
    expect(parse('defaults: { idle_timeout: 1.5h }').config.defaults.idle_timeout).toBe(5_400_000);
    expect(parse('scheduler: { poll_interval: 300ms }').config.scheduler.poll_interval).toBe(300);
  });

  test('anchors and merge keys share settings between agents', () => {
    const text = `
x-base: &base { model: claude-haiku, nix_enabled: true }
agents:
  a: { <<: *base, description: first }
  b:
    <<: *base
    model: claude-opus
router: { default_agent: a }
`;
    const { config } = parse(text);
    expect(config.agents.a).toMatchObject({ model: 'claude-haiku', nix_enabled: true, description: 'first' });
    expect(config.agents.b).toMatchObject({ model: 'claude-opus', nix_enabled: true });
  });

  test('a telegram api_root loses its trailing slash', () => {
    expect(parse('telegram: { api_root: "http://127.0.0.1:8081/" }').config.telegram.api_root).toBe(
      'http://127.0.0.1:8081',
    );
  });

  test('agentmail is kept as written, unchecked', () => {
    const { config, warnings } = parse('agentmail: { api_key: k, inbox: { x: 1 } }');
    expect(config.agentmail).toEqual({ api_key: 'k', inbox: { x: '1' } });
    expect(warnings).toEqual([]);
  });

  test("speech reads the original's keys beside the endpoint and engine", () => {
    const { config, warnings } = parse(
      'speech: { api_key: k, tts_enabled: true, tts_mode: voice, tts_voice: nova, url: "http://127.0.0.1:8000" }',
    );
    expect(config.speech).toMatchObject({
      api_key: 'k',
      tts_enabled: true,
      tts_mode: 'voice',
      tts_voice: 'nova',
      url: 'http://127.0.0.1:8000',
    });
    expect(warnings).toEqual([]);
  });

  test('an unknown speech engine is named with the choices', () => {
    expect(problems('speech: { tts_engine: festival }')).toEqual([
      'speech.tts_engine: "festival" is not one of api, espeak',
    ]);
  });
});

describe('environment expansion', () => {
  test('a $ in a password survives', () => {
    const { config } = parse('web: { auth: "pa$word$$1" }\nvault: { passphrase: pa$$phrase$HOME }', {
      HOME: '/root',
    });
    expect(config.web.auth).toBe('pa$word$$1');
    expect(config.vault.passphrase).toBe('pa$$phrase$HOME');
  });

  test('${VAR:-x} falls back to x when VAR is unset', () => {
    expect(parse('defaults: { model: "${MODEL:-claude-haiku}" }').config.defaults.model).toBe('claude-haiku');
  });

  test('${VAR:-x} uses VAR when it is set', () => {
    expect(
      parse('defaults: { model: "${MODEL:-claude-haiku}" }', { MODEL: 'opus' }).config.defaults.model,
    ).toBe('opus');
  });

  test('an unset ${VAR} is empty, so the key takes its default', () => {
    expect(parse('defaults: { image: "${IMAGE}" }').config.defaults.image).toBe('praktor-agent:latest');
  });

  test('$${VAR} is a literal ${VAR}', () => {
    expect(parse('web: { auth: "$${NOT_EXPANDED}" }', { NOT_EXPANDED: 'x' }).config.web.auth).toBe(
      '${NOT_EXPANDED}',
    );
  });

  test('numbers, booleans and durations can come from variables', () => {
    const text =
      'web: { port: ${PORT}, enabled: "${WEB:-false}" }\ntelegram: { main_chat_id: ${CHAT} }\ndefaults: { idle_timeout: ${IDLE} }';
    const { config } = parse(text, { PORT: '9000', CHAT: '-100123', IDLE: '5m' });
    expect(config.web).toMatchObject({ port: 9000, enabled: false });
    expect(config.telegram.main_chat_id).toBe(-100123);
    expect(config.defaults.idle_timeout).toBe(300_000);
  });

  test('an unquoted reference works inside { }, as in the original, which expanded before parsing', () => {
    const { config } = parse('telegram: { token: ${TOKEN}, allow_from: [${ADA}, 2] }', {
      TOKEN: 't',
      ADA: '1',
    });
    expect(config.telegram).toMatchObject({ token: 't', allow_from: [1, 2] });
  });

  test('an expanded value cannot change the structure of the file', () => {
    const { config } = parse('web: { auth: ${PW} }', { PW: 'a: b # c' });
    expect(config.web.auth).toBe('a: b # c');
  });
});

describe('validation', () => {
  test('rejects an agent id that is not safe as a container name', () => {
    expect(problems('agents: { "my agent": {}, ok: {} }\nrouter: { default_agent: ok }')).toEqual([
      'agents["my agent"]: "my agent" is not a valid agent id (use letters, digits, "_" and "-", starting with a letter or digit)',
    ]);
  });

  test('rejects an agent id starting with a dash or underscore', () => {
    expect(problems('agents: { -x: {}, _y: {}, ok: {} }\nrouter: { default_agent: ok }')).toEqual([
      expect.stringMatching(/^agents\.-x: "-x" is not a valid agent id/),
      expect.stringMatching(/^agents\._y: "_y" is not a valid agent id/),
    ]);
  });

  test('rejects max_running below 1', () => {
    expect(problems('defaults: { max_running: 0 }')).toEqual([
      'defaults.max_running: must be at least 1 (got 0)',
    ]);
  });

  test('rejects a max_running that is not a whole number', () => {
    expect(problems('defaults: { max_running: 2.5 }')).toEqual([
      'defaults.max_running: "2.5" is not a whole number',
    ]);
  });

  test.each(['0', '65536', '-1', 'http'])('rejects web.port %s', (port) => {
    expect(problems(`web: { port: ${port} }`)).toEqual([
      `web.port: "${port}" is not a port number (use a whole number from 1 to 65535)`,
    ]);
  });

  test('reads web.allowed_hosts as lower-case host names and IP addresses', () => {
    const { config } = parse('web: { allowed_hosts: [Praktor.Example.com, 192.168.1.20, "::1"] }');
    expect(config.web.allowed_hosts).toEqual(['praktor.example.com', '192.168.1.20', '::1']);
  });

  test('rejects a web.allowed_hosts entry with a scheme or a port', () => {
    expect(
      problems('web: { allowed_hosts: ["https://praktor.example.com", "praktor.example.com:443"] }'),
    ).toEqual([
      'web.allowed_hosts[0]: "https://praktor.example.com" is not a host name or IP address (write it without a scheme or port)',
      'web.allowed_hosts[1]: "praktor.example.com:443" is not a host name or IP address (write it without a scheme or port)',
    ]);
  });

  test('reads web.trusted_proxies as IP addresses and CIDR blocks', () => {
    const { config } = parse('web: { trusted_proxies: [127.0.0.1, 10.0.0.0/8, "fd00::/8"] }');
    expect(config.web.trusted_proxies).toEqual(['127.0.0.1', '10.0.0.0/8', 'fd00::/8']);
  });

  test('rejects a web.trusted_proxies entry that is not an address or block', () => {
    expect(problems('web: { trusted_proxies: [loopback, 10.0.0.0/33, proxy.example.com] }')).toEqual([
      'web.trusted_proxies[0]: "loopback" is not an IP address or a CIDR block such as 10.0.0.0/8',
      'web.trusted_proxies[1]: "10.0.0.0/33" is not an IP address or a CIDR block such as 10.0.0.0/8',
      'web.trusted_proxies[2]: "proxy.example.com" is not an IP address or a CIDR block such as 10.0.0.0/8',
    ]);
  });

  test('rejects a duration in words', () => {
    expect(problems('defaults: { idle_timeout: 10 minutes }')).toEqual([
      'defaults.idle_timeout: "10 minutes" is not a duration (use Go syntax such as 30s, 10m, 1h30m)',
    ]);
  });

  test('rejects a duration without a unit, as the original does', () => {
    expect(problems('scheduler: { poll_interval: 30 }')).toEqual([
      'scheduler.poll_interval: 30 has no unit (use Go syntax such as 30s, 10m, 1h30m)',
    ]);
  });

  test('rejects a negative duration', () => {
    expect(problems('defaults: { idle_timeout: -5m }')).toEqual([
      'defaults.idle_timeout: must not be negative (got -5m)',
    ]);
  });

  test('reads the swarm limits as durations', () => {
    const { config } = parse('swarms: { member_timeout: 1h, tier_timeout: 90m }');
    expect(config.swarms).toEqual({ member_timeout: 3_600_000, tier_timeout: 5_400_000 });
  });

  test('rejects a swarm limit of zero, which would stop every member before it started', () => {
    expect(problems('swarms: { member_timeout: 0s, tier_timeout: 0 }')).toEqual([
      'swarms.member_timeout: must be longer than 0 (got 0s)',
      'swarms.tier_timeout: must be longer than 0 (got 0)',
    ]);
  });

  test('rejects an allow_from entry that is not a whole number', () => {
    expect(problems('telegram: { allow_from: [123, "@ada"] }')).toEqual([
      'telegram.allow_from[1]: "@ada" is not a whole number',
    ]);
  });

  test('rejects an allow_from that is not a list', () => {
    expect(problems('telegram: { allow_from: { a: 1 } }')).toEqual([
      'telegram.allow_from: must be a list, not a mapping',
    ]);
  });

  test('rejects a telegram api_root that is not an http(s) URL', () => {
    expect(problems('telegram: { api_root: "api.telegram.org" }')).toEqual([
      'telegram.api_root: must be an http:// or https:// URL',
    ]);
  });

  test('rejects a file mode that is not octal', () => {
    expect(problems('agents: { coder: { files: [ { secret: s, target: /k, mode: "0800" } ] } }')).toEqual([
      'agents.coder.files[0].mode: must be an octal file mode like "0600"',
    ]);
  });

  test('requires the secret and an absolute target of a file', () => {
    expect(problems('agents: { coder: { files: [ { target: etc/key } ] } }')).toEqual([
      'agents.coder.files[0].secret: is required (the name of a vault secret)',
      'agents.coder.files[0].target: must be an absolute path such as /etc/app/key.json',
    ]);
  });

  test('rejects a workspace that could leave the agents folder', () => {
    expect(problems('agents: { a: { workspace: ../etc } }')).toEqual([
      'agents.a.workspace: "../etc" must be a simple name (letters, digits, ".", "_" and "-", starting with a letter or digit)',
    ]);
  });

  test('rejects a network or a Docker prefix that Docker could not name', () => {
    expect(
      problems('defaults: { network: "my net" }\nagents: { a: { network: /x } }\ndocker: { prefix: -p }'),
    ).toEqual([
      'defaults.network: "my net" must be a simple name (letters, digits, ".", "_" and "-", starting with a letter or digit)',
      'agents.a.network: "/x" must be a simple name (letters, digits, ".", "_" and "-", starting with a letter or digit)',
      'docker.prefix: "-p" must be a simple name (letters, digits, ".", "_" and "-", starting with a letter or digit)',
    ]);
  });

  test('rejects an egress pattern that names no host, saying what to write', () => {
    expect(
      problems('agents: { a: { egress: { allow: ["https://api.github.com"], deny: ["host:99999"] } } }'),
    ).toEqual([
      'agents.a.egress.allow[0]: "https://api.github.com" is not a host pattern (write a host such as api.example.com, *.example.com, 10.1.2.3 or [::1], optionally with :port)',
      'agents.a.egress.deny[0]: "host:99999" has a port outside 1-65535',
    ]);
  });

  test('rejects an unknown runtime', () => {
    expect(problems('defaults: { runtime: podman }\nagents: { a: { runtime: vm } }')).toEqual([
      'defaults.runtime: "podman" is not one of local, docker, auto',
      'agents.a.runtime: "vm" is not one of local, docker, auto',
    ]);
  });

  test('rejects a default agent that is not configured, listing the agents', () => {
    expect(problems('agents: { general: {}, coder: {} }\nrouter: { default_agent: writer }')).toEqual([
      'router.default_agent: "writer" is not a configured agent (agents: general, coder)',
    ]);
  });

  test('requires a default agent when several agents are defined', () => {
    expect(problems('agents: { general: {}, coder: {} }')).toEqual([
      'router.default_agent: is required when several agents are defined (agents: general, coder)',
    ]);
  });

  test('rejects a default agent other than the built-in one when no agents are defined', () => {
    expect(problems('router: { default_agent: coder }')).toEqual([
      'router.default_agent: "coder" is not a configured agent (agents: general)',
    ]);
  });

  test('names the expected shape when a value has the wrong one', () => {
    expect(problems('telegram: [a]\ndefaults: { model: [x] }\nagents: { a: { env: [X=1] } }')).toEqual([
      'telegram: must be a mapping of keys, not a list',
      'defaults.model: must be text, not a list',
      'agents.a.env: must be a mapping of keys, not a list',
    ]);
  });

  test('rejects a file that is not a mapping', () => {
    expect(problems('- telegram')).toEqual([
      '/srv/praktor/praktor.yaml: must be a mapping of keys such as telegram, defaults and agents, not a list',
    ]);
  });

  test('names the file, line and column of a YAML syntax error', () => {
    expect(problems('web:\n  port: 8080\n  auth: "unterminated\n')).toEqual([
      expect.stringMatching(
        /^\/srv\/praktor\/praktor\.yaml: Missing closing "quote at line \d+, column \d+$/,
      ),
    ]);
  });

  test('locates a syntax error in the text as written, even after a reference on the same line', () => {
    expect(problems('web: { port: ${PORT}, auth: "x" "y" }')).toEqual([
      '/srv/praktor/praktor.yaml: Unexpected double-quoted-scalar at node end at line 1, column 33',
    ]);
  });

  test('names the line of a duplicate key', () => {
    expect(problems('web: {}\nweb: {}')).toEqual([
      '/srv/praktor/praktor.yaml: Map keys must be unique at line 2, column 1',
    ]);
  });

  test('rejects an alias used inside its own anchor', () => {
    expect(problems('agents: &a { x: *a }')).toEqual([
      '/srv/praktor/praktor.yaml: an alias (*name) is used inside the anchor it refers to',
    ]);
  });

  test('reports every problem at once, from the file and from the environment', () => {
    const text = `
telegram: { allow_from: [x], api_root: nope }
defaults: { max_running: 0, idle_timeout: soon }
agents: { "bad id": {}, coder: { files: [ { secret: s, target: /k, mode: rw } ] } }
router: { default_agent: writer }
web: { port: 0 }
`;
    const lines = problems(text, { PRAKTOR_WEB_PORT: 'eighty', PRAKTOR_RUNTIME: 'vm' });
    expect(lines.map((line) => line.slice(0, line.indexOf(':')))).toEqual([
      'telegram.allow_from[0]',
      'telegram.api_root',
      'defaults.max_running',
      'defaults.idle_timeout',
      'agents.coder.files[0].mode',
      'web.port',
      'agents["bad id"]',
      'router.default_agent',
      'PRAKTOR_RUNTIME',
      'PRAKTOR_WEB_PORT',
    ]);
  });

  test('the error carries each problem as a path and message, and the file', () => {
    try {
      parse('web: { port: 0 }');
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as ConfigError).issues).toEqual([
        { path: 'web.port', message: '"0" is not a port number (use a whole number from 1 to 65535)' },
      ]);
      expect((error as ConfigError).source).toBe('/srv/praktor/praktor.yaml');
    }
  });
});

describe('unknown keys', () => {
  test('suggest nothing when no known key is near', () => {
    expect(parse('completely_different: 1').warnings).toEqual([
      'unknown key "completely_different" is ignored',
    ]);
  });

  test('are ignored with a warning naming their path', () => {
    const text = `
telgram: { token: x }
defaults: { idle_timout: 5m }
agents: { a: { modle: x, files: [ { secret: s, target: /k, mod: "0644" } ], security: { memmory_mb: 1 } } }
`;
    const { config, warnings } = parse(text);
    expect(warnings.sort()).toEqual([
      'unknown key "agents.a.files[0].mod" is ignored (did you mean "mode"?)',
      'unknown key "agents.a.modle" is ignored (did you mean "model"?)',
      'unknown key "agents.a.security.memmory_mb" is ignored (did you mean "memory_mb"?)',
      'unknown key "defaults.idle_timout" is ignored (did you mean "idle_timeout"?)',
      'unknown key "telgram" is ignored (did you mean "telegram"?)',
    ]);
    expect(config.defaults.idle_timeout).toBe(600_000);
  });

  test('are listed on the error as hints when the config is rejected', () => {
    try {
      parse('agents: { a: { files: [ { secrt: s, target: /k } ] } }');
      expect.unreachable();
    } catch (error) {
      expect((error as ConfigError).message).toBe(
        'agents.a.files[0].secret: is required (the name of a vault secret)',
      );
      expect((error as ConfigError).warnings).toEqual([
        'unknown key "agents.a.files[0].secrt" is ignored (did you mean "secret"?)',
      ]);
    }
  });
});

describe('the scheduler section', () => {
  test('runs up to three tasks at once unless told otherwise', () => {
    expect(parse('').config.scheduler.max_parallel).toBe(3);
    expect(parse('scheduler: { max_parallel: 8 }').config.scheduler.max_parallel).toBe(8);
  });

  test('refuses fewer than one parallel run', () => {
    expect(problems('scheduler: { max_parallel: 0 }')).toEqual([
      'scheduler.max_parallel: must be at least 1 (got 0)',
    ]);
  });

  test("reads schedules in the gateway's own zone unless a zone is set", () => {
    expect(parse('').config.scheduler.timezone).toBe(Intl.DateTimeFormat().resolvedOptions().timeZone);
    expect(parse('scheduler: { timezone: Europe/Athens }').config.scheduler.timezone).toBe('Europe/Athens');
  });

  test('refuses a zone that does not exist, naming the key', () => {
    expect(problems('scheduler: { timezone: Mars/Olympus_Mons }')).toEqual([
      'scheduler.timezone: unknown time zone "Mars/Olympus_Mons" (use an IANA name such as Europe/Berlin or UTC)',
    ]);
  });
});

describe('a missing variable in a password or passphrase', () => {
  test('web.auth: ${UNSET} is a problem naming the key and the variable, not an empty password', () => {
    expect(problems('web: { auth: "${WEB_PASSWORD}" }')).toEqual([
      'web.auth: refers to ${WEB_PASSWORD}, which is not set or is empty; that would leave Mission Control ' +
        'without a password. Set WEB_PASSWORD, or write ${WEB_PASSWORD:-} if that is meant',
    ]);
  });

  test('vault.passphrase: ${UNSET} is a problem naming the key and the variable', () => {
    expect(problems('vault: { passphrase: "${VAULT_PASS}" }')).toEqual([
      'vault.passphrase: refers to ${VAULT_PASS}, which is not set or is empty; that would leave the vault ' +
        'without its passphrase, so no agent could use a secret. Set VAULT_PASS, or write ${VAULT_PASS:-} if that is meant',
    ]);
  });

  test('a variable set to the empty text is refused the same way', () => {
    expect(problems('web: { auth: "${WEB_PASSWORD}" }', { WEB_PASSWORD: '' })[0]).toMatch(
      /^web\.auth: refers to \$\{WEB_PASSWORD\}, which is not set or is empty/,
    );
  });

  test('a missing variable inside a longer value is refused too', () => {
    expect(problems('web: { auth: "x-${WEB_PASSWORD}" }')[0]).toMatch(
      /^web\.auth: refers to \$\{WEB_PASSWORD\}/,
    );
  });

  test('${NAME:-} says that empty is meant, and is accepted', () => {
    expect(parse('web: { auth: "${WEB_PASSWORD:-}" }').config.web.auth).toBe('');
  });

  test('a set variable is used', () => {
    expect(parse('web: { auth: "${WEB_PASSWORD}" }', { WEB_PASSWORD: 'pw' }).config.web.auth).toBe('pw');
  });

  test('does not apply when the override variable replaces the key', () => {
    const { config } = parse('web: { auth: "${WEB_PASSWORD}" }\nvault: { passphrase: "${VP}" }', {
      PRAKTOR_WEB_PASSWORD: 'from-override',
      PRAKTOR_VAULT_PASSPHRASE: 'phrase',
    });
    expect(config.web.auth).toBe('from-override');
    expect(config.vault.passphrase).toBe('phrase');
  });

  test('tokens and API keys keep the original behaviour: a missing variable is empty', () => {
    const { config } = parse(
      'telegram: { token: "${T}" }\ndefaults: { anthropic_api_key: "${K}", oauth_token: "${O}" }',
    );
    expect(config.telegram.token).toBe('');
    expect(config.defaults).toMatchObject({ anthropic_api_key: '', oauth_token: '' });
  });
});

describe('Docker hosts', () => {
  test('reads hosts with their address, TLS files from paths or the vault, and labels', () => {
    const { config } = parse(`
docker:
  hosts:
    box:
      url: tcp://box.lan:2376
      tls: { ca: /etc/praktor/ca.pem, cert: /etc/praktor/cert.pem, key: "secret:box-key" }
      labels: { room: attic }
agents: { coder: { host: box } }
`);
    expect(config.docker.hosts.box).toEqual({
      url: 'tcp://box.lan:2376',
      tls: { ca: '/etc/praktor/ca.pem', cert: '/etc/praktor/cert.pem', key: 'secret:box-key' },
      labels: { room: 'attic' },
    });
    expect(config.agents.coder?.host).toBe('box');
  });

  test('lets an agent be pinned to the local daemon without defining it', () => {
    expect(parse('agents: { coder: { host: local } }').config.agents.coder?.host).toBe('local');
  });

  test('rejects a pin to a host that docker.hosts does not define, listing the hosts', () => {
    expect(
      problems(
        'docker: { hosts: { box: { url: "ssh://praktor@box.lan" } } }\nagents: { coder: { host: boxx } }',
      ),
    ).toEqual(['agents.coder.host: "boxx" is not a Docker host (docker.hosts: local, box)']);
  });

  test('rejects a host address that is not tcp://, ssh:// or unix://', () => {
    const [problem] = problems('docker: { hosts: { box: { url: "http://box.lan:2375" } } }');
    expect(problem).toContain('docker.hosts.box.url');
    expect(problem).toContain('must be a tcp://, ssh:// or unix:// address of a Docker daemon');
  });

  test('rejects a TLS file that is neither an absolute path nor a vault secret', () => {
    const [problem] = problems(
      'docker: { hosts: { box: { url: "tcp://box.lan:2376", tls: { ca: certs/ca.pem } } } }',
    );
    expect(problem).toContain('docker.hosts.box.tls.ca');
    expect(problem).toContain('must be an absolute path or secret:NAME');
  });
});

describe('memory.embeddings.model_dir', () => {
  const root = mkdtempSync(join(tmpdir(), 'praktor-model-dir-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  test('a transformers.js model folder is taken, without a trailing slash', () => {
    const dir = writeEmbeddingModel(join(root, 'tiny'), { words: ['tea'] });
    expect(parse(`memory:\n  embeddings:\n    model_dir: ${dir}/\n`).config.memory.embeddings.model_dir).toBe(
      dir,
    );
  });

  test('a folder that is not a model folder is refused, naming what it lacks', () => {
    const dir = join(root, 'half');
    mkdirSync(join(dir, 'onnx'), { recursive: true });
    writeFileSync(join(dir, 'config.json'), '{}');
    expect(problems(`memory:\n  embeddings:\n    model_dir: ${dir}\n`)).toEqual([
      `memory.embeddings.model_dir: ${dir} is not a transformers.js model folder: it has no tokenizer.json, no tokenizer_config.json, no onnx/model_quantized.onnx or onnx/model.onnx (download a model such as Xenova/all-MiniLM-L6-v2 with its onnx/ folder, see docs/memory.md)`,
    ]);
  });

  test('a relative path or a missing folder is refused', () => {
    expect(problems('memory:\n  embeddings:\n    model_dir: models/minilm\n')).toEqual([
      'memory.embeddings.model_dir: must be an absolute path such as /opt/models/all-MiniLM-L6-v2',
    ]);
    expect(problems(`memory:\n  embeddings:\n    model_dir: ${root}/none\n`)).toEqual([
      `memory.embeddings.model_dir: ${root}/none cannot be read (ENOENT)`,
    ]);
  });

  test('an endpoint and a model folder together are refused: one source only', () => {
    const dir = writeEmbeddingModel(join(root, 'both'), { words: ['tea'] });
    expect(
      problems(
        `memory:\n  embeddings:\n    url: http://127.0.0.1:11434\n    model: m\n    model_dir: ${dir}\n`,
      ),
    ).toEqual([
      'memory.embeddings: url and model_dir are both set; choose one embedding source: an endpoint (url, model) or a model folder on this machine (model_dir)',
    ]);
  });
});
