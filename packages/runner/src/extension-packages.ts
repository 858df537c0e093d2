/**
 * The nix packages an agent's extensions need, installed through the agent's nix before they start: the package of a
 * stdio MCP server whose command is not on the PATH (its `requires`, else the package named as the command), and
 * the `requires` of skills and plugins. Only what is missing is installed; the agent's nix store keeps it, so the
 * next start finds it there. Without nix, what is missing is said, naming it.
 */
import type { StartExtensions } from '@praktor/protocol';
import type { AgentNix } from './nix.js';
import { findCommand } from './path-search.js';

/** What could not be made ready: the MCP servers that must not start, by name, and the problems of the rest. */
export interface UnmetRequirements {
  servers: Map<string, string>;
  errors: string[];
}

/** Whether a required package is already there: a bare name that is a command on the PATH. */
function onPath(pkg: string, path: string | undefined): boolean {
  return !/[#:/]/.test(pkg) && findCommand(pkg, path) !== null;
}

/**
 * How long the installs of one start may take together: the runner must be ready within the gateway's 60 s, and
 * Claude Code's start takes up to 20 s of them. What nix fetched by then stays in the store for the next start.
 */
const INSTALL_BUDGET_MS = 35_000;

/** Installs those of `packages` the agent's profile lacks by `deadline`; null when that worked, else why not. */
async function install(packages: string[], nix: AgentNix, deadline: number): Promise<string | null> {
  const missing = await nix.notInstalled(packages);
  if (missing.length === 0) return null;
  const left = deadline - Date.now();
  if (left <= 0) return outOfTime();
  const outcome = await nix.run('add', missing, left);
  if (outcome.ok) return null;
  return Date.now() >= deadline ? outOfTime() : outcome.text;
}

function outOfTime(): string {
  return "the time a start allows for installing extensions' packages ran out; the next start goes on where it stopped";
}

/**
 * Makes the extensions' commands and packages present where nix can, and answers what is still missing. `path` is
 * the PATH the servers and Claude Code run with; the agent's nix profile is on it.
 */
export async function installRequirements(
  extensions: StartExtensions,
  nix: AgentNix,
  path: string | undefined,
  budgetMs = INSTALL_BUDGET_MS,
): Promise<UnmetRequirements> {
  const unmet: UnmetRequirements = { servers: new Map(), errors: [] };
  const deadline = Date.now() + budgetMs;
  for (const [name, server] of Object.entries(extensions.mcp_servers ?? {})) {
    if (server.type !== 'stdio' || findCommand(server.command, path) !== null) continue;
    const notFound = `MCP server "${name}" was not started: its command "${server.command}" is not installed in the sandbox (not found on its PATH)`;
    // A command given as a path names no package.
    const packages = server.requires ?? (server.command.includes('/') ? [] : [server.command]);
    if (packages.length === 0) {
      unmet.servers.set(name, notFound);
      continue;
    }
    const failure = await install(packages, nix, deadline);
    if (failure !== null) {
      const why = nix.enabled ? `, and installing ${packages.join(', ')} through nix failed: ` : '. ';
      unmet.servers.set(name, `${notFound}${why}${failure}`);
    } else if (findCommand(server.command, path) === null) {
      unmet.servers.set(name, `${notFound}, and the nix packages ${packages.join(', ')} do not provide it`);
    }
  }
  const others = [
    ...Object.entries(extensions.skills ?? {}).map(
      ([name, skill]) => [`Skill "${name}"`, skill.requires] as const,
    ),
    ...(extensions.plugins ?? []).map((plugin) => [`Plugin "${plugin.name}"`, plugin.requires] as const),
  ];
  for (const [what, requires] of others) {
    const packages = (requires ?? []).filter((pkg) => !onPath(pkg, path));
    if (packages.length === 0) continue;
    const failure = await install(packages, nix, deadline);
    if (failure === null) continue;
    const why = nix.enabled ? ', and installing them through nix failed: ' : '. ';
    unmet.errors.push(
      `${what} needs ${packages.join(', ')}, which the sandbox does not have${why}${failure}`,
    );
  }
  return unmet;
}
