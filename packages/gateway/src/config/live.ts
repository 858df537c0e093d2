/**
 * The configuration in force, and its replacement while the gateway runs: a reload loads the file again with the
 * same pipeline as the start, and either adopts the new configuration whole or keeps the last good one and says
 * why — never a part of one.
 */
import { type ConfigStatus, messageOf } from '@praktor/protocol';
import { type ConfigDiff, diffConfig } from './diff.js';
import { ConfigError, type ConfigIssue } from './issues.js';
import type { LoadResult } from './parse.js';
import type { Config } from './schema.js';

/** A configuration that was adopted, with what changed. */
export interface ConfigChange {
  previous: Config;
  next: Config;
  diff: ConfigDiff;
}

/** What a reload did. */
export type ReloadOutcome =
  | { ok: true; diff: ConfigDiff; warnings: string[]; ms: number }
  | { ok: false; error: ConfigIssue };

/** What a reload needs besides the configuration in force. */
export interface LiveConfigOptions {
  /** Loads the configuration anew (as at start); throws {@link ConfigError} for a configuration that cannot be used. */
  load: () => LoadResult;
  /**
   * A last word before a valid configuration is adopted: a problem it would cause the running gateway (such as
   * Mission Control on the network without a password), or null.
   */
  check?: (next: Config, previous: Config) => ConfigIssue | null;
}

/** Holds the configuration in force; every room reads it through {@link get}, so a reload reaches all at once. */
export class LiveConfig {
  private current: Config;
  private loadedAt = Date.now();
  private error: ConfigIssue | null = null;
  private readonly listeners = new Set<(change: ConfigChange) => void>();

  constructor(
    initial: Config,
    private readonly opts: LiveConfigOptions,
  ) {
    this.current = initial;
  }

  /** The configuration in force now (a function, so it can be handed to the rooms as it is). */
  readonly get = (): Config => this.current;

  /** Where the configuration came from, when it was loaded, and why its last reload was refused (if it was). */
  get status(): ConfigStatus {
    return { file: this.current.source, loaded_at: this.loadedAt, error: this.error };
  }

  /** Calls `listener` after each adopted reload, in the order listeners were added; returns the unsubscribe. */
  onChange(listener: (change: ConfigChange) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * Loads the configuration again. A configuration that loads and passes the check replaces the one in force and
   * the listeners hear of it; any problem keeps the one in force and is remembered for {@link status}.
   */
  reload(): ReloadOutcome {
    const startedAt = Date.now();
    let loaded: LoadResult;
    try {
      loaded = this.opts.load();
    } catch (err) {
      return this.refuse(firstIssue(err));
    }
    const previous = this.current;
    const problem = this.opts.check?.(loaded.config, previous) ?? null;
    if (problem) return this.refuse(problem);
    const diff = diffConfig(previous, loaded.config);
    this.current = loaded.config;
    this.loadedAt = Date.now();
    this.error = null;
    for (const listener of this.listeners) listener({ previous, next: loaded.config, diff });
    return { ok: true, diff, warnings: loaded.warnings, ms: Date.now() - startedAt };
  }

  private refuse(error: ConfigIssue): ReloadOutcome {
    this.error = error;
    return { ok: false, error };
  }
}

/** The first problem of a failed load, named by its key path (all of them are in the message). */
function firstIssue(err: unknown): ConfigIssue {
  if (err instanceof ConfigError && err.issues.length > 0) {
    const [first, ...rest] = err.issues as [ConfigIssue, ...ConfigIssue[]];
    if (rest.length === 0) return first;
    const others = rest.map((issue) => `${issue.path}: ${issue.message}`).join('; ');
    return { path: first.path, message: `${first.message} (also ${others})` };
  }
  return { path: 'praktor.yaml', message: messageOf(err) };
}
