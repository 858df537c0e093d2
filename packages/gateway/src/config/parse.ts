/**
 * The pure core of loading: from YAML text (or an empty tree) and an environment to a validated Config.
 * Once the YAML is read, every later stage runs and reports all of its problems before anything is thrown, so
 * a user sees every problem at once.
 */
import { resolve } from 'node:path';
import type { z } from 'zod';
import { settleAgents } from './agents.js';
import { expandTree } from './expand.js';
import { ConfigError, type ConfigIssue, formatPath } from './issues.js';
import { readOverrides } from './overrides.js';
import { type Config, configSchema, type ParsedConfig, STRICT_KEYS } from './schema.js';
import { readYaml, type YamlTree } from './yaml.js';

/** What loading produced: the configuration, and notes worth showing (unknown keys, suspicious `$` text). */
export interface LoadResult {
  config: Config;
  warnings: string[];
}

/** Where the file is and what surrounds it; `source` is the file's path (made absolute against `cwd`). */
export interface ParseOptions {
  env: NodeJS.ProcessEnv;
  source: string;
  cwd: string;
}

/**
 * Parses the text of a config file. Throws {@link ConfigError} listing every problem (YAML syntax, invalid
 * values, unknown default agent, bad override variables); returns warnings for what is ignored.
 */
export function parseConfig(text: string, opts: ParseOptions): LoadResult {
  const source = resolve(opts.cwd, opts.source);
  const { tree, warnings } = readYaml(text, source);
  return buildConfig(tree, { env: opts.env, cwd: opts.cwd, source }, warnings);
}

/** Builds the configuration from a parsed tree; an empty tree yields the built-in defaults. */
export function buildConfig(
  tree: YamlTree,
  opts: { env: NodeJS.ProcessEnv; cwd: string; source: string | null },
  yamlWarnings: string[] = [],
): LoadResult {
  const overrides = readOverrides(opts.env);
  // A key an override variable replaces takes nothing from the file, so its references do not matter.
  const strict = new Map([...STRICT_KEYS].filter(([key]) => !overrides.keys.has(key)));
  const expanded = expandTree(tree, opts.env, strict);
  const raw = expanded.tree as YamlTree;
  const agentIssues = settleAgents(raw);
  const validated = validate(raw);
  const issues = [...expanded.issues, ...validated.issues, ...agentIssues, ...overrides.issues];
  const warnings = [
    ...yamlWarnings,
    ...expanded.warnings,
    ...validated.unknownKeys.map((key) => `unknown key "${key}" is ignored`),
  ];
  if (validated.data === undefined || issues.length > 0) throw new ConfigError(issues, opts.source, warnings);

  const parsed = validated.data;
  for (const [id, agent] of Object.entries(parsed.agents)) agent.workspace ||= id;
  overrides.apply(parsed);
  const dataDir = resolve(opts.cwd, opts.env.PRAKTOR_DATA_DIR || 'data');
  return {
    config: { ...parsed, source: opts.source, dataDir },
    warnings,
  };
}

/**
 * Runs the schema. Unknown keys are not problems: they are collected, removed, and the rest validated again,
 * because the schema rejects them (which is how zod reports them) while the original ignored them.
 */
function validate(raw: YamlTree): { data?: ParsedConfig; issues: ConfigIssue[]; unknownKeys: string[] } {
  const first = configSchema.safeParse(raw);
  if (first.success) return { data: first.data, issues: [], unknownKeys: [] };

  const unknown = first.error.issues.filter((issue) => issue.code === 'unrecognized_keys');
  const unknownKeys = unknown.flatMap((issue) => issue.keys.map((key) => formatPath([...issue.path, key])));
  const problems = first.error.issues.filter((issue) => issue.code !== 'unrecognized_keys');
  if (problems.length > 0) return { issues: problems.map(toIssue), unknownKeys };

  const pruned = structuredClone(raw);
  for (const issue of unknown) {
    const holder = issue.path.reduce<unknown>(
      (node, key) => (node as Record<PropertyKey, unknown>)[key],
      pruned,
    );
    for (const key of issue.keys) delete (holder as Record<string, unknown>)[key];
  }
  // Only unknown keys were wrong, so what remains is valid.
  return { data: configSchema.parse(pruned), issues: [], unknownKeys };
}

function toIssue(issue: z.core.$ZodIssue): ConfigIssue {
  return { path: formatPath(issue.path), message: issue.message };
}
