/**
 * What `praktor doctor` and Mission Control's Health panel check, each with the step that fixes it: the
 * configuration, model credentials and the model API as the gateway reaches it, Telegram, Docker and the agent
 * images, bubblewrap and the host's nix for local agents, Mission Control's exposure, the vault, disk space and the
 * clock. Checks only look: nothing is written, no message is taken from Telegram.
 */
import { existsSync, statfsSync } from 'node:fs';
import { connect } from 'node:net';
import { dirname, join } from 'node:path';
import { type DoctorCheck, messageOf, type TelegramStatus } from '@praktor/protocol';
import Docker from 'dockerode';
import { usesDocker } from '../backup/docker-part.js';
import type { Config } from '../config/index.js';
import { DEFAULT_MODEL_API } from '../egress/model-proxy.js';
import { agentImageInputs, BASE_LABEL, DEFAULT_BASE_IMAGE, INPUTS_LABEL } from '../runtimes/agent-image.js';
import { explainDockerError, unless404 } from '../runtimes/docker-api.js';
import { findBwrap, localSandboxUid, namespaceProblem } from '../runtimes/local.js';
import { hostNixFacts, judgeHostNix, NIX_DAEMON_SOCKET } from '../runtimes/local-nix.js';
import { instanceRunning } from '../scheduler/instances.js';
import { CREDENTIALS_FIX, hasModelCredentials } from '../setup.js';
import { registeredGateways, withReadOnlyDatabase } from '../store/snapshot.js';
import { Vault } from '../vault/vault.js';
import { isLoopback } from '../web/hosts.js';
import { unsafeExposure } from '../web/server.js';
import { dockerHostChecks, imagesFor } from './docker-hosts.js';

/** What the checks look at. */
export interface DoctorContext {
  config: Config;
  /** What loading the configuration warned about (unknown keys…). */
  warnings: readonly string[];
  env: NodeJS.ProcessEnv;
  /**
   * Telegram as the running gateway sees it, when the checks run inside it (Mission Control's panel): then the
   * bot is not asked again, and the polling is the gateway's own.
   */
  telegram?: TelegramStatus;
  /** How long a network check may take. */
  timeoutMs?: number;
}

/** Free space below which the data directory is a failure, and below which it is a warning. */
const DISK_FAIL_BYTES = 100 * 1024 ** 2;
const DISK_WARN_BYTES = 1024 ** 3;
/** How far the clock may be from the model API's before scheduled tasks run visibly off time. */
const CLOCK_SKEW_S = 120;

const check = (
  id: string,
  label: string,
  status: DoctorCheck['status'],
  detail: string,
  fix: string | null = null,
): DoctorCheck => ({ id, label, status, detail, fix: status === 'ok' || status === 'skip' ? null : fix });

/** Runs every check, in the order they are shown. */
export async function runChecks(ctx: DoctorContext): Promise<DoctorCheck[]> {
  const { config } = ctx;
  const timeoutMs = ctx.timeoutMs ?? 5_000;
  const model = await modelApiCheck(ctx, timeoutMs);
  const docker = await dockerChecks(config);
  const dockerAnswers = docker.some((c) => c.id === 'docker' && c.status === 'ok');
  return [
    configCheck(config, ctx.warnings),
    check(
      'model_credentials',
      'Model credentials',
      hasModelCredentials(config, ctx.env) ? 'ok' : 'fail',
      hasModelCredentials(config, ctx.env)
        ? 'an API key or token is set'
        : 'no API key or token: agents cannot answer',
      CREDENTIALS_FIX,
    ),
    model.check,
    await telegramCheck(ctx, timeoutMs),
    ...docker,
    ...(await dockerHostChecks(config, timeoutMs)),
    bubblewrapCheck(config),
    localNixCheck(config, dockerAnswers),
    exposureCheck(config),
    await vaultCheck(config),
    diskCheck(config.dataDir),
    clockCheck(model.serverDate, config.scheduler.timezone),
  ];
}

function configCheck(config: Config, warnings: readonly string[]): DoctorCheck {
  const source =
    config.source ??
    'no file (built-in defaults; looked for PRAKTOR_CONFIG, ./praktor.yaml, ./config/praktor.yaml)';
  if (warnings.length > 0) {
    return check(
      'config',
      'Configuration',
      'warn',
      `${source}: ${warnings.join('; ')}`,
      'correct or remove what is named (see docs/configuration.md)',
    );
  }
  return check('config', 'Configuration', 'ok', `valid: ${source}`);
}

