/**
 * Reads the YAML text of a config file into a plain tree whose scalars are all text (or null).
 *
 * Keeping the text as written matters: the original's YAML library hands text keys their source text, so
 * `mode: 0600` means "0600" (not the number 600) and `model: 1.0` means "1.0". Typed keys (numbers, booleans,
 * durations) are read from that text by the schema.
 */
import { parseDocument, visit, type YAMLError } from 'yaml';
import { ConfigError } from './issues.js';
import { shieldReferences } from './shield.js';

/** A parsed config file: mappings are plain objects, lists are arrays, scalars are strings or null. */
export type YamlTree = Record<string, unknown>;

/** Enough for anchors reused across agents; far below what would make expansion blow up. */
const MAX_ALIAS_COUNT = 1000;

/**
 * Parses `text` read from `source`. Returns the tree (empty for an empty file) and the YAML library's warnings;
 * throws {@link ConfigError} naming the file, line and column of every syntax error.
 */
export function readYaml(text: string, source: string): { tree: YamlTree; warnings: string[] } {
  const shielded = shieldReferences(text);
  // merge: yaml.v3, which the original uses, honours `<<: *anchor`; prettyErrors would quote the
  // offending line, which may hold a secret.
  const doc = parseDocument(shielded.text, { prettyErrors: false, merge: true, uniqueKeys: true });
  const located = (error: YAMLError) =>
    `${describe(error)} at ${position(text, shielded.originalOffset(error.pos[0]))}`;
  if (doc.errors.length > 0) {
    throw new ConfigError(
      doc.errors.map((error) => ({ path: source, message: located(error) })),
      source,
    );
  }
  visit(doc, {
    Scalar(_key, node) {
      if (typeof node.value === 'string') node.value = shielded.restore(node.value);
      else if (
        typeof node.value === 'number' ||
        typeof node.value === 'boolean' ||
        typeof node.value === 'bigint'
      ) {
        node.value = node.source ?? String(node.value);
      }
    },
  });
  let tree: unknown;
  try {
    tree = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (error) {
    throw new ConfigError([{ path: source, message: (error as Error).message }], source);
  }
  if (tree === null || tree === undefined) tree = {};
  if (typeof tree !== 'object' || Array.isArray(tree)) {
    const found = Array.isArray(tree) ? 'a list' : 'a single value';
    throw new ConfigError(
      [
        {
          path: source,
          message: `must be a mapping of keys such as telegram, defaults and agents, not ${found}`,
        },
      ],
      source,
    );
  }
  return {
    tree: copyAcyclic(tree, new Set(), source) as YamlTree,
    warnings: doc.warnings.map((warning) => `${source}: ${located(warning)}`),
  };
}

/** "line L, column C" (both counted from 1) of `offset` in `text`. */
function position(text: string, offset: number): string {
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  const column = offset - before.lastIndexOf('\n');
  return `line ${line}, column ${column}`;
}

/**
 * The library's message without the source text it sometimes appends after ": " (that text may be a
 * secret; the line and column say where to look).
 */
function describe(error: YAMLError): string {
  if (error.code === 'MULTIPLE_DOCS') return 'holds more than one YAML document (a second ---)';
  const cut = error.message.indexOf(': ');
  return cut === -1 ? error.message : error.message.slice(0, cut);
}

/**
 * Copies the tree so that nodes shared through aliases become independent, and rejects an alias inside its own
 * anchor (`a: &a [*a]`), which would otherwise make a value that never ends.
 */
function copyAcyclic(value: unknown, ancestors: Set<object>, source: string): unknown {
  if (typeof value !== 'object' || value === null) return value;
  if (ancestors.has(value)) {
    throw new ConfigError(
      [{ path: source, message: 'an alias (*name) is used inside the anchor it refers to' }],
      source,
    );
  }
  ancestors.add(value);
  const copy = Array.isArray(value)
    ? value.map((item) => copyAcyclic(item, ancestors, source))
    : Object.fromEntries(
        Object.entries(value).map(([key, item]) => [key, copyAcyclic(item, ancestors, source)]),
      );
  ancestors.delete(value);
  return copy;
}
