/**
 * Loading and validating `praktor.yaml`: the original's format, read unchanged, checked with problems named
 * by key path. See docs/configuration.md for every key.
 */
export { agentIdProblem, LOCAL_DOCKER_HOST } from './agents.js';
export { type ConfigDiff, changesOf, diffConfig } from './diff.js';
export { parseDuration } from './duration.js';
export { ConfigError, type ConfigIssue } from './issues.js';
export { type ConfigChange, LiveConfig, type LiveConfigOptions, type ReloadOutcome } from './live.js';
export { loadConfig } from './load.js';
export { type LoadResult, type ParseOptions, parseConfig } from './parse.js';
export { embeddingsOf, keepsWarm, type ResolvedAgent, resolveAgent } from './resolve.js';
export type { AgentDefinition, Config, RuntimeKind, SecuritySettings } from './schema.js';
export { watchFile } from './watch.js';