/** Whether this process runs in a container, where loopback is the container's own. */
function inContainer(): boolean {
  return existsSync('/.dockerenv');
}

/** What to do about a loopback model API seen from inside the gateway's own container. */
function containerLoopbackFix(host: string): string {
  return `the gateway runs in a container, where ${host} is the container itself: set ANTHROPIC_BASE_URL to an address the container reaches (the proxy's service name on praktor-net, or host.docker.internal with extra_hosts: ["host.docker.internal:host-gateway"]), or give the gateway network_mode: host`;
}

/**
 * The warning the gateway logs at start when `ANTHROPIC_BASE_URL` is a loopback address, the gateway runs in a
 * container and nothing answers at that address there; null otherwise. (Agents' own runtime and network do not
 * matter: their model traffic always goes through the gateway.)
 */
export async function loopbackInContainer(
  env: NodeJS.ProcessEnv,
): Promise<{ detail: string; fix: string } | null> {
  const base = env.ANTHROPIC_BASE_URL;
  return base && inContainer() ? unansweredLoopback(base) : null;
}

/**
 * What to say about model API address `base` seen from a container: a problem when it is a loopback address where
 * nothing answers; null otherwise.
 */
export async function unansweredLoopback(base: string): Promise<{ detail: string; fix: string } | null> {
  let url: URL;
  try {
    url = new URL(base);
  } catch {
    // An address that is not a URL is the model proxy's to refuse, with its own message.
    return null;
  }
  if (!isLoopback(url.hostname)) return null;
  // Something listening there is a model API or proxy in this very container, which is what the address says.
  const port = Number(url.port) || (url.protocol === 'https:' ? 443 : 80);
  if (await answers(url.hostname.replace(/^\[|\]$/g, ''), port, 1_000)) return null;
  return {
    detail: `ANTHROPIC_BASE_URL is ${base}, a loopback address, and the gateway runs in a container where nothing answers there: the model API must listen inside this container`,
    fix: containerLoopbackFix(url.hostname),
  };
}

/** Whether a TCP connection to `host`:`port` is accepted within `timeoutMs`. */
function answers(host: string, port: number, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port, timeout: timeoutMs });
    const done = (accepted: boolean) => {
      socket.destroy();
      resolve(accepted);
    };
    socket.once('connect', () => done(true));
    socket.once('timeout', () => done(false));
    socket.once('error', () => done(false));
  });
}

/**
 * The model API as the gateway reaches it. Agents never reach it themselves, on any runtime and any `network`:
 * their requests travel over the link to the gateway, which forwards them with the credentials. So what matters is
 * where the gateway runs: a loopback address inside the gateway's own container is that container.
 */
async function modelApiCheck(
  ctx: DoctorContext,
  timeoutMs: number,
): Promise<{ check: DoctorCheck; serverDate: Date | null }> {
  const base = ctx.env.ANTHROPIC_BASE_URL || DEFAULT_MODEL_API;
  const url = new URL('/v1/models', base);
  const headers: Record<string, string> = { 'anthropic-version': '2023-06-01' };
  const key = ctx.config.defaults.anthropic_api_key;
  const bearer = ctx.config.defaults.oauth_token || ctx.env.ANTHROPIC_AUTH_TOKEN;
  if (key) headers['x-api-key'] = key;
  else if (bearer) headers.authorization = `Bearer ${bearer}`;
  const label = 'Model API';
  try {
    const response = await fetch(url, { headers, signal: AbortSignal.timeout(timeoutMs) });
    await response.body?.cancel();
    const date = response.headers.get('date');
    const serverDate = date ? new Date(date) : null;
    if ((response.status === 401 || response.status === 403) && (key || bearer)) {
      return {
        check: check(
          'model_api',
          label,
          'fail',
          `${base} refused the credentials (HTTP ${response.status})`,
          CREDENTIALS_FIX,
        ),
        serverDate,
      };
    }
    return {
      check: check(
        'model_api',
        label,
        'ok',
        `${base} answers the gateway (HTTP ${response.status}); agents reach it through the gateway on every runtime and network`,
      ),
      serverDate,
    };
  } catch (err) {
    const cause = (err as { cause?: { code?: string } }).cause?.code ?? messageOf(err);
    const loopback = isLoopback(new URL(base).hostname);
    const fix =
      loopback && inContainer()
        ? containerLoopbackFix(new URL(base).hostname)
        : `start the model API (or the proxy) at ${base}, or correct ANTHROPIC_BASE_URL`;
    return {
      check: check('model_api', label, 'fail', `the gateway cannot reach ${base} (${cause})`, fix),
      serverDate: null,
    };
  }
}

