/**
 * The shape of `praktor.yaml`: the original's keys with their defaults, plus Praktor's additions
 * (`telegram.api_root`, `defaults.runtime`, `agents.<id>.runtime`, `defaults.network`, `agents.<id>.network`, `defaults.egress`, `agents.<id>.egress`,
 * `docker.prefix`, `web.host`, `web.allowed_hosts`, `web.trusted_proxies`). Keys keep the YAML's snake_case names so that documentation, files and problems
 * all use the same words.
 */
import type { z } from 'zod';
import { timezoneProblem } from '../timezone.js';
import {
  dictionary,
  list,
  opaqueSection,
  optionalScalar,
  optionalSection,
  optionalText,
  requiredScalar,
  requiredText,
  scalar,
  section,
  text,
} from './fields.js';
import {
  fail,
  ok,
  type Read,
  readAbsoluteFolder,
  readAbsolutePath,
  readAddressOrBlock,
  readCapability,
  readChoice,
  readDuration,
  readFlag,
  readHostName,
  readHostPattern,
  readHttpUrl,
  readNonNegativeDecimal,
  readOctalMode,
  readPort,
  readSimpleName,
  readWholeNumber,
} from './readers.js';

/** Where agents run: a local sandboxed process, a Docker container, or Docker when available else local. */
export const RUNTIMES = ['local', 'docker', 'auto'] as const;

/** One of {@link RUNTIMES}. */
export type RuntimeKind = (typeof RUNTIMES)[number];

/** Reads a runtime name; shared with the `PRAKTOR_RUNTIME` override. */
export const readRuntime = readChoice(RUNTIMES);
/** How answers show in Telegram while they are written (see channels/telegram/streaming.ts). */
const STREAM_MODES = ['draft', 'edit', 'off'] as const;
/** When spoken answers are sent (see speech/). */
const TTS_MODES = ['voice'] as const;
/** What speaks answers: an OpenAI-compatible `/v1/audio/speech`, or espeak-ng and ffmpeg on the gateway's host. */
export const TTS_ENGINES = ['api', 'espeak'] as const;

const flag = (fallback: boolean) => scalar(readFlag, fallback, 'true or false');
const wholeNumber = (fallback: number, min?: number) =>
  scalar((value) => readWholeNumber(value, { min }), fallback, 'a whole number');
const duration = (fallback: number) => scalar(readDuration, fallback, 'a duration such as 30s or 10m');
/** A limit on how long something may take: zero would stop it before it started, so it is refused. */
const readTimeLimit = (value: string): Read<number> => {
  const read = readDuration(value);
  return read.ok && read.value === 0 ? fail(`must be longer than 0 (got ${value})`) : read;
};
const timeLimit = (fallback: number) => scalar(readTimeLimit, fallback, 'a duration such as 30s or 10m');

/** The original scheduler treats a zero poll interval as 30 seconds; the loader does it up front. */
const SCHEDULER_POLL_MS = 30_000;
const readPollInterval = (value: string): Read<number> => {
  const read = readDuration(value);
  return read.ok && read.value === 0 ? ok(SCHEDULER_POLL_MS) : read;
};

/** The gateway's own zone: `TZ` when set to a zone Node knows, else the system's. */
const LOCAL_TIMEZONE = Intl.DateTimeFormat().resolvedOptions().timeZone ?? 'UTC';
const readTimezone = (value: string): Read<string> => {
  const problem = timezoneProblem(value);
  return problem === null ? ok(value) : fail(problem);
};

/**
 * Container hardening. The original's "Balanced" profile, made stricter where nothing needs the extra rights: no
 * capabilities are added back (nothing runs as root at start any more), the root filesystem is read-only, and
 * memory and CPU are limited. Every field left out of a security block takes these.
 */
const securityShape = {
  no_new_privileges: flag(true),
  drop_capabilities: flag(true),
  add_capabilities: list(
    requiredScalar(readCapability, 'a capability name', 'a capability name such as CHOWN'),
  ),
  pids_limit: wholeNumber(1024, 0),
  memory_mb: wholeNumber(2048, 0),
  cpus: scalar(readNonNegativeDecimal, 2, 'a number'),
  tmpfs: flag(true),
  readonly_rootfs: flag(true),
};

const securitySchema = section(securityShape);

/** Container hardening settings (`defaults.security`, `agents.<id>.security`). */
export type SecuritySettings = z.output<typeof securitySchema>;

/** A tool-call pattern in Claude Code's permission-rule style, such as `Bash(rm:*)`, `WebFetch` or `mcp__server__tool`. */
const approvalRule = requiredText('a tool-call pattern such as Bash(rm:*)');

/** Spending limits in USD; 0 or left out means no limit. */
const budgetShape = {
  daily_usd: scalar(readNonNegativeDecimal, 0, 'a number of US dollars'),
  monthly_usd: scalar(readNonNegativeDecimal, 0, 'a number of US dollars'),
};

const secretFileSchema = section({
  secret: requiredText('the name of a vault secret'),
  target: requiredScalar(readAbsolutePath, 'a path', 'where the file goes inside the sandbox'),
  mode: scalar(readOctalMode, '0600', 'an octal file mode'),
});

