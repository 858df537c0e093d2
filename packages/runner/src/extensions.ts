/**
 * Applies the agent's extensions inside the sandbox before its first Claude Code process starts: skills written to
 * the agent's skills folder (stale ones removed), marketplaces and plugins brought in line through the Claude Code
 * CLI (always an argument vector, never a shell line), and the MCP servers made ready for the SDK. Everything lives
 * in the agent's home, so an installation survives the sandbox and happens once.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, isAbsolute, join, relative, resolve } from 'node:path';
import type { McpServerConfig, McpServerStatus } from '@anthropic-ai/claude-agent-sdk';
import { type ExtensionStatus, type McpServer, messageOf, type StartExtensions } from '@praktor/protocol';
import { installRequirements } from './extension-packages.js';
import type { AgentNix } from './nix.js';

/** What the runner's Claude Code processes load of the agent's extensions, and what became of them. */
export interface AppliedExtensions {
  /** The MCP servers to pass to every process, by name. */
  mcpServers: Record<string, McpServerConfig>;
  /** Whether the agent's own settings (its installed plugins and its skills) must be loaded. */
  loadsUserSettings: boolean;
  /** What is installed and what went wrong; the MCP servers' connection states are added once Claude Code knows. */
  status: ExtensionStatus;
}

/** How long one `claude plugin` command may take (an install clones a repository). */
const CLI_TIMEOUT_MS = 120_000;

/** The Claude Code CLI that ships with the SDK, for its `plugin` commands. */
function claudeCli(): string {
  const require = createRequire(import.meta.url);
  const sdk = dirname(require.resolve('@anthropic-ai/claude-agent-sdk'));
  const platform = require.resolve(
    `@anthropic-ai/claude-agent-sdk-${process.platform}-${process.arch}/package.json`,
    {
      paths: [sdk],
    },
  );
  return join(dirname(platform), 'claude');
}

/** Runs `claude <args>`; resolves with its standard output, rejects with what it said on failure. */
function runCli(args: string[], env: NodeJS.ProcessEnv): Promise<string> {
  return new Promise((resolvePromise, reject) => {
    execFile(
      claudeCli(),
      args,
      { env, timeout: CLI_TIMEOUT_MS, maxBuffer: 16 * 1024 * 1024 },
      (err, stdout, stderr) => {
        if (!err) return resolvePromise(stdout);
        const said = `${stderr}\n${stdout}`.trim().split('\n').slice(-3).join(' ');
        reject(new Error(`claude ${args.slice(0, 3).join(' ')} failed: ${said || messageOf(err)}`));
      },
    );
  });
}

/** SKILL.md: the name and description as YAML front matter (JSON strings are valid YAML), then the body. */
function skillMarkdown(name: string, description: string, content: string): string {
  return `---\nname: ${JSON.stringify(name)}\ndescription: ${JSON.stringify(description)}\n---\n\n${content}`;
}

/** Writes every skill into `skillsDir` and removes the folders of skills no longer configured. */
function writeSkills(
  skills: NonNullable<StartExtensions['skills']>,
  skillsDir: string,
  errors: string[],
): string[] {
  mkdirSync(skillsDir, { recursive: true });
  for (const entry of readdirSync(skillsDir, { withFileTypes: true })) {
    if (entry.isDirectory() && !Object.hasOwn(skills, entry.name)) {
      rmSync(join(skillsDir, entry.name), { recursive: true, force: true });
    }
  }
  const written: string[] = [];
  for (const [name, skill] of Object.entries(skills)) {
    const dir = join(skillsDir, name);
    try {
      rmSync(dir, { recursive: true, force: true });
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, 'SKILL.md'), skillMarkdown(name, skill.description, skill.content));
      for (const [path, base64] of Object.entries(skill.files ?? {})) {
        const target = resolve(dir, path);
        // Validated by the gateway already; checked again because this is where a bad path would do harm.
        const inside = relative(dir, target);
        if (inside.startsWith('..') || isAbsolute(inside))
          throw new Error(`file "${path}" is outside the skill`);
        mkdirSync(dirname(target), { recursive: true });
        writeFileSync(target, Buffer.from(base64, 'base64'), { mode: 0o755 });
      }
      written.push(name);
    } catch (err) {
      errors.push(`Skill "${name}" could not be written: ${messageOf(err)}`);
    }
  }
  return written;
}

