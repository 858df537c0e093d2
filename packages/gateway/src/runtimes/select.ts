/**
 * Which runtime runs which agent: `local`, `docker`, or `auto` — Docker when its daemon answers at gateway start,
 * else local, decided once and logged. When Docker is in use, the containers an earlier run of this installation
 * left behind (a gateway killed with -9) are removed here, before the gateway serves anything.
 */
import { type Config, type ResolvedAgent, resolveAgent } from '../config/index.js';
import type { Logger } from '../log.js';
import type { DockerFleet } from './docker-fleet.js';
import type { SecretReader } from './docker-hosts.js';
import { LocalRuntime } from './local.js';
import type { Runtime } from './runtime.js';

/** How long the gateway waits for the Docker daemon to answer at start. */
const DOCKER_PING_MS = 3_000;

/** The runtimes of a gateway. */
export interface Runtimes {
  /** The runtime for `agent`. */
  forAgent(agent: ResolvedAgent): Runtime;
  /** The runtime of agents that do not choose one (`defaults.runtime`), for status and logs. */
  readonly primary: Runtime;
  /** Shows changed shared files (USER.md, CLAUDE.md) to every runtime's sandboxes. */
  publishSharedFiles(): Promise<void>;
}

/**
 * Sets up the runtimes `config` asks for; never rejects because of Docker (agents that need it are told). `secret`
 * reads the vault secrets that `docker.hosts` names as TLS files.
 */
export async function openRuntimes(
  config: () => Config,
  log: Logger,
  secret: SecretReader = (name) => {
    throw new Error(`the vault secret ${name} cannot be read here`);
  },
): Promise<Runtimes> {
  const current = config();
  const local = new LocalRuntime({
    dataDir: current.dataDir,
    agent: (id) => resolveAgent(config(), id),
    configFile: current.source,
    log,
  });
  const kinds = new Set([
    current.defaults.runtime,
    ...Object.keys(current.agents).map((id) => resolveAgent(current, id).runtime),
  ]);
  let docker: DockerFleet | null = null;
  let dockerForAuto = false;
  if (kinds.has('docker') || kinds.has('auto')) {
    // Loaded only when needed: the Docker client and its dependencies take about 27 MB.
    const [{ DockerFleet }, { dockerHostsOf }] = await Promise.all([
      import('./docker-fleet.js'),
      import('./docker-hosts.js'),
    ]);
    docker = new DockerFleet({
      dataDir: current.dataDir,
      prefix: current.docker.prefix,
      agent: (id) => resolveAgent(config(), id),
      hosts: dockerHostsOf(current, secret),
    });
    const problem = await docker.unreachable(DOCKER_PING_MS);
    dockerForAuto = problem === null;
    if (kinds.has('auto')) {
      log.info(
        { runtime: dockerForAuto ? 'docker' : 'local', ...(problem ? { reason: problem } : {}) },
        'runtime auto: chose where agents run',
      );
    }
    if (problem === null) {
      // Each agent's start removes its own old container, so a host that fails here does not stop the gateway.
      const { removed, problems } = await docker.removeLeftovers(DOCKER_PING_MS);
      if (removed.length > 0) log.info({ containers: removed }, 'removed containers left by an earlier run');
      for (const problem of problems)
        log.error({ err: problem }, 'could not remove containers left by an earlier run');
    } else if (kinds.has('docker')) {
      log.error({ err: problem }, 'agents set to the docker runtime cannot start');
    }
  }
  const choose = (kind: ResolvedAgent['runtime']): Runtime => {
    if (kind === 'local' || docker === null) return local;
    if (kind === 'auto' && !dockerForAuto) return local;
    return docker;
  };
  const primary = choose(current.defaults.runtime);
  const used = new Set([...kinds].map(choose));
  if (used.has(local) && !local.confined) log.warn(`agents are not confined: ${local.confinement}`);
  return {
    forAgent: (agent) => choose(agent.runtime),
    primary,
    async publishSharedFiles() {
      await Promise.all([...used].map((runtime) => runtime.publishSharedFiles()));
    },
  };
}
