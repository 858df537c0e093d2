/**
 * The agent's nix profile: search, add, list, remove, upgrade and collect garbage, with the original's wording, for
 * the agent's nix tools and the gateway's `/nix` command alike. In Docker, nix runs single-user as the agent on its
 * own /nix (see images/agent/Dockerfile). In the local runtime it is the host's nix, and the agent's profile is one
 * of its own in its home (`PRAKTOR_NIX_PROFILE`, see the gateway's runtimes/local-nix.ts). The commands work with
 * Debian's nix 2.8 as with newer ones.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { basename, dirname } from 'node:path';
import { messageOf, type NixAction } from '@praktor/protocol';

/** What a nix action answers: the text for the model or the person, and whether it worked. */
export interface NixOutcome {
  ok: boolean;
  text: string;
}

/** The answer of every action when the agent has no nix because it did not ask for it. */
export const NIX_NOT_ENABLED =
  'Nix is not available: this agent does not have nix_enabled. Set agents.<id>.nix_enabled: true in praktor.yaml: ' +
  'in Docker the agent gets a nix store of its own, in the local runtime it uses the nix of the machine it runs on.';

/** Names agents reach for that nixpkgs spells otherwise. */
const ALIASES: Record<string, string> = { uvx: 'uv' };

/** How long an install may take unless told otherwise. */
const ADD_TIMEOUT_MS = 120_000;

/** Length of a store path's hash and the dash after it. */
const HASH_PREFIX = 33;

interface Finished {
  code: number;
  stdout: string;
  stderr: string;
  error: string | null;
}

/** One element of the profile: its name and store paths. */
interface ProfileElement {
  name: string;
  storePaths: string[];
}

/** Runs nix commands for one agent, with Claude Code's environment (PATH, NIX_CONFIG, PRAKTOR_NIX_PROFILE). */
export class AgentNix {
  /**
   * The agent's own profile on a store it shares with the host (the local runtime); null for the default profile
   * on a store of its own (Docker).
   */
  private readonly profile: string | null;

  constructor(
    /** Null when the agent has no nix: every action then answers `unavailable`. */
    private readonly env: Record<string, string | undefined> | null,
    /** Why there is no nix, with how to enable it. */
    private readonly unavailable: string = NIX_NOT_ENABLED,
  ) {
    this.profile = env?.PRAKTOR_NIX_PROFILE || null;
  }

  /** Whether the agent has nix. */
  get enabled(): boolean {
    return this.env !== null;
  }

  /** Runs `action` with `args` (packages, or a search term); an install may take `addTimeoutMs`. */
  async run(action: NixAction, args: string[], addTimeoutMs = ADD_TIMEOUT_MS): Promise<NixOutcome> {
    if (this.env === null) return { ok: false, text: this.unavailable };
    switch (action) {
      case 'search':
        return this.search(args.join(' '));
      case 'add':
        return this.add(args, addTimeoutMs);
      case 'list':
        return this.list();
      case 'remove':
        return this.remove(args);
      case 'upgrade':
        return this.upgrade();
      case 'collect_garbage':
        return this.collectGarbage();
    }
  }

  /**
   * Those of `packages` the agent's profile does not hold yet, matched by element name, flake attribute or store
   * path. When the profile cannot be read all are answered: installing them then says what is wrong.
   */
  async notInstalled(packages: string[]): Promise<string[]> {
    if (this.env === null || packages.length === 0) return packages;
    const listed = await this.elements();
    if ('error' in listed || listed.elements === null) return packages;
    const elements = listed.elements;
    return packages.filter((wanted) => !elements.some((e) => holds(e, wanted)));
  }

  private async search(query: string): Promise<NixOutcome> {
    if (query.trim() === '') return { ok: false, text: 'Search failed: say what to search for.' };
    const done = await this.nix(['search', '--json', '--quiet', 'nixpkgs', query], 60_000);
    if (done.code !== 0) return failed('Search', done);
    return { ok: true, text: formatSearch(done.stdout) };
  }

  private async add(packages: string[], timeoutMs: number): Promise<NixOutcome> {
    if (packages.length === 0) return { ok: false, text: 'Install failed: name at least one package.' };
    try {
      // Nix makes the profile's links but not the folder they live in.
      if (this.profile !== null) mkdirSync(dirname(this.profile), { recursive: true });
    } catch (err) {
      return { ok: false, text: `Install failed: ${messageOf(err)}` };
    }
    const done = await this.nix(
      ['profile', 'install', ...this.profileArgs(), ...packages.map(installable)],
      timeoutMs,
    );
    if (done.code !== 0) return failed('Install', done);
    return { ok: true, text: done.stdout.trim() || `Installed: ${packages.join(', ')}` };
  }

