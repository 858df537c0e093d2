/**
 * The pure core of loading: from YAML text (or an empty tree) and an environment to a validated Config.
 * Once the YAML is read, every later stage runs and reports all of its problems before anything is thrown, so
 * a user sees every problem at once.
 */
import { resolve } from 'node:path';
import type { z } from 'zod';
import { didYouMean } from '../suggest.js';
import { settleAgents } from './agents.js';
import { embeddingModelProblem } from './embedding-model.js';
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
  const issues = [
    ...expanded.issues,
    ...validated.issues,
    ...agentIssues,
    ...overrides.issues,
    ...(validated.data ? embeddingsIssues(validated.data) : []),
  ];
  const warnings = [
    ...yamlWarnings,
    ...expanded.warnings,
    ...validated.unknownKeys.map(
      ({ path, key, known }) => `unknown key "${path}" is ignored${didYouMean(key, known)}`,
    ),
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

/** One embedding source at most, and a model folder that transformers.js can load. */
function embeddingsIssues(config: ParsedConfig): ConfigIssue[] {
  const { url, model_dir } = config.memory.embeddings;
  if (model_dir === undefined) return [];
  if (url !== undefined) {
    return [
      {
        path: 'memory.embeddings',
        message:
          'url and model_dir are both set; choose one embedding source: an endpoint (url, model) or a model folder on this machine (model_dir)',
      },
    ];
  }
  const problem = embeddingModelProblem(model_dir);
  return problem ? [{ path: 'memory.embeddings.model_dir', message: problem }] : [];
}

/**
 * Runs the schema. Unknown keys are not problems: they are collected, removed, and the rest validated again,
 * because the schema rejects them (which is how zod reports them) while the original ignored them.
 */
function validate(raw: YamlTree): { data?: ParsedConfig; issues: ConfigIssue[]; unknownKeys: UnknownKey[] } {
  const first = configSchema.safeParse(raw);
  if (first.success) return { data: first.data, issues: [], unknownKeys: [] };

  const unknown = first.error.issues.filter((issue) => issue.code === 'unrecognized_keys');
  const unknownKeys = unknown.flatMap((issue) => {
    const known = knownKeysAt(configSchema, issue.path);
    return issue.keys.map((key) => ({ path: formatPath([...issue.path, key]), key, known }));
  });
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

/** A key the schema does not have: where it is, as written, and the keys that place does have. */
interface UnknownKey {
  path: string;
  key: string;
  known: string[];
}

/** The parts of a zod schema's definition the walk below reads. */
interface SchemaDef {
  type: string;
  out?: z.ZodType;
  innerType?: z.ZodType;
  shape?: Record<string, z.ZodType>;
  valueType?: z.ZodType;
  element?: z.ZodType;
}

function defOf(schema: z.ZodType): SchemaDef {
  return (schema as unknown as { _zod: { def: SchemaDef } })._zod.def;
}

/** The schema inside the wrappers the field helpers put around it (preprocessing, optional, default). */
function unwrap(schema: z.ZodType): z.ZodType {
  let node = schema;
  for (;;) {
    const def = defOf(node);
    const inner = def.type === 'pipe' ? def.out : def.innerType;
    if (inner === undefined) return node;
    node = inner;
  }
}

/** The keys the schema knows at `path` (a mapping's, through lists and dictionaries), for "did you mean". */
function knownKeysAt(schema: z.ZodType, path: readonly PropertyKey[]): string[] {
  let node: z.ZodType | undefined = unwrap(schema);
  for (const key of path) {
    const def = defOf(node);
    if (def.type === 'object') node = def.shape?.[String(key)];
    else if (def.type === 'record') node = def.valueType;
    else if (def.type === 'array') node = def.element;
    else return [];
    if (node === undefined) return [];
    node = unwrap(node);
  }
  const def = defOf(node);
  return def.type === 'object' ? Object.keys(def.shape ?? {}) : [];
}

function toIssue(issue: z.core.$ZodIssue): ConfigIssue {
  return { path: formatPath(issue.path), message: issue.message };
}
