/**
 * The gateway: builds every component from the configuration, starts them in order and stops them in reverse.
 */
import { join } from 'node:path';
import { type ConfigReloadReply, MAX_SENT_FILE_BYTES, messageOf, type ToolRequest } from '@praktor/protocol';
import { TelegramChannel } from './channels/telegram/channel.js';
import { startWebChannel } from './channels/web/channel.js';
import { ChatCommands } from './commands/commands.js';
import {
  type Config,
  type ConfigChange,
  changesOf,
  keepsWarm,
  LiveConfig,
  type LoadResult,
  loadConfig,
  type ResolvedAgent,
  resolveAgent,
  watchFile,
} from './config/index.js';
import { loopbackInContainer, runChecks } from './doctor/checks.js';
import { caTrustEnvironment, caTrustFiles, upstreamCa } from './egress/ca-trust.js';
import { CertificateAuthority } from './egress/certificate-authority.js';
import { DEFAULT_MODEL_API } from './egress/model-proxy.js';
import { RecentRefusals } from './egress/refusals.js';
import { egressServices } from './egress/services.js';
import { EventBus } from './events/bus.js';
import { historyAgentTools } from './history-tools.js';
import { Inbox } from './inbox.js';
import { hideInLogs, type Logger } from './log.js';
import { agentEnvironment } from './orchestrator/agent-env.js';
import { startExtensions } from './orchestrator/agent-extensions.js';
import { type AgentTools, fileAgentTool, Orchestrator } from './orchestrator/orchestrator.js';
import { SentFileStreams } from './orchestrator/sent-files.js';
import { Pairing } from './router/pairing.js';
import { safeWorkspaceName } from './runtimes/runtime.js';
import { openRuntimes } from './runtimes/select.js';
import { taskAgentTools } from './scheduler/agent-tools.js';
import { Scheduler } from './scheduler/engine.js';
import { TaskService } from './scheduler/tasks.js';
import { setupChecks, startBanner } from './setup.js';
import { speakingProblem, speakingSettings, transcriptionSettings } from './speech/settings.js';
import { Store } from './store/index.js';
import { SwarmRuns } from './swarms/runs.js';
import { SwarmTemplates } from './swarms/templates.js';
import { userProfileAgentTools } from './user-profile.js';
import { AgentSecrets, asText } from './vault/agent-secrets.js';
import { Vault } from './vault/vault.js';
import { VERSION } from './version.js';
import { Auth } from './web/auth.js';
import { startWebServer, unsafeExposure, type WebServer } from './web/server.js';
import { ensureGlobalFiles } from './workspace-files.js';

/** How long a stopping gateway waits for running turns and their delivery (within Docker's default 10 s). */
const SHUTDOWN_GRACE_MS = 8_000;
/** The part of the grace period kept for sending the answers of turns that finished in it. */
const DELIVERY_RESERVE_MS = 2_000;

/** A running gateway. */
export interface Gateway {
  readonly inbox: Inbox;
  readonly bus: EventBus;
  readonly store: Store;
  readonly orchestrator: Orchestrator;
  /** The configuration in force, which {@link reload} replaces. */
  readonly config: LiveConfig;
  /**
   * Loads the configuration file again and takes what changed into use, or keeps the configuration in force and
   * says why (also in `/api/status` and the logs). The file is also watched, and `SIGHUP` reloads it.
   */
  reload(): ConfigReloadReply;
  /** The start banner: Mission Control's address, the agents, the runtime, and what is missing with its fix. */
  readonly banner: string;
  /** Stops taking messages, stops every agent and closes the database. Safe to call more than once. */
  stop(): Promise<void>;
}

/**
 * Starts a gateway on `config`; `configWarnings` (what the configuration held that is ignored) are shown in Mission
 * Control; `load` loads it again for a reload (by default as at start, from `env`). `now` is the one clock the
 * scheduler, the tasks, the budgets and the chat commands tell the time by, so that a test can move the day for all
 * of them at once. Rejects with a message for the user when a part cannot start.
 */