  private async list(): Promise<NixOutcome> {
    const listed = await this.elements();
    if ('error' in listed) return failed('List', listed.error);
    if (listed.elements === null) return { ok: true, text: listed.raw };
    return { ok: true, text: formatProfile(listed.elements) };
  }

  private async remove(packages: string[]): Promise<NixOutcome> {
    if (packages.length === 0) return { ok: false, text: 'Remove failed: name at least one package.' };
    const listed = await this.elements();
    if ('error' in listed) return failed('Remove', listed.error);
    const elements = listed.elements ?? [];
    // Nix 2.8 removes by store path or number, not by name: a name becomes its element's store paths.
    const targets = packages.flatMap((name) => elements.find((e) => e.name === name)?.storePaths ?? [name]);
    const done = await this.nix(['profile', 'remove', ...this.profileArgs(), ...targets], 30_000);
    if (done.code !== 0) return failed('Remove', done);
    const unmatched = `${done.stdout}${done.stderr}`.match(/does not match any packages/);
    if (unmatched) return { ok: false, text: `Remove failed: ${(done.stderr || done.stdout).trim()}` };
    return { ok: true, text: done.stdout.trim() || `Removed: ${packages.join(', ')}` };
  }

  private async upgrade(): Promise<NixOutcome> {
    let done = await this.nix(['profile', 'upgrade', ...this.profileArgs(), '--all'], 120_000);
    // Nix before 2.20 knows no --all: every element matches the regular expression instead.
    if (done.code !== 0 && /unrecognised flag '--all'/.test(done.stderr)) {
      done = await this.nix(['profile', 'upgrade', ...this.profileArgs(), '.*'], 120_000);
    }
    if (done.code !== 0) return failed('Upgrade', done);
    return { ok: true, text: done.stdout.trim() || 'All packages upgraded successfully.' };
  }

  /**
   * On a store of its own, everything no profile uses is deleted. On the host's store, shared with the host's users
   * and other agents, only this agent's old profile versions go: what they held is then unused unless someone else
   * uses it, and the host's own garbage collection (nix-collect-garbage, nix.gc on NixOS) frees it with the rest of
   * the host's garbage, when and how often the host's owner decided.
   */
  private async collectGarbage(): Promise<NixOutcome> {
    if (this.profile !== null) {
      // Nothing was ever installed: there is no profile, and nix would fail to lock one.
      if (!existsSync(dirname(this.profile)))
        return { ok: true, text: 'No profile yet: nothing to collect.' };
      const wiped = await this.nix(['profile', 'wipe-history', '--profile', this.profile], 60_000);
      if (wiped.code !== 0) return failed('Garbage collection', wiped);
      return {
        ok: true,
        text: 'Old versions of the profile deleted; the host’s nix-collect-garbage frees what they held.',
      };
    }
    const done = await run('nix-collect-garbage', ['-d'], this.env ?? {}, 600_000);
    if (done.code !== 0) return failed('Garbage collection', done);
    const lines = `${done.stdout}${done.stderr}`.trim().split('\n');
    return { ok: true, text: lines.at(-1) ?? 'Done.' };
  }

  /** The profile's elements; `elements` is null when nix printed something this parser does not know (`raw`). */
  private async elements(): Promise<
    { elements: ProfileElement[] | null; raw: string } | { error: Finished }
  > {
    const json = await this.nix(['profile', 'list', ...this.profileArgs(), '--json'], 10_000);
    if (json.code === 0) return { elements: parseProfileJson(json.stdout), raw: json.stdout };
    if (!/unrecognised flag '--json'/.test(json.stderr)) return { error: json };
    const text = await this.nix(['profile', 'list', ...this.profileArgs()], 10_000);
    if (text.code !== 0) return { error: text };
    return { elements: parseProfileText(text.stdout), raw: text.stdout };
  }

  private profileArgs(): string[] {
    return this.profile === null ? [] : ['--profile', this.profile];
  }

  private nix(args: string[], timeoutMs: number): Promise<Finished> {
    return run('nix', args, this.env ?? {}, timeoutMs);
  }
}

/** Whether a profile element is the package `wanted`: its store path, or the name of a flake attribute or package. */
function holds(element: ProfileElement, wanted: string): boolean {
  if (wanted.startsWith('/')) return element.storePaths.includes(wanted);
  const hash = wanted.indexOf('#');
  const name = hash >= 0 ? nameOfAttrPath(wanted.slice(hash + 1)) : (ALIASES[wanted] ?? wanted);
  return element.name === name;
}