async function telegramCheck(ctx: DoctorContext, timeoutMs: number): Promise<DoctorCheck> {
  const label = 'Telegram';
  const { token, api_root: apiRoot } = ctx.config.telegram;
  const tokenFix =
    'set PRAKTOR_TELEGRAM_TOKEN (or telegram.token) to the token @BotFather gave, then restart Praktor';
  if (!token)
    return check(
      'telegram',
      label,
      'skip',
      'no bot token: the bot is off (Mission Control works without it)',
    );
  if (ctx.telegram !== undefined) {
    switch (ctx.telegram.state) {
      case 'connected':
        return check('telegram', label, 'ok', `connected as @${ctx.telegram.bot}`);
      case 'connecting':
        return check('telegram', label, 'ok', 'connecting');
      case 'failed':
        return check('telegram', label, 'fail', ctx.telegram.error, tokenFix);
      case 'off':
        return check('telegram', label, 'skip', 'the bot is off');
    }
  }
  const call = async (method: string, body: Record<string, unknown>) => {
    const response = await fetch(`${apiRoot.replace(/\/$/, '')}/bot${token}/${method}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(timeoutMs),
    });
    const json = (await response.json()) as {
      ok: boolean;
      description?: string;
      result?: { username?: string };
    };
    return { status: response.status, json };
  };
  try {
    const me = await call('getMe', {});
    if (me.status === 401 || me.status === 404) {
      return check(
        'telegram',
        label,
        'fail',
        `Telegram refused the token (${me.json.description ?? me.status})`,
        tokenFix,
      );
    }
    if (!me.json.ok)
      return check('telegram', label, 'fail', me.json.description ?? `HTTP ${me.status}`, tokenFix);
    const bot = `@${me.json.result?.username ?? 'bot'}`;
    const now = Date.now();
    if (registeredGateways(join(ctx.config.dataDir, 'praktor.db')).some((g) => instanceRunning(g, now))) {
      return check(
        'telegram',
        label,
        'ok',
        `token valid (${bot}); polled by the gateway running on this data`,
      );
    }
    // Without an offset, getUpdates confirms nothing: no message is taken from the bot's queue.
    const poll = await call('getUpdates', { timeout: 0, limit: 1 });
    if (poll.status === 409) {
      return check(
        'telegram',
        label,
        'fail',
        `token valid (${bot}), but another process polls this bot or a webhook is set (${poll.json.description ?? '409 Conflict'})`,
        'stop the other program using this token (another Praktor?), or delete its webhook (deleteWebhook); each bot token can be polled by one process',
      );
    }
    return check('telegram', label, 'ok', `token valid (${bot}), no one else polls it`);
  } catch (err) {
    return check(
      'telegram',
      label,
      'fail',
      `cannot reach ${apiRoot} (${(err as { cause?: { code?: string } }).cause?.code ?? messageOf(err)})`,
      'check the network to the Telegram API (or telegram.api_root)',
    );
  }
}

async function dockerChecks(config: Config): Promise<DoctorCheck[]> {
  if (!usesDocker(config)) {
    return [check('docker', 'Docker', 'skip', 'no agent runs on the Docker runtime')];
  }
  const explicit = [config.defaults.runtime, ...Object.values(config.agents).map((a) => a.runtime)].includes(
    'docker',
  );
  const docker = new Docker();
  try {
    await docker.ping();
  } catch (err) {
    return [
      check(
        'docker',
        'Docker',
        explicit ? 'fail' : 'warn',
        explicit
          ? messageOf(explainDockerError(err))
          : `${messageOf(explainDockerError(err))}; with runtime: auto agents run locally instead`,
        'start the Docker daemon (dockerd), or point DOCKER_HOST at it; or set runtime: local',
      ),
    ];
  }
  // The default image reads volumes for backups; the others are those of agents that may run on this daemon.
  const images = [...new Set([config.defaults.image, ...imagesFor(config, 'local')])];
  const missing: string[] = [];
  const stale: { image: string; base: string }[] = [];
  const current: string[] = [];
  for (const image of images) {
    const found = await unless404(docker.getImage(image).inspect());
    if (found === null) missing.push(image);
    else {
      const built = builtFrom(found.Config?.Labels ?? {});
      if (built === null) continue;
      if (built.inputs === built.current) current.push(image);
      else stale.push({ image, base: built.base });
    }
  }
  return [
    check('docker', 'Docker', 'ok', `reachable at ${process.env.DOCKER_HOST || '/var/run/docker.sock'}`),
    imagesCheck(images, { missing, stale, current }),
  ];
}

/**
 * The inputs an image was built from (its labels, written by `praktor image build`) and those this installation
 * would build it from on the same base; null when that cannot be told: an image built otherwise (`docker compose
 * build agent`), or an installation that cannot stage the image (the gateway's own container).
 */
function builtFrom(labels: Record<string, string>): { inputs: string; base: string; current: string } | null {
  const inputs = labels[INPUTS_LABEL];
  const base = labels[BASE_LABEL];
  if (inputs === undefined || base === undefined) return null;
  try {
    return { inputs, base, current: agentImageInputs(base) };
  } catch {
    // Not an error of the setup: this installation has no agent image to compare with.
    return null;
  }
}

/** The images, those missing, those built from other inputs than this installation's, and those built from its. */
function imagesCheck(
  images: string[],
  found: { missing: string[]; stale: { image: string; base: string }[]; current: string[] },
): DoctorCheck {
  const { missing, stale, current } = found;
  const label = 'Agent images';
  const build = (image: string, base = DEFAULT_BASE_IMAGE) =>
    `praktor image build --tag ${image}${base === DEFAULT_BASE_IMAGE ? '' : ` --base ${base}`}`;
  if (missing.length > 0) {
    return check(
      'agent_images',
      label,
      'fail',
      `missing: ${missing.join(', ')}`,
      `build it: ${missing.map((m) => build(m)).join('; ')} (or docker compose build agent)`,
    );
  }
  if (stale.length > 0) {
    return check(
      'agent_images',
      label,
      'warn',
      `built from other sources than this installation's: ${stale.map((s) => s.image).join(', ')}; agents would run the old runner`,
      `rebuild with ${stale.map((s) => build(s.image, s.base)).join('; ')}`,
    );
  }
  const compared =
    current.length > 0 ? `; built from this installation's sources: ${current.join(', ')}` : '';
  return check('agent_images', label, 'ok', `present: ${images.join(', ')}${compared}`);
}

