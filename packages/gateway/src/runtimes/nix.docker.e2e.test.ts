/**
 * Nix on demand in Docker, offline: the test builds a package from a local derivation in a container of the agent
 * image, signs it into a binary cache (`nix copy --to file://…`), serves that cache over HTTP on the host and
 * makes it the agents' only substituter. The agent installs the package with its nix tools through the real Claude
 * Code, runs it, lists it, keeps it across a restart, removes it and has its garbage collected; `/nix` answers from
 * Telegram; an agent without nix_enabled is told so by every tool.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  bundledMemoryServer,
  callApi,
  containersOf,
  docker,
  dockerInspect,
  ensureTestImage,
  eventually,
  type FileServer,
  MEMORY_SERVER_FILE,
  removeInstallation,
  requireDocker,
  type Stack,
  serveFolder,
  startStack,
  TEST_IMAGE_TIMEOUT_MS,
  TEST_USER_ID,
  testPrefix,
  toolCalls,
  withDocker,
} from '@praktor/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const missing = requireDocker('the Docker nix suite');

/** A package built with nothing but the image's /bin (a builder's PATH is empty), so no nixpkgs is needed. */
const DERIVATION = `derivation {
  name = "hello-praktor-1.0";
  system = builtins.currentSystem;
  builder = "/bin/sh";
  args = [ "-c" "/bin/mkdir -p $out/bin && printf '#!/bin/sh\\\\necho hello from the local cache\\\\n' > $out/bin/hello-praktor && /bin/chmod 755 $out/bin/hello-praktor" ];
}`;

/**
 * A package whose command, `memory-mcp-praktor`, is a real third-party MCP server: the npm memory server bundled into
 * one file (which the test puts into /workspace/agent before the build), run by the image's node.
 */
const MCP_DERIVATION = `derivation {
  name = "memory-mcp-praktor-1.0";
  system = builtins.currentSystem;
  builder = "/bin/sh";
  server = /workspace/agent/${MEMORY_SERVER_FILE};
  args = [ "-c" "/bin/mkdir -p $out/bin $out/lib && /bin/cp $server $out/lib/server.mjs && printf '#!/bin/sh\\\\nexec node %s/lib/server.mjs\\\\n' $out > $out/bin/memory-mcp-praktor && /bin/chmod 755 $out/bin/memory-mcp-praktor" ];
}`;

/** Builds the packages and the signed cache in /workspace/agent/cache; prints their store paths and the public key. */
const BUILD_CACHE = `set -e
export NIX_CONFIG='substituters ='
cat > /tmp/hello.nix <<'EOF'
${DERIVATION}
EOF
cat > /tmp/mcp.nix <<'EOF'
${MCP_DERIVATION}
EOF
out=$(nix-build --no-out-link /tmp/hello.nix)
mcp=$(nix-build --no-out-link /tmp/mcp.nix)
nix-store --generate-binary-cache-key praktor-test-1 /tmp/secret.key /tmp/public.key
nix copy --to "file:///workspace/agent/cache?secret-key=/tmp/secret.key" "$out" "$mcp"
echo "path=$out"
echo "mcp=$mcp"
echo "key=$(cat /tmp/public.key)"`;