export async function startGateway(
  config: Config,
  log: Logger,
  configWarnings: readonly string[],
  env: NodeJS.ProcessEnv = process.env,
  load: () => LoadResult = () => loadConfig({ env }),
  now: () => number = Date.now,
): Promise<Gateway> {
  // Mission Control stays where it started (web.host is read at start); a new password must still protect it.
  const live = new LiveConfig(config, {
    load,
    check: (next) => {
      const problem = config.web.enabled ? unsafeExposure(config.web.host, next.web.auth) : null;
      return problem ? { path: 'web.auth', message: problem } : null;
    },
  });
  const current = live.get;
  const exposure = config.web.enabled ? unsafeExposure(config.web.host, config.web.auth) : null;
  if (exposure) throw new Error(exposure);
  const startedAt = Date.now();
  const store = Store.open(config.dataDir);
  const vault = await openVault(config, store, log);
  // Every credential the gateway knows is masked in what agents write and in the logs: an agent that finds one
  // (in a file, in its environment) must not be able to hand it to the chat.
  const credentials = [
    config.defaults.anthropic_api_key,
    config.defaults.oauth_token,
    env.ANTHROPIC_AUTH_TOKEN,
    config.telegram.token,
    config.web.auth,
    config.vault.passphrase,
    config.memory.embeddings.api_key,
    config.speech.api_key,
  ].filter((v): v is string => !!v);
  hideInLogs(credentials);
  const secrets = new AgentSecrets(vault, credentials);
  const bus = new EventBus((err, event) =>
    log.error({ err: err.message, event: event.type }, 'event listener failed'),
  );
  const refusals = new RecentRefusals(bus);
  const ca = CertificateAuthority.open(join(config.dataDir, 'egress-ca'));
  if (ca.tightened) log.info(ca.tightened, 'narrowed permissions in the data directory to its owner');
  // Every agent reaches the model API (and, without a network of its own, the internet) through the gateway.
  const modelApi = new URL(env.ANTHROPIC_BASE_URL || DEFAULT_MODEL_API);
  const modelCredentials = {
    apiKey: config.defaults.anthropic_api_key || null,
    bearer: config.defaults.oauth_token || env.ANTHROPIC_AUTH_TOKEN || null,
  };
  const sentFiles = new SentFileStreams(MAX_SENT_FILE_BYTES);
  const serveStream = egressServices({
    modelApi,
    credentials: modelCredentials,
    networkOf: (agentId) => resolveAgent(current(), agentId).network,
    egressOf: (agentId) => resolveAgent(current(), agentId).egress,
    onRefused: (refusal) => refusals.record(refusal),
    injectionsOf: (agentId) => secrets.injections(agentId),
    ca,
    upstreamCa: upstreamCa(env),
    embeddings: () => {
      const { url, api_key } = current().memory.embeddings;
      return url ? { url, apiKey: api_key || null } : null;
    },
    onFile: (agentId, streamId, stream) => sentFiles.offer(agentId, streamId, stream),
    log,
  });
  logEmbeddingSource(config, log);
  for (const narrowed of store.tightened)
    log.info(narrowed, 'narrowed permissions in the data directory to its owner');
  ensureGlobalFiles(config.dataDir);
  // Before anything is served: this also removes containers an earlier run left behind.
  const runtimes = await openRuntimes(current, log, (name) => vault.reveal(name));
  const sendFile = fileAgentTool(store, bus, sentFiles);
  // The task service is made below, with the scheduler that needs this orchestrator.
  const taskTools = taskAgentTools((): TaskService => tasks);
  const profileTools = userProfileAgentTools({
    dataDir: () => current().dataDir,
    bus,
    publishSharedFiles: () => runtimes.publishSharedFiles(),
  });
  const historyTools = historyAgentTools(store);
  const outsideSwarm: AgentTools = () => {
    throw new Error('only a member of a swarm that works with others has a swarm chat');
  };
  // Every tool of the link's protocol has its entry, or this does not compile.
  const toolsByName: Record<ToolRequest['tool'], AgentTools> = {
    scheduled_task_create: taskTools,
    scheduled_task_list: taskTools,
    scheduled_task_update: taskTools,
    scheduled_task_delete: taskTools,
    file_send: sendFile,
    user_profile_read: profileTools,
    user_profile_update: profileTools,
    history_search: historyTools,
    swarm_chat_send: outsideSwarm,
    swarm_chat_read: outsideSwarm,
  };
  const agentTools: AgentTools = (agentId, request, origin) =>
    toolsByName[request.tool](agentId, request, origin);
  const agentEnv = (agent: ResolvedAgent) => ({
    ...agentEnvironment(current(), agent, env, secrets),
    ...(secrets.injections(agent.id).length > 0 ? caTrustEnvironment() : {}),
  });
  const agentFiles = (agent: ResolvedAgent) => [
    ...secrets.files(agent),
    ...(secrets.injections(agent.id).length > 0 ? caTrustFiles(ca) : []),
  ];
  const agentExtensions = (agent: ResolvedAgent) =>
    startExtensions(agent, store.extensions.get(agent.id), secrets);
  const orchestrator: Orchestrator = new Orchestrator({
    config: current,
    store,
    bus,
    runtimeFor: runtimes.forAgent,
    agentEnv,
    agentFiles,
    agentExtensions,
    redactor: secrets.redactor,
    agentTools,
    serveStream,
    keepWarm: (agentId) => keepsWarm(current(), agentId),
    log,
    now,
    mainChat: () => tasks.defaultChat(),
  });
  const swarms = new SwarmRuns({
    config: current,
    store,
    bus,
    runtimeFor: runtimes.forAgent,
    agentEnv,
    agentFiles,
    agentExtensions,
    slot: (signal) => orchestrator.lendSlot(signal),
    // The launch's error tells whoever launched it, every time.
    budgetRefusal: (agentId) => orchestrator.budgets.overBudget(agentId)?.text ?? null,
    budgetWarnings: (agentId) => {
      for (const warning of orchestrator.budgets.warn(agentId))
        bus.emit({ type: 'message', message: warning });
    },
    agentTools,
    onApproval: (agentId, member, request) => orchestrator.approvals.askForSwarm(agentId, member, request),
    serveStream,
    redactor: secrets.redactor,
    log,
    now,
  });
  const swarmTemplates = new SwarmTemplates(store, current, now);
  const hasCredentials = modelCredentials.apiKey !== null || modelCredentials.bearer !== null;
  const inbox = new Inbox({
    config: current,
    store,
    bus,
    orchestrator,
    // AI routing asks the model API the way the agents do, with the same credentials.
    modelAccess: hasCredentials ? { modelApi, ...modelCredentials } : null,
    saveUpload: (agentId, name, content) => {
      const agent = resolveAgent(current(), agentId);
      const ref = { agentId, workspace: safeWorkspaceName(agent.workspace) };
      return runtimes.forAgent(agent).saveUpload(ref, name, content);
    },
    transcription: () => transcriptionSettings(current().speech),
    log,
  });
  const pairing = new Pairing({ config: current, store });
  const commands = new ChatCommands({
    config: current,
    inbox,
    orchestrator,
    store,
    now,
    pairing,
    cancelSwarms: (chat) => swarms.cancelFrom(chat),
  });
  const telegram = config.telegram.token
    ? new TelegramChannel({
        config: current,
        store,
        bus,
        inbox,
        commands,
        approvals: orchestrator.approvals,
        pairing,
        speaking: () => speakingSettings(current().speech),
        swarms,
        log,
      })
    : null;
  const speakingIssue = speakingProblem(config.speech);
  if (speakingIssue) log.warn(speakingIssue);
  const stopWebChannel = startWebChannel(store, bus);
  const scheduler = new Scheduler({
    config: current,
    store,
    bus,
    orchestrator,
    log,
    telegram: telegram !== null,
    now,
  });
  const tasks = new TaskService({ config: current, store, bus, scheduler, telegram: telegram !== null, now });
  const auth = new Auth(() => current().web.auth, store.webSessions);
  let web: WebServer | null = null;
  let draining = false;
  let stopWatching = () => {};
  // Stop taking messages, let running turns finish and their answers go out, within the grace period.
  const stopAll = async () => {
    draining = true;
    const deadline = Date.now() + SHUTDOWN_GRACE_MS;
    stopWatching();
    scheduler.stop();
    await web?.close();
    await telegram?.stopPolling();
    await swarms.shutdown();
    await orchestrator.shutdown(Math.max(0, deadline - Date.now() - DELIVERY_RESERVE_MS));
    await telegram?.stop(Math.max(DELIVERY_RESERVE_MS, deadline - Date.now()));
    stopWebChannel();
    store.close();
  };
  try {
    if (config.web.enabled) {
      web = await startWebServer(
        {
          config: current,
          configStatus: () => live.status,
          reloadConfig: () => reload(),
          store,
          vault,
          orchestrator,
          inbox,
          commands,
          tasks,
          swarms,
          swarmTemplates,
          pairing,
          auth,
          version: VERSION,
          startedAt,
          telegram: () => telegram?.status ?? { state: 'off' },
          runtime: { name: runtimes.primary.name, confinement: runtimes.primary.confinement },
          runtimeFor: runtimes.forAgent,
          publishSharedFiles: () => runtimes.publishSharedFiles(),
          stopping: () => draining,
          doctor: async () => {
            const checks = await runChecks({
              config: current(),
              warnings: configWarnings,
              env,
              telegram: telegram?.status ?? { state: 'off' },
            });
            return { ok: checks.every((c) => c.status !== 'fail'), checks };
          },
          setup: () =>
            setupChecks(
              current(),
              env,
              telegram?.status ?? { state: 'off' },
              orchestrator.modelCredentialsRefused,
            ),
          configWarnings,
          refusals,
        },
        {
          host: config.web.host,
          port: config.web.port,
          allowedHosts: config.web.allowed_hosts,
          trustedProxies: config.web.trusted_proxies,
          bus,
          log,
        },
      );
    }
  } catch (err) {
    await stopAll();
    throw err;
  }
  live.onChange((change) => {
    if (change.next.web.auth) hideInLogs([change.next.web.auth]);
    applyChange(change, { orchestrator, scheduler, auth });
    logChange(change, log);
  });
  const reload = (): ConfigReloadReply => {
    const outcome = live.reload();
    const status = live.status;
    if (!outcome.ok) {
      log.error(
        { path: outcome.error.path, err: outcome.error.message },
        'config reload failed; keeping the last good configuration',
      );
      bus.emit({ type: 'config_reloaded', config: status, changes: null });
      return { status: 'kept', config: status };
    }
    for (const warning of outcome.warnings) log.warn(warning);
    const changes = changesOf(outcome.diff);
    log.info({ ms: outcome.ms, ...changes }, 'config reloaded');
    bus.emit({ type: 'config_reloaded', config: status, changes });
    return { status: 'reloaded', config: status, changes };
  };
  if (config.source) {
    stopWatching = watchFile(
      config.source,
      () => reload(),
      (err) => log.warn({ err: err.message }, 'the config file cannot be watched: reload with SIGHUP'),
    );
  }
  // In the background: Mission Control and the agents never wait for Telegram.
  if (telegram) telegram.start();
  else log.warn('telegram.token is not set: the Telegram bot is off');
  // Before the interrupted turns resume: they may ask again, and those requests are new.
  const expired = orchestrator.approvals.expireLeftovers();
  if (expired > 0) log.info({ approvals: expired }, 'approval requests left pending by the last run expired');
  const interruptedSwarms = swarms.recoverInterrupted();
  if (interruptedSwarms > 0)
    log.info({ swarms: interruptedSwarms }, 'swarm runs left running by the last run marked interrupted');
  const resumed = inbox.resume();
  if (resumed > 0) log.info({ messages: resumed }, 'resuming messages left unanswered by the last run');
  scheduler.start();
  for (const agentId of Object.keys(config.agents)) {
    if (keepsWarm(config, agentId)) orchestrator.warm(agentId);
  }
  log.info(
    {
      agents: Object.keys(config.agents),
      defaultAgent: config.router.default_agent,
      runtime: runtimes.primary.name,
      confinement: runtimes.primary.confinement,
      missionControl: web?.url ?? 'off',
      dataDir: config.dataDir,
      config: config.source ?? 'built-in defaults',
    },
    'gateway ready',
  );
  void loopbackInContainer(env).then((loopback) => {
    if (loopback) log.warn({ fix: loopback.fix }, loopback.detail);
  });
  const checks = setupChecks(config, env, telegram?.status ?? { state: 'off' }, false);
  for (const check of checks) {
    if (check.required && !check.ok) log.warn({ fix: check.fix }, `${check.label}: ${check.detail}`);
  }
  const banner = startBanner(
    {
      version: VERSION,
      missionControl: web?.url ?? null,
      agents: Object.keys(config.agents),
      defaultAgent: config.router.default_agent,
      runtime: runtimes.primary.name,
      confinement: runtimes.primary.confinement,
    },
    checks,
  );
  let stopping: Promise<void> | null = null;
  return {
    banner,
    inbox,
    bus,
    store,
    orchestrator,
    config: live,
    reload,
    stop() {
      stopping ??= (async () => {
        await stopAll();
        log.info('gateway stopped');
      })();
      return stopping;
    },
  };
}