interface ListedMarketplace {
  name: string;
  path?: string;
  repo?: string;
  url?: string;
  installLocation?: string;
}

interface ListedPlugin {
  id: string;
  enabled: boolean;
}

type WantedMarketplace = NonNullable<StartExtensions['marketplaces']>[number];

/** Whether a registered marketplace comes from where `wanted` says. */
function sameSource(listed: ListedMarketplace, wanted: WantedMarketplace): boolean {
  return [listed.path, listed.repo, listed.url, listed.installLocation].includes(wanted.source);
}

/**
 * Whether a registered marketplace is the one `wanted` describes: by where it comes from, or by its name. Its name is
 * the one its marketplace.json gives, whatever `wanted` calls it, so a source alone keeps a wrong name from making
 * every start register it anew.
 */
function sameMarketplace(listed: ListedMarketplace, wanted: WantedMarketplace): boolean {
  return sameSource(listed, wanted) || listed.name === wanted.name;
}

/** Registers the configured marketplaces and removes the others; returns the names registered afterwards. */
async function syncMarketplaces(
  wanted: NonNullable<StartExtensions['marketplaces']>,
  env: NodeJS.ProcessEnv,
  errors: string[],
): Promise<string[]> {
  const listed = JSON.parse(
    await runCli(['plugin', 'marketplace', 'list', '--json'], env),
  ) as ListedMarketplace[];
  for (const market of listed) {
    if (wanted.some((w) => sameMarketplace(market, w))) continue;
    try {
      await runCli(['plugin', 'marketplace', 'remove', '--', market.name], env);
    } catch (err) {
      errors.push(`Marketplace "${market.name}" could not be removed: ${messageOf(err)}`);
    }
  }
  for (const market of wanted) {
    if (listed.some((l) => sameMarketplace(l, market))) continue;
    try {
      // `--` ends the options: a source is only ever a source, whatever it starts with.
      await runCli(['plugin', 'marketplace', 'add', '--', market.source], env);
    } catch (err) {
      errors.push(`Marketplace "${market.source}" could not be added: ${messageOf(err)}`);
    }
  }
  const after = JSON.parse(
    await runCli(['plugin', 'marketplace', 'list', '--json'], env),
  ) as ListedMarketplace[];
  for (const market of wanted) {
    const registered = after.find((listed) => sameSource(listed, market));
    if (market.name === undefined || registered === undefined || registered.name === market.name) continue;
    errors.push(
      `Marketplace "${market.source}" is called "${registered.name}" by its marketplace.json, not "${market.name}": ` +
        `its plugins are named "<plugin>@${registered.name}"`,
    );
  }
  return after.map((m) => m.name);
}

/** Installs, enables and disables the configured plugins and uninstalls the others; returns the plugins installed. */
async function syncPlugins(
  wanted: NonNullable<StartExtensions['plugins']>,
  env: NodeJS.ProcessEnv,
  errors: string[],
): Promise<ListedPlugin[]> {
  const list = async () => JSON.parse(await runCli(['plugin', 'list', '--json'], env)) as ListedPlugin[];
  const installed = await list();
  for (const plugin of installed) {
    if (wanted.some((w) => w.name === plugin.id)) continue;
    try {
      await runCli(['plugin', 'uninstall', '--', plugin.id], env);
    } catch (err) {
      errors.push(`Plugin "${plugin.id}" could not be uninstalled: ${messageOf(err)}`);
    }
  }
  for (const plugin of wanted) {
    const present = installed.find((p) => p.id === plugin.name);
    try {
      if (!present) await runCli(['plugin', 'install', '--', plugin.name], env);
      const enabled = present ? present.enabled : true;
      if (plugin.disabled === true && enabled) await runCli(['plugin', 'disable', '--', plugin.name], env);
      if (plugin.disabled !== true && !enabled) await runCli(['plugin', 'enable', '--', plugin.name], env);
    } catch (err) {
      errors.push(`Plugin "${plugin.name}" could not be set up: ${messageOf(err)}`);
    }
  }
  return list();
}

/** The SDK's form of a configured server. */
function sdkServer(server: McpServer): McpServerConfig {
  if (server.type === 'http') return { type: 'http', url: server.url, headers: server.headers ?? {} };
  return { type: 'stdio', command: server.command, args: server.args ?? [], env: server.env ?? {} };
}

