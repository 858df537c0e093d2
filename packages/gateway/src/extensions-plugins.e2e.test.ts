/**
 * Plugins from a marketplace end to end, on each runtime: the test makes the marketplace as a git repository in the
 * agent's workspace (the host's folder in the local runtime, the workspace volume in Docker), which the sandbox sees
 * without any network. The plugin is installed once, its skill reaches the model, and it is disabled and
 * uninstalled through the API. A source and a name full of shell metacharacters are handed to the Claude Code CLI as
 * they are, and nothing of them runs.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ExtensionStatus, ExtensionsReply } from '@praktor/protocol';
import {
  defaultStackConfig,
  dockerInspect,
  type ModelRequest,
  reply,
  requireCommand,
  type Stack,
  startStack,
  TEST_IMAGE_TIMEOUT_MS,
  TEST_USER_ID,
} from '@praktor/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeOnEachRuntime, type WithRuntime } from './runtimes/each-runtime.test-support.js';

const SKILL_DESCRIPTION = 'Greets every member of the Lighthouse team by name';

function model(req: ModelRequest) {
  if (req.kind !== 'main') return reply.text('side call');
  return reply.text(`heard: ${req.lastUserText}`);
}

/** Makes `dir` a git repository holding a marketplace `team-market` with one plugin, `greeter`, that has a skill. */
function makeMarketplace(dir: string): void {
  const plugin = join(dir, 'plugins', 'greeter');
  mkdirSync(join(dir, '.claude-plugin'), { recursive: true });
  mkdirSync(join(plugin, '.claude-plugin'), { recursive: true });
  mkdirSync(join(plugin, 'skills', 'team-greeting'), { recursive: true });
  writeFileSync(
    join(dir, '.claude-plugin', 'marketplace.json'),
    JSON.stringify({
      name: 'team-market',
      owner: { name: 'Lighthouse' },
      plugins: [{ name: 'greeter', source: './plugins/greeter', description: 'Greets the team' }],
    }),
  );
  writeFileSync(
    join(plugin, '.claude-plugin', 'plugin.json'),
    JSON.stringify({ name: 'greeter', version: '1.0.0', description: 'Greets the team' }),
  );
  writeFileSync(
    join(plugin, 'skills', 'team-greeting', 'SKILL.md'),
    `---\nname: team-greeting\ndescription: ${SKILL_DESCRIPTION}\n---\n\nSay hello to each of them.\n`,
  );
  const git = (...args: string[]) =>
    execFileSync('git', ['-c', 'user.name=test', '-c', 'user.email=test@example.invalid', ...args], {
      cwd: dir,
    });
  git('init', '--quiet');
  git('add', '.');
  git('commit', '--quiet', '-m', 'the team marketplace');
}

/** The sandbox's user in the Docker image, who must own what it reads in its volumes. */
const DOCKER_AGENT_UID = 10321;

/** Where one of the installation's volumes is on this machine. */
const volumeOnHost = (name: string) => (dockerInspect('volume', name) as { Mountpoint: string }).Mountpoint;