function bubblewrapCheck(config: Config): DoctorCheck {
  const label = 'Bubblewrap';
  // An agent without a runtime of its own runs on the default one.
  const local = [config.defaults.runtime, ...Object.values(config.agents).map((a) => a.runtime)].some(
    (kind) => kind === 'local' || kind === 'auto',
  );
  if (!local) return check('bubblewrap', label, 'skip', 'no agent runs on the local runtime');
  const bwrap = findBwrap();
  if (bwrap === null) {
    return check(
      'bubblewrap',
      label,
      'fail',
      'bwrap is not installed: local agents would run unconfined, seeing this machine as the gateway does',
      'install bubblewrap (apt-get install bubblewrap), or run agents in Docker (runtime: docker)',
    );
  }
  const problem = namespaceProblem(bwrap);
  if (problem !== null) {
    return check(
      'bubblewrap',
      label,
      'fail',
      `${bwrap} cannot make a sandbox here: ${problem}`,
      'allow unprivileged user namespaces (sysctl kernel.unprivileged_userns_clone=1), or run agents in Docker',
    );
  }
  return check('bubblewrap', label, 'ok', `${bwrap} confines local agents`);
}

/**
 * Whether the host's nix serves the local agents with `nix_enabled`, and how. An agent on `runtime: auto` is local
 * only when Docker does not answer, as the gateway decides.
 */
function localNixCheck(config: Config, dockerAnswers: boolean): DoctorCheck {
  const label = 'Nix for local agents';
  const agents = Object.entries(config.agents)
    .filter(([, a]) => {
      const runtime = a.runtime ?? config.defaults.runtime;
      return a.nix_enabled && (runtime === 'local' || (runtime === 'auto' && !dockerAnswers));
    })
    .map(([id]) => id);
  if (agents.length === 0) return check('local_nix', label, 'skip', 'no local agent has nix_enabled');
  const bwrap = findBwrap();
  const user = { dropTo: localSandboxUid(bwrap !== null && namespaceProblem(bwrap) === null) };
  const nix = judgeHostNix(hostNixFacts(user), user);
  const who = `${agents.join(', ')} (on the local runtime)`;
  if (!nix.usable) {
    return check(
      'local_nix',
      label,
      'warn',
      `${who}: ${nix.problem}`,
      'start the nix daemon (multi-user nix), or give these agents runtime: docker',
    );
  }
  if (nix.mode === 'single-user') {
    return check(
      'local_nix',
      label,
      'warn',
      `${who} use this machine's single-user nix store, which they can write: an agent can change any program in /nix`,
      'run the nix daemon (multi-user nix), so agents see /nix read-only; or keep /nix for Praktor alone',
    );
  }
  return check(
    'local_nix',
    label,
    'ok',
    `${who} use this machine's nix daemon (${NIX_DAEMON_SOCKET}); it fetches only the nix.substituters its nix.conf trusts (trusted-substituters)`,
  );
}