/**
 * Applies `extensions` in the home of Claude Code (`configDir`), installing what they need through the agent's `nix`
 * first; never throws: each problem becomes an error in the
 * status, in a sentence the user can act on, and the rest goes on.
 */
export async function applyExtensions(
  extensions: StartExtensions,
  configDir: string,
  env: NodeJS.ProcessEnv,
  nix: AgentNix,
): Promise<AppliedExtensions> {
  const unmet = await installRequirements(extensions, nix, env.PATH);
  const errors = [...extensions.errors, ...unmet.errors];
  const servers = extensions.mcp_servers ?? {};
  const mcpServers: Record<string, McpServerConfig> = {};
  // Until Claude Code reports on them, the servers passed on are `pending`.
  const reports: ExtensionStatus['mcp_servers'] = [];
  for (const [name, server] of Object.entries(servers)) {
    const error = unmet.servers.get(name);
    if (error === undefined) {
      mcpServers[name] = sdkServer(server);
      reports.push({ name, status: 'pending', error: null, tools: [] });
      continue;
    }
    errors.push(error);
    reports.push({ name, status: 'failed', error, tools: [] });
  }
  const skills = writeSkills(extensions.skills ?? {}, join(configDir, 'skills'), errors);
  const cliEnv = { ...env, CLAUDE_CONFIG_DIR: configDir };
  let marketplaces: string[] = [];
  let plugins: ListedPlugin[] = [];
  const wantsPlugins = (extensions.marketplaces ?? []).length > 0 || (extensions.plugins ?? []).length > 0;
  // The CLI costs a second per command: an agent that never had a plugin or marketplace does not pay for it.
  const hadPlugins = ['known_marketplaces.json', 'installed_plugins.json'].some((file) =>
    existsSync(join(configDir, 'plugins', file)),
  );
  if (wantsPlugins || hadPlugins) {
    try {
      marketplaces = await syncMarketplaces(extensions.marketplaces ?? [], cliEnv, errors);
      plugins = await syncPlugins(extensions.plugins ?? [], cliEnv, errors);
    } catch (err) {
      errors.push(`Plugins and marketplaces could not be set up: ${messageOf(err)}`);
    }
  }
  return {
    mcpServers,
    loadsUserSettings: skills.length > 0 || plugins.some((p) => p.enabled),
    status: {
      reported_at: Date.now(),
      mcp_servers: reports,
      marketplaces,
      plugins: plugins.map((p) => ({ name: p.id, enabled: p.enabled })),
      skills,
      errors,
    },
  };
}

/** How long after start the runner waits for the agent's MCP servers to leave `pending`. */
const CONNECT_LIMIT_MS = 30_000;

/**
 * The status with the agent's MCP servers as Claude Code reports them once none is still connecting (or after
 * `limitMs`, {@link CONNECT_LIMIT_MS} unless told); a server that failed to connect adds an error naming it and Claude Code's reason.
 */
export async function withConnections(
  status: ExtensionStatus,
  servers: Record<string, McpServerConfig>,
  report: () => Promise<McpServerStatus[]>,
  limitMs = CONNECT_LIMIT_MS,
): Promise<ExtensionStatus> {
  const own = (all: McpServerStatus[]) => all.filter((server) => Object.hasOwn(servers, server.name));
  const deadline = Date.now() + limitMs;
  let reported = own(await report());
  while (reported.some((server) => server.status === 'pending') && Date.now() < deadline) {
    await new Promise((wake) => setTimeout(wake, 250));
    reported = own(await report());
  }
  const errors = [...status.errors];
  const connections = reported.map((server) => {
    const error = server.status === 'failed' ? (server.error ?? 'no reason given') : null;
    if (error !== null) errors.push(`MCP server "${server.name}" failed to connect: ${error}`);
    return {
      name: server.name,
      status: server.status,
      error,
      tools: (server.tools ?? []).map((tool) => `mcp__${server.name}__${tool.name}`),
    };
  });
  return {
    ...status,
    reported_at: Date.now(),
    mcp_servers: [
      ...status.mcp_servers.filter((server) => !connections.some((c) => c.name === server.name)),
      ...connections,
    ],
    errors,
  };
}