const hostPatterns = () =>
  list(requiredScalar(readHostPattern, 'a host pattern', 'a host pattern such as *.github.com'));

/** Where an agent's internet traffic may go through the gateway's proxy (`defaults.egress`, `agents.<id>.egress`). */
const egressShape = { allow: hostPatterns(), deny: hostPatterns() };

/**
 * A file the Docker client presents or trusts: a path on this machine, or `secret:NAME` for a vault secret. Kept as
 * written; the runtime reads it when it connects.
 */
const readCredentialSource = (value: string): Read<string> => {
  if (value.startsWith('secret:')) {
    return value.length > 'secret:'.length ? ok(value) : fail('names no vault secret after "secret:"');
  }
  return value.startsWith('/')
    ? ok(value)
    : fail(`${JSON.stringify(value)} must be an absolute path or secret:NAME (a vault secret)`);
};
const credentialSource = (meaning: string) =>
  optionalScalar(readCredentialSource, `an absolute path or secret:NAME (${meaning})`);

/** Reads the address of a Docker daemon. */
const readDockerUrl = (value: string): Read<string> =>
  /^(tcp|ssh|unix):\/\/./.test(value)
    ? ok(value)
    : fail(`${JSON.stringify(value)} must be a tcp://, ssh:// or unix:// address of a Docker daemon`);

/** One Docker daemon under `docker.hosts`. */
const dockerHostSchema = section({
  url: requiredScalar(readDockerUrl, 'an address', 'such as tcp://box.lan:2376 or ssh://praktor@box.lan'),
  // Mutual TLS for tcp:// addresses (what `dockerd --tlsverify` asks for).
  tls: optionalSection({
    ca: credentialSource('the certificate authority that signed the daemon'),
    cert: credentialSource("this gateway's client certificate"),
    key: credentialSource("the client certificate's private key"),
  }),
  // Free-form labels, shown in Mission Control and `praktor doctor`.
  labels: dictionary(text()),
});

/** The keys of one agent (`agents.<id>`). */
export const agentShape = {
  description: text(),
  model: text(),
  image: text(),
  // Empty here; the loader fills in the agent's id, which the schema of one agent cannot see.
  workspace: scalar(readSimpleName, '', 'a name'),
  claude_md: text(),
  env: dictionary(text()),
  files: list(secretFileSchema),
  allowed_tools: list(requiredText('a tool name such as Read')),
  nix_enabled: flag(false),
  runtime: optionalScalar(readRuntime, 'one of local, docker, auto'),
  // Left out: the Docker runtime places the agent (see runtimes/docker-placement.ts).
  host: optionalScalar(readSimpleName, 'the name of a host under docker.hosts'),
  network: optionalScalar(readSimpleName, 'a Docker network name'),
  egress: section(egressShape),
  security: optionalSection(securityShape),
  agentmail_inbox_id: optionalText(),
  // The agent's rules join those of `defaults.approvals`; its timeout, when given, replaces the default one.
  approvals: optionalSection({
    rules: list(approvalRule),
    timeout: optionalScalar(readDuration, 'a duration such as 30s or 10m'),
  }),
  budgets: optionalSection(budgetShape),
  // Left out: true for the default agent, false for the others.
  prewarm: optionalScalar(readFlag, 'true or false'),
};

const agentSchema = section(agentShape);