function exposureCheck(config: Config): DoctorCheck {
  const label = 'Mission Control exposure';
  const { web } = config;
  if (!web.enabled) return check('web', label, 'skip', 'Mission Control is off (web.enabled: false)');
  const refused = unsafeExposure(web.host, web.auth);
  if (refused !== null)
    return check(
      'web',
      label,
      'fail',
      refused,
      'set web.auth (PRAKTOR_WEB_PASSWORD), or web.host: 127.0.0.1',
    );
  if (!isLoopback(web.host) && web.trusted_proxies.length === 0) {
    return check(
      'web',
      label,
      'warn',
      `served over plain HTTP on ${web.host}:${web.port}: the password and session cookies cross the network unencrypted`,
      'put it behind an HTTPS reverse proxy (docker-compose.override.yml-prod has a Tailscale one) and list the proxy in web.trusted_proxies, or keep web.host at 127.0.0.1',
    );
  }
  const where = isLoopback(web.host)
    ? 'this machine only'
    : `${web.host}, behind ${web.trusted_proxies.join(', ')}`;
  return check(
    'web',
    label,
    'ok',
    `listening on ${web.host}:${web.port} (${where})${web.auth ? ', password set' : ''}`,
  );
}

async function vaultCheck(config: Config): Promise<DoctorCheck> {
  const label = 'Vault';
  const passphrase = config.vault.passphrase || null;
  try {
    const result = await withReadOnlyDatabase(
      join(config.dataDir, 'praktor.db'),
      async ({ vault: store }) => {
        const vault = await Vault.open(store, passphrase);
        const count = vault.list().length;
        if (count > 0 && !vault.hasPassphrase) {
          return check(
            'vault',
            label,
            'fail',
            `holds ${count} secrets, and no passphrase is set: agents that use them will not start`,
            'set PRAKTOR_VAULT_PASSPHRASE (or vault.passphrase) to the passphrase the vault was made with',
          );
        }
        return check('vault', label, 'ok', count === 0 ? 'no secrets yet' : `unlocked: ${count} secrets`);
      },
    );
    return result ?? check('vault', label, 'skip', 'no database yet: the vault is made at the first start');
  } catch (err) {
    return check(
      'vault',
      label,
      'fail',
      messageOf(err),
      'set the passphrase the vault was made with; if it is forgotten, praktor vault reset --yes (deletes the secrets)',
    );
  }
}

function diskCheck(dataDir: string): DoctorCheck {
  const label = 'Disk space';
  let dir = dataDir;
  while (!existsSync(dir) && dirname(dir) !== dir) dir = dirname(dir);
  const stats = statfsSync(dir);
  const free = stats.bavail * stats.bsize;
  const gb = (free / 1024 ** 3).toFixed(1);
  const fix = `free space on the disk of ${dataDir}, or move the data directory (PRAKTOR_DATA_DIR)`;
  if (free < DISK_FAIL_BYTES) return check('disk', label, 'fail', `${gb} GB free for ${dataDir}`, fix);
  if (free < DISK_WARN_BYTES) return check('disk', label, 'warn', `only ${gb} GB free for ${dataDir}`, fix);
  return check('disk', label, 'ok', `${gb} GB free for ${dataDir}`);
}

function clockCheck(serverDate: Date | null, timezone: string): DoctorCheck {
  const label = 'Clock';
  const now = new Date();
  if (serverDate === null || Number.isNaN(serverDate.getTime())) {
    return check(
      'clock',
      label,
      'skip',
      `no reference time (the model API did not answer); tasks run in ${timezone}`,
    );
  }
  const skew = Math.round((now.getTime() - serverDate.getTime()) / 1000);
  if (Math.abs(skew) > CLOCK_SKEW_S) {
    return check(
      'clock',
      label,
      'warn',
      `this machine's clock is ${Math.abs(skew)} s ${skew > 0 ? 'ahead of' : 'behind'} the model API's: scheduled tasks run that far off`,
      'synchronise the clock (NTP: systemd-timesyncd, chrony)',
    );
  }
  return check(
    'clock',
    label,
    'ok',
    `within ${Math.max(1, Math.abs(skew))} s of the model API's; tasks run in ${timezone}`,
  );
}