/**
 * Opens the vault with the configured passphrase: a wrong one stops the start before anything is written; none
 * is fine as long as no agent needs a secret (those that do are told so when they start).
 */
async function openVault(config: Config, store: Store, log: Logger): Promise<Vault> {
  const passphrase = config.vault.passphrase;
  if (passphrase) hideInLogs([passphrase]);
  let vault: Vault;
  try {
    vault = await Vault.open(store.vault, passphrase, {
      create: true,
      onValue: (value) => {
        const text = asText(value);
        if (text !== null) hideInLogs([text]);
      },
    });
  } catch (err) {
    store.close();
    throw err;
  }
  const count = vault.list().length;
  if (!vault.hasPassphrase && count > 0) {
    log.warn(
      { secrets: count },
      'the vault holds secrets but no passphrase is set (vault.passphrase or PRAKTOR_VAULT_PASSPHRASE): ' +
        'agents that use secrets will not start',
    );
  }
  if (vault.weakerThanDefaults) {
    log.warn('the vault’s key derivation is weaker than Praktor’s current default: run praktor vault rotate');
  }
  // Every value is hidden from the logs from the start, not only once an agent uses it.
  if (!vault.hasPassphrase) return vault;
  for (const secret of vault.list()) {
    try {
      vault.reveal(secret.name);
    } catch (err) {
      log.warn({ secret: secret.name, err: messageOf(err) }, 'a secret cannot be read');
    }
  }
  return vault;
}