/** A package name as nix installs it: a bare name from nixpkgs; a flake reference or store path as it is. */
function installable(name: string): string {
  if (/[#:/]/.test(name)) return name;
  return `nixpkgs#${ALIASES[name] ?? name}`;
}

function run(
  command: string,
  args: string[],
  env: Record<string, string | undefined>,
  timeoutMs: number,
): Promise<Finished> {
  return new Promise((resolve) => {
    execFile(
      command,
      args,
      { env, timeout: timeoutMs, maxBuffer: 32 * 1024 * 1024, encoding: 'utf8' },
      (err, stdout, stderr) => {
        if (!err) return resolve({ code: 0, stdout, stderr, error: null });
        const code = typeof err.code === 'number' ? err.code : 1;
        const error = err.killed ? `${command} took longer than ${timeoutMs / 1000} s` : err.message;
        resolve({ code, stdout, stderr, error });
      },
    );
  });
}

/** `<Verb> failed: <stderr, else stdout, else the error>`, as the original says it. */
function failed(verb: string, done: Finished): NixOutcome {
  const detail = done.stderr.trim() || done.stdout.trim() || done.error || `exit code ${done.code}`;
  return { ok: false, text: `${verb} failed: ${detail}` };
}

/** The name a store path's package goes by: its name without the version (`hello-2.12.1` → `hello`). */
function nameOfStorePath(path: string): string {
  const name = basename(path).slice(HASH_PREFIX);
  const versionAt = name.search(/-\d/);
  return versionAt < 0 ? name : name.slice(0, versionAt);
}

/** The element name of a flake attribute path (`legacyPackages.x86_64-linux.hello` → `hello`). */
function nameOfAttrPath(attrPath: string): string {
  return attrPath.split('.').at(-1) ?? attrPath;
}

/** `nix profile list --json`: elements keyed by name (nix ≥ 2.20), or a list (before); null when neither. */
export function parseProfileJson(text: string): ProfileElement[] | null {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return null;
  }
  const elements = (parsed as { elements?: unknown }).elements;
  const pathsOf = (e: unknown): string[] => {
    const paths = (e as { storePaths?: unknown })?.storePaths;
    return Array.isArray(paths) ? paths.filter((p): p is string => typeof p === 'string') : [];
  };
  if (Array.isArray(elements)) {
    return elements.map((e) => {
      const attrPath = (e as { attrPath?: unknown }).attrPath;
      const paths = pathsOf(e);
      const name = typeof attrPath === 'string' && attrPath !== '' ? nameOfAttrPath(attrPath) : null;
      return { name: name ?? nameOfStorePath(paths[0] ?? ''), storePaths: paths };
    });
  }
  if (elements && typeof elements === 'object') {
    return Object.entries(elements).map(([name, e]) => ({ name, storePaths: pathsOf(e) }));
  }
  return null;
}

/** `nix profile list` of nix 2.8: `<n> <flake ref#attr or -> <resolved ref or -> <store paths…>` per line. */
export function parseProfileText(text: string): ProfileElement[] {
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => {
      const [, ref = '-', , ...paths] = line.trim().split(/\s+/);
      const hash = ref.indexOf('#');
      const name =
        ref !== '-' && hash >= 0 ? nameOfAttrPath(ref.slice(hash + 1)) : nameOfStorePath(paths[0] ?? '');
      return { name, storePaths: paths };
    });
}

/** `<name>: <versions>` per element, as the original lists a profile. */
export function formatProfile(elements: ProfileElement[]): string {
  if (elements.length === 0) return 'No packages installed.';
  return elements
    .map(({ name, storePaths }) => {
      const versions = storePaths.map((path) => {
        const rest = basename(path).slice(HASH_PREFIX);
        return rest.startsWith(`${name}-`) ? rest.slice(name.length + 1) : rest;
      });
      return `${name}: ${versions.length > 0 ? versions.join(', ') : 'unknown'}`;
    })
    .join('\n');
}

/** `nix search --json`: `<pname> <version>` and the description, each result once; raw text when not JSON. */
export function formatSearch(text: string): string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return text;
  }
  const seen = new Set<string>();
  const results: string[] = [];
  for (const entry of Object.values((parsed ?? {}) as Record<string, unknown>)) {
    const { pname = '', version = '', description = '' } = entry as Record<string, string>;
    const key = `${pname}\0${version}\0${description}`;
    if (seen.has(key)) continue;
    seen.add(key);
    results.push(`${pname} ${version}\n${description}`);
  }
  return results.length === 0 ? 'No results found.' : results.join('\n\n');
}