/** The top-level keys of the configuration file. */
export const configShape = {
  telegram: section({
    token: text(),
    allow_from: list(
      requiredScalar((value) => readWholeNumber(value), 'a whole number', 'a Telegram user id'),
    ),
    main_chat_id: wholeNumber(0),
    api_root: scalar(readHttpUrl, 'https://api.telegram.org', 'a URL'),
    stream: scalar(readChoice(STREAM_MODES), 'draft', 'one of draft, edit, off'),
    // Left out: on when allow_from is empty, so that a new installation can let its owner in from the chat.
    pairing: optionalScalar(readFlag, 'true or false'),
  }),
  defaults: section({
    image: text('praktor-agent:latest'),
    model: text('claude-opus-4-6'),
    max_running: wholeNumber(5, 1),
    idle_timeout: duration(10 * 60_000),
    anthropic_api_key: text(),
    oauth_token: text(),
    runtime: scalar(readRuntime, 'local', 'one of local, docker, auto'),
    // Empty: no network of the sandbox's own; the internet only through the gateway's proxy.
    network: scalar(readSimpleName, '', 'a Docker network name'),
    egress: section(egressShape),
    security: securitySchema,
    approvals: section({ rules: list(approvalRule), timeout: duration(10 * 60_000) }),
  }),
  agents: dictionary(agentSchema),
  // All agents together.
  budgets: section(budgetShape),
  // Names every container, volume and network of this installation, so that several share one Docker daemon.
  docker: section({
    prefix: scalar(readSimpleName, 'praktor', 'a name'),
    // Docker daemons agents may run on, by name; `local` (DOCKER_HOST, else the socket) is there unless redefined.
    hosts: dictionary(dockerHostSchema),
  }),
  // Where the nix of agents with nix_enabled gets packages: binary caches, and the keys their packages are signed with.
  nix: section({
    substituters: list(
      requiredScalar(readHttpUrl, 'a URL', 'a binary cache URL such as https://cache.nixos.org'),
      ['https://cache.nixos.org'],
    ),
    trusted_public_keys: list(
      requiredText('a key such as cache.nixos.org-1:6NCHdD59X431o0gWypbMrAURkbJ16ZPMQFGspcDShjY='),
      ['cache.nixos.org-1:6NCHdD59X431o0gWypbMrAURkbJ16ZPMQFGspcDShjY='],
    ),
  }),
  router: section({
    default_agent: text(),
    // Plain text with no @agent goes to the agent a small model picks from the agents' descriptions.
    ai: flag(true),
    model: text('claude-haiku-4-5'),
    // The longest a message waits for the pick; then it goes to the default agent.
    timeout: duration(3_000),
  }),
  nats: section({ data_dir: text('data/nats') }),
  web: section({
    enabled: flag(true),
    port: scalar(readPort, 8080, 'a port number'),
    auth: text(),
    host: text('127.0.0.1'),
    // Names besides this machine's own (loopback, localhost, its addresses) that browsers may use to reach it.
    allowed_hosts: list(
      requiredScalar(readHostName, 'a host name', 'a host name such as praktor.example.com'),
    ),
    // Only these may say who the client is (X-Forwarded-For) and that it came over HTTPS (X-Forwarded-Proto).
    trusted_proxies: list(
      requiredScalar(readAddressOrBlock, 'an IP address', 'an IP address or CIDR block such as 127.0.0.1'),
    ),
  }),
  scheduler: section({
    poll_interval: scalar(readPollInterval, SCHEDULER_POLL_MS, 'a duration such as 30s'),
    max_parallel: wholeNumber(3, 1),
    timezone: scalar(readTimezone, LOCAL_TIMEZONE, 'a time zone name such as Europe/Berlin'),
  }),
  // The original's limits, fixed there at 15 and 30 minutes.
  swarms: section({ member_timeout: timeLimit(15 * 60_000), tier_timeout: timeLimit(30 * 60_000) }),
  vault: section({ passphrase: text() }),
  memory: section({
    // Where vectors come from: an OpenAI-compatible endpoint (without /v1/embeddings), or a transformers.js model
    // folder on this machine; neither, memories are found by full-text search alone. At most one (see parse.ts).
    embeddings: section({
      url: optionalScalar(readHttpUrl, 'a URL such as http://127.0.0.1:11434'),
      model: text(),
      api_key: text(),
      model_dir: optionalScalar(readAbsoluteFolder, 'an absolute path such as /opt/models/all-MiniLM-L6-v2'),
    }),
  }),
  agentmail: opaqueSection(),
  // Voice notes in (speech to text) and spoken answers out (text to speech); the original's keys plus the endpoint
  // and engine, so that a local whisper server or espeak-ng serves as well as OpenAI.
  speech: section({
    api_key: text(),
    // An OpenAI-compatible API (without /v1/audio/…); left out, OpenAI's when api_key is set, else none.
    url: optionalScalar(readHttpUrl, 'a URL such as http://127.0.0.1:8000'),
    transcription_model: text('whisper-1'),
    tts_enabled: flag(false),
    // The original's only mode: a voice note is answered with a voice message too.
    tts_mode: scalar(readChoice(TTS_MODES), 'voice', 'voice'),
    tts_engine: scalar(readChoice(TTS_ENGINES), 'api', 'one of api, espeak'),
    tts_model: text('tts-1'),
    // Left out: alloy for the api engine, en for espeak.
    tts_voice: optionalText(),
  }),
};

/** The whole configuration file as read from YAML, before the loader fills in what depends on other keys. */
export const configSchema = section(configShape);

/**
 * Keys where an empty value switches a protection off rather than choosing a default, with what it would
 * leave: there a `${NAME}` whose variable is missing is a problem, not an empty value (`${NAME:-}` still says
 * "empty is meant"). Tokens and API keys are not here: an empty one turns a feature off, which shows at once, and
 * the original's example names both `${ANTHROPIC_API_KEY}` and `${CLAUDE_CODE_OAUTH_TOKEN}` where one is set.
 */
export const STRICT_KEYS: ReadonlyMap<string, string> = new Map([
  ['web.auth', 'Mission Control without a password'],
  ['vault.passphrase', 'the vault without its passphrase, so no agent could use a secret'],
]);

/** One agent's definition as written under `agents.<id>`, with defaults of its own keys applied. */
export type AgentDefinition = z.output<typeof agentSchema>;

/** The file's content after validation and defaults, before the loader adds where it came from. */
export type ParsedConfig = z.output<typeof configSchema>;

/**
 * A loaded configuration: the file's keys with defaults applied (durations in milliseconds, every agent's
 * `workspace` filled in, `router.default_agent` naming an existing agent), plus `source`, the absolute path of
 * the file read (null when running on built-in defaults), and `dataDir`, the absolute data directory.
 */
export type Config = ParsedConfig & { source: string | null; dataDir: string };