function describePlugins(runtime: string, withRuntime: WithRuntime, prefix: string | null) {
  describe(`plugins from a marketplace in a local git repository, in the ${runtime} runtime`, () => {
    let stack: Stack;
    /** The agent's workspace on this machine, and as the sandbox sees it. */
    let workspace: string;
    let workspaceInside: string;
    /** The marketplace, as the sandbox sees it. */
    let market: string;
    /** The agent's Claude Code home on this machine. */
    let claudeHome: string;

    async function ask(text: string): Promise<string> {
      const [answer] = await stack.telegram.say(TEST_USER_ID, text, { timeoutMs: 120_000 });
      return answer?.text ?? '';
    }

    async function api(
      method: string,
      path: string,
      body?: unknown,
    ): Promise<{ status: number; json: unknown }> {
      const response = await fetch(`${stack.praktor.webUrl}/api/agents/definitions/general${path}`, {
        method,
        headers: body === undefined ? {} : { 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      return { status: response.status, json: await response.json() };
    }

    /** Saves `extensions`, starts a new sandbox on them, and answers what it reported. */
    async function applied(extensions: unknown): Promise<ExtensionStatus> {
      expect((await api('PUT', '/extensions', extensions)).status).toBe(200);
      expect((await api('POST', '/stop')).status).toBe(200);
      expect((await api('POST', '/start')).status).toBe(200);
      return ((await api('GET', '/extensions')).json as ExtensionsReply)._status as ExtensionStatus;
    }

    /** The last request of the conversation, in a new conversation so that no earlier listing is in its history. */
    async function freshRequest(): Promise<string> {
      expect((await api('POST', '/reset')).status).toBe(200);
      expect(await ask('hello')).toBe('heard: hello');
      return JSON.stringify(stack.anthropic.requests.filter((r) => r.kind === 'main').at(-1)?.body);
    }

    /** When the CLI installed the plugin, as its own record in the agent's home says. */
    function installedAt(): string | undefined {
      const record = join(claudeHome, 'plugins', 'installed_plugins.json');
      return JSON.parse(readFileSync(record, 'utf8')).plugins?.['greeter@team-market']?.[0]?.installedAt;
    }

    beforeAll(async () => {
      stack = await startStack({ handler: model, config: (urls) => withRuntime(defaultStackConfig(urls)) });
      if (prefix === null) {
        workspace = join(stack.praktor.dataDir, 'agents', 'general', 'workspace');
        workspaceInside = workspace;
        claudeHome = join(stack.praktor.dataDir, 'agents', 'general', 'home', '.claude');
      } else {
        // The first start makes the agent's volumes.
        expect((await api('POST', '/start')).status).toBe(200);
        workspace = volumeOnHost(`${prefix}-wk-general`);
        workspaceInside = '/workspace/agent';
        claudeHome = join(volumeOnHost(`${prefix}-home-general`), '.claude');
      }
      market = join(workspaceInside, 'team-market');
      makeMarketplace(join(workspace, 'team-market'));
      if (prefix !== null) {
        execFileSync('chown', [
          '-R',
          `${DOCKER_AGENT_UID}:${DOCKER_AGENT_UID}`,
          join(workspace, 'team-market'),
        ]);
      }
    }, TEST_IMAGE_TIMEOUT_MS);

    afterAll(async () => {
      await stack?.close();
    });

    it('installs the plugin, and its skill reaches the model', async () => {
      const status = await applied({
        marketplaces: [{ source: market }],
        plugins: [{ name: 'greeter@team-market' }],
      });
      expect(status.errors).toEqual([]);
      expect(status.marketplaces).toEqual(['team-market']);
      expect(status.plugins).toEqual([{ name: 'greeter@team-market', enabled: true }]);
      expect(await freshRequest()).toContain(SKILL_DESCRIPTION);
    });

    it('does not install it again when the sandbox starts again', async () => {
      const first = installedAt();
      expect(first).toBeTruthy();
      const status = await applied({
        marketplaces: [{ source: market }],
        plugins: [{ name: 'greeter@team-market' }],
      });
      expect(status.plugins).toEqual([{ name: 'greeter@team-market', enabled: true }]);
      expect(installedAt()).toBe(first);
    });

    it('disables it: installed still, but no longer offered to the model', async () => {
      const status = await applied({
        marketplaces: [{ source: market }],
        plugins: [{ name: 'greeter@team-market', disabled: true }],
      });
      expect(status.plugins).toEqual([{ name: 'greeter@team-market', enabled: false }]);
      expect(await freshRequest()).not.toContain(SKILL_DESCRIPTION);
    });

    it('says when a marketplace is given another name than its own, and does not register it anew at each start', async () => {
      const misnamed = { marketplaces: [{ source: market, name: 'lighthouse-market' }] };
      const told =
        `Marketplace "${market}" is called "team-market" by its marketplace.json, not "lighthouse-market": ` +
        'its plugins are named "<plugin>@team-market"';
      const first = await applied(misnamed);
      expect(first.marketplaces).toEqual(['team-market']);
      expect(first.errors).toEqual([told]);
      const known = () => readFileSync(join(claudeHome, 'plugins', 'known_marketplaces.json'), 'utf8');
      const registered = known();
      const second = await applied(misnamed);
      expect(second.errors).toEqual([told]);
      expect(known()).toBe(registered);
    });

    it('uninstalls it and removes the marketplace once they are no longer configured', async () => {
      const status = await applied({});
      expect(status.plugins).toEqual([]);
      expect(status.marketplaces).toEqual([]);
      expect(status.errors).toEqual([]);
    });

    it('passes a source and a plugin name with shell metacharacters to the CLI as they are, running nothing', async () => {
      const markerInside = join(workspaceInside, 'injected');
      const source = `${market}; touch ${markerInside}; echo $(touch ${markerInside}-2)`;
      const plugin = `x@y$(touch ${markerInside}-3)\`touch ${markerInside}-4\``;
      const marker = join(workspace, 'injected');
      const status = await applied({ marketplaces: [{ source }], plugins: [{ name: plugin }] });
      expect(status.errors).toContainEqual(
        expect.stringContaining(`Marketplace "${source}" could not be added`),
      );
      expect(status.errors).toContainEqual(expect.stringContaining(`Plugin "${plugin}" could not be set up`));
      for (const suffix of ['', '-2', '-3', '-4']) expect(existsSync(`${marker}${suffix}`)).toBe(false);
    });
  });
}

const noGit = requireCommand('git', 'the plugin tests', 'apt-get install git');

describe.skipIf(noGit !== null)('plugins', () => {
  describeOnEachRuntime('plugins', describePlugins);
});
