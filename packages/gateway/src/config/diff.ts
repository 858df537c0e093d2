/**
 * What changed between two configurations, as the original's hot reload sees it: which parts can be applied
 * to a running gateway, and which keys only take effect after a restart.
 */
import { isDeepStrictEqual } from 'node:util';
import type { ConfigChanges } from '@praktor/protocol';
import { resolveAgent } from './resolve.js';
import type { Config } from './schema.js';

/** The differences between two configurations that a reload acts on. */
export interface ConfigDiff {
  agentsAdded: string[];
  agentsRemoved: string[];
  /** Agents in both whose definition differs in any key (env, files, model, …). */
  agentsChanged: string[];
  /**
   * Agents in both whose effective settings differ (their own keys, or the defaults they take): their sandboxes
   * must start again to run on the new settings.
   */
  agentsRestarted: string[];
  defaultsChanged: boolean;
  routerChanged: boolean;
  /** `scheduler.poll_interval` differs. */
  schedulerChanged: boolean;
  mainChatIdChanged: boolean;
  /** Key paths that changed but are only read at start-up, so the change waits for a restart. */
  restartRequired: string[];
}

/**
 * Keys read once at start-up. The original's list (token, port, NATS directory, vault passphrase) plus Praktor's
 * start-up keys (api_root, host, enabled, the model credentials the gateway's proxy holds, the Docker prefix and hosts), so
 * that no change goes unmentioned. `telegram.allow_from` and `web.auth`, which the original ignored on reload,
 * apply at once.
 */
const STARTUP_KEYS: [string, (config: Config) => unknown][] = [
  ['telegram.token', (c) => c.telegram.token],
  ['telegram.api_root', (c) => c.telegram.api_root],
  ['defaults.anthropic_api_key', (c) => c.defaults.anthropic_api_key],
  ['defaults.oauth_token', (c) => c.defaults.oauth_token],
  ['defaults.runtime', (c) => c.defaults.runtime],
  ['docker.prefix', (c) => c.docker.prefix],
  ['docker.hosts', (c) => c.docker.hosts],
  ['web.enabled', (c) => c.web.enabled],
  ['web.host', (c) => c.web.host],
  ['web.port', (c) => c.web.port],
  ['web.allowed_hosts', (c) => c.web.allowed_hosts],
  ['web.trusted_proxies', (c) => c.web.trusted_proxies],
  ['nats.data_dir', (c) => c.nats.data_dir],
  ['vault.passphrase', (c) => c.vault.passphrase],
];

/** Compares the running configuration `prev` with a freshly loaded `next`. */
export function diffConfig(prev: Config, next: Config): ConfigDiff {
  const before = Object.keys(prev.agents);
  const after = Object.keys(next.agents);
  return {
    agentsAdded: after.filter((id) => !Object.hasOwn(prev.agents, id)),
    agentsRemoved: before.filter((id) => !Object.hasOwn(next.agents, id)),
    agentsChanged: before.filter(
      (id) => Object.hasOwn(next.agents, id) && !isDeepStrictEqual(prev.agents[id], next.agents[id]),
    ),
    agentsRestarted: before.filter(
      (id) =>
        Object.hasOwn(next.agents, id) && !isDeepStrictEqual(resolveAgent(prev, id), resolveAgent(next, id)),
    ),
    defaultsChanged: !isDeepStrictEqual(prev.defaults, next.defaults),
    routerChanged: prev.router.default_agent !== next.router.default_agent,
    schedulerChanged: prev.scheduler.poll_interval !== next.scheduler.poll_interval,
    mainChatIdChanged: prev.telegram.main_chat_id !== next.telegram.main_chat_id,
    restartRequired: STARTUP_KEYS.filter(([, read]) => !isDeepStrictEqual(read(prev), read(next))).map(
      ([key]) => key,
    ),
  };
}

/** What a reload changed, as Mission Control shows it. */
export function changesOf(diff: ConfigDiff): ConfigChanges {
  return {
    agents_added: diff.agentsAdded,
    agents_removed: diff.agentsRemoved,
    agents_restarted: diff.agentsRestarted,
    restart_required: diff.restartRequired,
  };
}