/** Says once how agents' memories will be searched, and why not with vectors when a half-set key prevents it. */
function logEmbeddingSource(config: Config, log: Logger): void {
  const { url, model, model_dir } = config.memory.embeddings;
  if (model_dir)
    log.info(
      { model_dir },
      'memory: embeddings from the model folder (Docker agents use the copy praktor image build put in the image)',
    );
  else if (url && model) log.info({ url, model }, 'memory: embeddings from the configured endpoint');
  else if (url)
    log.warn(
      'memory: memory.embeddings.url is set but memory.embeddings.model is empty; memories are found by full-text search alone',
    );
  else
    log.info(
      'memory: no embedding source configured (memory.embeddings); memories are found by full-text search alone',
    );
}

/** Takes a reloaded configuration into use where it is not read afresh each time. */
function applyChange(
  { previous, next, diff }: ConfigChange,
  parts: { orchestrator: Orchestrator; scheduler: Scheduler; auth: Auth },
): void {
  for (const agentId of diff.agentsRestarted) parts.orchestrator.reconfigure(agentId, 'changed');
  for (const agentId of diff.agentsRemoved) parts.orchestrator.reconfigure(agentId, 'removed');
  for (const agentId of Object.keys(next.agents)) {
    if (keepsWarm(next, agentId)) parts.orchestrator.warm(agentId);
  }
  if (diff.schedulerChanged) parts.scheduler.resetPolling();
  if (previous.web.auth !== next.web.auth) parts.auth.endAllSessions();
}

function logChange({ diff }: ConfigChange, log: Logger): void {
  for (const key of diff.restartRequired) {
    log.warn({ key }, `${key} changed: the change takes effect when Praktor restarts`);
  }
}
