/**
 * Reads the YAML text of a config file into a plain tree whose scalars are all text (or null).
 *
 * Keeping the text as written matters: the original's YAML library hands text keys their source text, so
 * `mode: 0600` means "0600" (not the number 600) and `model: 1.0` means "1.0". Typed keys (numbers, booleans,
 * durations) are read from that text by the schema.
 */
import { messageOf } from '@praktor/protocol';
import {
  type Document,
  isAlias,
  isCollection,
  isNode,
  isPair,
  isScalar,
  type Node,
  parseDocument,
  visit,
  type YAMLError,
} from 'yaml';
import { ConfigError } from './issues.js';
import { shieldReferences } from './shield.js';

/** A parsed config file: mappings are plain objects, lists are arrays, scalars are strings or null. */
export type YamlTree = Record<string, unknown>;

/** The largest config file read, in bytes: a hundred times any real one. */
export const MAX_CONFIG_BYTES = 1024 * 1024;

/**
 * Limits on what aliases may make of a small file. Each use of an alias stands for a whole copy of what it
 * refers to, so a few hundred bytes can stand for gigabytes ("billion laughs"), and resolving an alias costs
 * time in proportion to the aliases before it. Real files reuse an anchor per agent, and hold a few thousand
 * keys and values at most.
 */
const MAX_ALIASES = 1000;
const MAX_VALUES = 100_000;
const MAX_CHARACTERS = 4 * 1024 * 1024;

/**
 * Parses `text` read from `source`. Returns the tree (empty for an empty file) and the YAML library's warnings;
 * throws {@link ConfigError} naming the file, line and column of every syntax error.
 */
export function readYaml(text: string, source: string): { tree: YamlTree; warnings: string[] } {
  const bytes = Buffer.byteLength(text, 'utf8');
  if (bytes > MAX_CONFIG_BYTES) throw tooLarge(source, bytes);
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
  const expanded = measureExpanded(doc);
  const limit = (message: string) => new ConfigError([{ path: source, message }], source);
  if (expanded.aliases > MAX_ALIASES) {
    throw limit(`uses ${expanded.aliases} aliases (*name); a config file may use at most ${MAX_ALIASES}`);
  }
  if (expanded.values > MAX_VALUES) {
    throw limit(
      `holds more than ${MAX_VALUES} keys and values once its aliases (*name) are expanded; ` +
        `a config file may hold at most ${MAX_VALUES}`,
    );
  }
  if (expanded.characters > MAX_CHARACTERS) {
    throw limit(
      `holds more than ${MAX_CHARACTERS} characters of text once its aliases (*name) are expanded; ` +
        `a config file may hold at most ${MAX_CHARACTERS}`,
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
    // The library's own alias check counts uses of an alias but not the size of what it refers to (a large list
    // used a thousand times passes it); measureExpanded has bounded the real size instead.
    tree = doc.toJS({ maxAliasCount: -1 });
  } catch (error) {
    throw new ConfigError([{ path: source, message: messageOf(error) }], source);
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

/** The problem of a file larger than {@link MAX_CONFIG_BYTES}; the loader reports it before reading. */
export function tooLarge(source: string, bytes: number): ConfigError {
  return new ConfigError(
    [
      {
        path: source,
        message: `is ${bytes} bytes; a config file may be at most ${MAX_CONFIG_BYTES} bytes (1 MiB)`,
      },
    ],
    source,
  );
}

/** How large a document is once every alias is replaced by a copy of what it refers to. */
interface Expanded {
  /** Uses of aliases written in the file. */
  aliases: number;
  /** Keys, list items and values (scalars, mappings and lists). */
  values: number;
  /** Characters of every key and scalar value. */
  characters: number;
}

/**
 * Measures `doc` as if every alias were expanded, without expanding anything: each node's size is computed once
 * and an alias adds the size of the node it refers to (the last one with that anchor before it, as the library
 * resolves it). An alias inside its own anchor counts as one value here and is refused when the tree is copied.
 */
function measureExpanded(doc: Document): Expanded {
  const anchored = new Map<string, Node>();
  const sizes = new Map<Node, { values: number; characters: number }>();
  let aliases = 0;
  const measure = (node: unknown): { values: number; characters: number } => {
    if (isAlias(node)) {
      aliases += 1;
      const target = anchored.get(node.source);
      return (target && sizes.get(target)) ?? { values: 1, characters: 0 };
    }
    if (isPair(node)) {
      const key = measure(node.key);
      const value = measure(node.value);
      return { values: key.values + value.values, characters: key.characters + value.characters };
    }
    if (!isNode(node)) return { values: 0, characters: 0 };
    if (node.anchor) anchored.set(node.anchor, node);
    const size = { values: 1, characters: 0 };
    if (isScalar(node)) size.characters = String(node.value ?? '').length;
    else if (isCollection(node)) {
      for (const item of node.items) {
        const inner = measure(item);
        size.values += inner.values;
        size.characters += inner.characters;
      }
    }
    sizes.set(node, size);
    return size;
  };
  const total = measure(doc.contents);
  return { aliases, ...total };
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