describe.skipIf(missing !== null)('nix in the agent’s container', () => {
  const prefix = testPrefix('nix');
  const buildNix = `${prefix}-build-nix`;
  const buildCache = `${prefix}-build-cache`;
  let stack: Stack;
  let cache: FileServer;
  let storePath: string;
  /** The package of the MCP server's command. */
  let mcpPath: string;

  const tools = toolCalls();
  const call = (agent: string, tool: string, input: Record<string, unknown>) =>
    tools.call(stack, agent, tool, input);

  const bash = (agent: string, command: string) =>
    call(agent, 'Bash', { command, description: 'use the package' });

  async function sayOnTelegram(text: string) {
    const [answer] = await stack.telegram.say(TEST_USER_ID, text, { timeoutMs: 120_000 });
    return { text: answer?.text ?? '' };
  }

  beforeAll(async () => {
    const image = ensureTestImage();
    for (const volume of [buildNix, buildCache]) docker(['volume', 'create', volume]);
    const cacheVolume = (dockerInspect('volume', buildCache) as { Mountpoint: string }).Mountpoint;
    // Writable by the build's user too, who puts the cache there.
    chmodSync(cacheVolume, 0o777);
    writeFileSync(join(cacheVolume, MEMORY_SERVER_FILE), await bundledMemoryServer());
    const built = execFileSync(
      'docker',
      [
        'run',
        '--rm',
        '--network',
        'none',
        '--user',
        '10321:10321',
        '--read-only',
        '--tmpfs',
        '/tmp:exec',
        '--cap-drop',
        'ALL',
        '--security-opt',
        'no-new-privileges',
        '-v',
        `${buildNix}:/nix`,
        '-v',
        `${buildCache}:/workspace/agent`,
        '--entrypoint',
        'bash',
        image,
        '-c',
        BUILD_CACHE,
      ],
      { encoding: 'utf8', timeout: 120_000 },
    );
    storePath = built.match(/^path=(.+)$/m)?.[1] ?? expect.fail(`no store path in: ${built}`);
    mcpPath = built.match(/^mcp=(.+)$/m)?.[1] ?? expect.fail(`no MCP server's store path in: ${built}`);
    const key = built.match(/^key=(.+)$/m)?.[1] ?? expect.fail(`no key in: ${built}`);
    const root = join(cacheVolume, 'cache');
    cache = await serveFolder(root);
    const cacheUrl = cache.url;
    stack = await startStack({
      handler: tools.handler,
      config: ({ telegramApiRoot, telegramToken }) =>
        withDocker(
          {
            telegram: { token: telegramToken, api_root: telegramApiRoot, allow_from: [TEST_USER_ID] },
            // Short, so that the test sees an idle agent collect its garbage before it stops.
            defaults: { model: 'claude-test', idle_timeout: '15s' },
            // The host's network, so nix reaches this test's cache on 127.0.0.1.
            agents: {
              coder: { nix_enabled: true, network: 'host' },
              tooled: { nix_enabled: true, network: 'host' },
              plain: {},
            },
            router: { default_agent: 'plain' },
            nix: { substituters: [cacheUrl], trusted_public_keys: [key] },
          },
          { prefix, image },
        ),
    });
  }, TEST_IMAGE_TIMEOUT_MS);

  afterAll(async () => {
    await stack?.close();
    removeInstallation(prefix);
    docker(['volume', 'rm', '--force', buildNix, buildCache]);
    await cache?.close();
  }, 120_000);

  it('installs a package from the configured cache, and the agent runs it', async () => {
    expect(await call('coder', 'mcp__praktor-nix__nix_add', { packages: storePath })).toContain(
      `Installed: ${storePath}`,
    );
    expect(await bash('coder', 'hello-praktor')).toContain('hello from the local cache');
  });

  it('lists what is installed, in the tool, in /nix list from Telegram and in Mission Control’s API', async () => {
    expect(await call('coder', 'mcp__praktor-nix__nix_list_installed', {})).toContain('hello-praktor: 1.0');
    const answer = await sayOnTelegram('/nix list @coder');
    expect(answer.text).toMatch(/^coder list:/);
    expect(answer.text).toContain('hello-praktor: 1.0');
    const listed = await fetch(`${stack.praktor.webUrl}/api/agents/definitions/coder/nix`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ action: 'list' }),
    });
    expect(listed.status).toBe(200);
    expect(await listed.json()).toEqual({ ok: true, text: expect.stringContaining('hello-praktor: 1.0') });
  });

  it('answers /nix without an action, or with an unknown one, with the usage', async () => {
    expect((await sayOnTelegram('/nix bogus')).text).toBe(
      'Unknown action: bogus\nUsage: /nix <search|add|list|remove|upgrade> [package] [@agent]',
    );
    expect((await sayOnTelegram('/nix')).text).toBe(
      'Usage: /nix <search|add|list|remove|upgrade> [package] [@agent]',
    );
    expect((await sayOnTelegram('/nix add @coder')).text).toBe('Usage: /nix add <package...> [@agent]');
  });

  it('keeps installed packages across a restart of the container', async () => {
    const stopped = await fetch(`${stack.praktor.webUrl}/api/agents/definitions/coder/stop`, {
      method: 'POST',
    });
    expect(stopped.status).toBe(200);
    expect(await bash('coder', 'hello-praktor')).toContain('hello from the local cache');
  });

  it('removes a package, and the agent’s garbage collection when idle frees its store path', async () => {
    const inStore = join(
      (dockerInspect('volume', `${prefix}-nix-coder`) as { Mountpoint: string }).Mountpoint,
      storePath.slice('/nix'.length),
    );
    expect(existsSync(inStore)).toBe(true);
    expect(await call('coder', 'mcp__praktor-nix__nix_remove', { packages: 'hello-praktor' })).toContain(
      'Removed: hello-praktor',
    );
    expect(await call('coder', 'mcp__praktor-nix__nix_list_installed', {})).toContain(
      'No packages installed.',
    );
    expect(existsSync(inStore)).toBe(true);
    await eventually(
      'the idle agent to collect its garbage and stop',
      async () => ({
        running: containersOf(prefix).some((c) => c.agent === 'coder'),
        kept: existsSync(inStore),
      }),
      (state) => !state.running,
      { timeoutMs: 90_000 },
    );
    expect(existsSync(inStore)).toBe(false);
  });

  it('tells an agent without nix_enabled so, from every nix tool', async () => {
    for (const [tool, input] of [
      ['nix_search', { query: 'hello' }],
      ['nix_add', { packages: 'hello' }],
      ['nix_list_installed', {}],
      ['nix_remove', { packages: 'hello' }],
      ['nix_upgrade', {}],
    ] as const) {
      expect(await call('plain', `mcp__praktor-nix__${tool}`, input)).toContain(
        'Nix is not available: this agent does not have nix_enabled',
      );
    }
  });

  it('installs a stdio MCP server’s missing command from its requires through the agent’s nix; the server connects and answers', async () => {
    const saved = await callApi(stack.praktor.webUrl, 'PUT', '/api/agents/definitions/tooled/extensions', {
      body: {
        mcp_servers: {
          memory: {
            type: 'stdio',
            command: 'memory-mcp-praktor',
            requires: [mcpPath],
            env: { MEMORY_FILE_PATH: '/workspace/agent/memory.jsonl' },
          },
        },
      },
    });
    expect(saved.status).toBe(200);
    expect(await call('tooled', 'mcp__memory__read_graph', {})).toContain('"entities"');
    const status = (await callApi(stack.praktor.webUrl, 'GET', '/api/agents/definitions/tooled/extensions'))
      .json._status;
    expect(status.mcp_servers).toEqual([
      expect.objectContaining({ name: 'memory', status: 'connected', error: null }),
    ]);
    expect(status.errors).toEqual([]);
    expect(await call('tooled', 'mcp__praktor-nix__nix_list_installed', {})).toContain(
      'memory-mcp-praktor: 1.0',
    );
  });
});
