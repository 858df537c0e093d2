/**
 * Nix in the local runtime, with this machine's own nix, offline: the test builds a package from a local derivation
 * into the host's store, signs it into a binary cache (`nix copy --to file://…`), deletes it from the store again,
 * serves the cache over HTTP and makes it the agents' only substituter. First, with no nix daemon running and a
 * store only root may write, the agent's nix tools and `/nix` say how to enable nix. Then the test starts a nix
 * daemon that trusts its cache, as a host's owner would, and the agent installs the package with its nix tools
 * through the real Claude Code, runs it, lists it, keeps it across a gateway restart and removes it; its idle
 * garbage collection leaves the package to the host's own collection.
 */
import { type ChildProcess, execFileSync, spawn, spawnSync } from 'node:child_process';
import {
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  eventually,
  type FileServer,
  PRAKTOR_BIN,
  requireCommand,
  type Stack,
  serveFolder,
  startStack,
  TEST_USER_ID,
  testPrefix,
  toolCalls,
} from '@praktor/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localNixProfile, NIX_DAEMON_SOCKET } from './local-nix.js';

/** Why this suite cannot run here: it needs bubblewrap, nix, and root to run a nix daemon of its own. */
function missingRequirement(): string | null {
  const suite = 'the local nix suite';
  const missing =
    requireCommand('bwrap', suite, 'apt-get install bubblewrap') ??
    requireCommand('nix-daemon', suite, 'apt-get install nix-bin');
  if (missing !== null || process.getuid?.() === 0) return missing;
  const reason = 'it must run as root, to start a nix daemon of its own';
  if (process.env.CI) throw new Error(`${suite} cannot run in CI: ${reason}`);
  console.warn(`skipping ${suite}: ${reason}`);
  return reason;
}

const missing = missingRequirement();

/** Whether something answers on the Unix socket at `path`. */
function answers(path: string): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(path);
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** The package the test's cache holds, and its command. */
const PACKAGE = 'hello-praktor-local';

const NIX_TOOLS = [
  ['nix_search', { query: 'hello' }],
  ['nix_add', { packages: 'hello' }],
  ['nix_list_installed', {}],
  ['nix_remove', { packages: 'hello' }],
  ['nix_upgrade', {}],
] as const;

describe.skipIf(missing !== null)('nix in the local runtime, from the host', () => {
  const prefix = testPrefix('localnix');
  let work: string;
  let stack: Stack;
  let cache: FileServer;
  let daemon: ChildProcess | null = null;
  let storePath: string;
  /** The derivation the package was built from, deleted with it. */
  let derivation: string;
  let key: string;
  let cacheUrl: string;

  const tools = toolCalls();
  const call = (agent: string, tool: string, input: Record<string, unknown>) =>
    tools.call(stack, agent, tool, input, 120_000);

  const bash = (agent: string, command: string) =>
    call(agent, 'Bash', { command, description: 'use the package' });

  async function sayOnTelegram(text: string): Promise<string> {
    const [answer] = await stack.telegram.say(TEST_USER_ID, text, { timeoutMs: 60_000 });
    return answer?.text ?? '';
  }

  type NixSummary = { nix_enabled: boolean; nix_problem: string | null };
  async function summary(agent: string): Promise<NixSummary> {
    return (await (
      await fetch(`${stack.praktor.webUrl}/api/agents/definitions/${agent}`)
    ).json()) as NixSummary;
  }

  async function stopAgent(agent: string): Promise<void> {
    const stopped = await fetch(`${stack.praktor.webUrl}/api/agents/definitions/${agent}/stop`, {
      method: 'POST',
    });
    expect(stopped.status).toBe(200);
  }

  /** What `praktor doctor` says of nix for local agents, with the suite's configuration. */
  function doctorOnNix(): { status: string; detail: string } | undefined {
    const doctor = spawnSync(process.execPath, [PRAKTOR_BIN, 'doctor', '--json'], {
      cwd: stack.praktor.home,
      env: { ...process.env, PRAKTOR_CONFIG: join(stack.praktor.home, 'praktor.yaml') },
      encoding: 'utf8',
      timeout: 60_000,
    });
    const report = JSON.parse(doctor.stdout) as { checks: { id: string; status: string; detail: string }[] };
    return report.checks.find((c) => c.id === 'local_nix');
  }

  /** What the host's garbage collection would delete now: paths no root holds. */
  const garbage = () =>
    execFileSync('nix-store', ['--gc', '--print-dead'], { encoding: 'utf8', stdio: 'pipe' });

  /** Deletes the package, and the profile versions made with it, from the host's store. */
  const deleteFromStore = () => {
    const withReferrers = execFileSync('nix-store', ['--query', '--referrers-closure', storePath], {
      encoding: 'utf8',
    });
    execFileSync('nix-store', ['--delete', ...withReferrers.split('\n').filter((p) => p !== '')], {
      stdio: 'pipe',
    });
  };

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'praktor-localnix-'));
    if (existsSync(NIX_DAEMON_SOCKET)) {
      if (await answers(NIX_DAEMON_SOCKET)) {
        throw new Error(`a nix daemon already answers on ${NIX_DAEMON_SOCKET}: this suite runs its own`);
      }
      // Left behind by a daemon that was killed (nix-daemon does not remove it): nothing listens on it.
      unlinkSync(NIX_DAEMON_SOCKET);
    }
    // A package built with nothing but /bin (a builder's PATH is empty); `run` makes it new to the store each time.
    writeFileSync(
      join(work, 'hello.nix'),
      `derivation {
  name = "${PACKAGE}-1.0";
  run = "${prefix}";
  system = builtins.currentSystem;
  builder = "/bin/sh";
  args = [ "-c" "/bin/mkdir -p $out/bin && printf '#!/bin/sh\\\\necho hello from the local cache\\\\n' > $out/bin/${PACKAGE} && /bin/chmod 755 $out/bin/${PACKAGE}" ];
}`,
    );
    const nix = (command: string, args: string[]) =>
      execFileSync(command, args, {
        encoding: 'utf8',
        timeout: 120_000,
        env: { ...process.env, NIX_CONFIG: 'substituters =\nexperimental-features = nix-command' },
      }).trim();
    storePath = nix('nix-build', ['--no-out-link', join(work, 'hello.nix')]);
    derivation = nix('nix-store', ['--query', '--deriver', storePath]);
    nix('nix-store', [
      '--generate-binary-cache-key',
      'praktor-test-1',
      join(work, 'secret.key'),
      join(work, 'public.key'),
    ]);
    const root = join(work, 'cache');
    nix('nix', ['copy', '--to', `file://${root}?secret-key=${join(work, 'secret.key')}`, storePath]);
    deleteFromStore();
    key = readFileSync(join(work, 'public.key'), 'utf8').trim();
    cache = await serveFolder(root);
    cacheUrl = cache.url;
    stack = await startStack({
      handler: tools.handler,
      config: ({ telegramApiRoot, telegramToken }) => ({
        telegram: { token: telegramToken, api_root: telegramApiRoot, allow_from: [TEST_USER_ID] },
        // Short, so that the test sees an idle agent collect its garbage before it stops.
        defaults: { model: 'claude-test', idle_timeout: '20s', runtime: 'local' },
        agents: { coder: { nix_enabled: true, prewarm: false }, plain: { prewarm: false } },
        router: { default_agent: 'plain', ai: false },
        nix: { substituters: [cacheUrl], trusted_public_keys: [key] },
      }),
    });
  }, 180_000);

  afterAll(async () => {
    await stack?.close();
    if (daemon) {
      daemon.kill('SIGTERM');
      if (daemon.exitCode === null) await new Promise((resolve) => daemon?.once('exit', resolve));
      rmSync(NIX_DAEMON_SOCKET, { force: true });
    }
    await cache?.close();
    try {
      if (storePath && existsSync(storePath)) deleteFromStore();
      if (derivation && existsSync(derivation))
        execFileSync('nix-store', ['--delete', derivation], { stdio: 'pipe' });
    } catch {
      // The suite failed while the agent's profile still held it: the profile went with the data directory, and
      // the host's next garbage collection frees it.
    }
    if (work) rmSync(work, { recursive: true, force: true });
  }, 60_000);

  it('says how to enable nix, from every nix tool, /nix, Mission Control and praktor doctor, while the host has no usable nix', async () => {
    for (const [tool, input] of NIX_TOOLS) {
      const answer = await call('coder', `mcp__praktor-nix__${tool}`, input);
      expect(answer).toContain('Nix is not available: this agent runs in the local runtime');
      expect(answer).toContain('start the nix daemon');
      expect(answer).toContain('runtime: docker');
    }
    expect(await sayOnTelegram('/nix list @coder')).toContain('start the nix daemon');
    expect(await summary('coder')).toMatchObject({
      nix_enabled: false,
      nix_problem: expect.stringContaining('start the nix daemon'),
    });
    expect(doctorOnNix()).toMatchObject({
      status: 'warn',
      detail: expect.stringContaining('coder (on the local runtime): Nix is not available'),
    });
  });

  it('uses the host’s nix daemon once it runs: installs a package from the configured cache, and the agent runs it', async () => {
    // The host's owner starts the daemon and trusts the cache, as docs/nix.md says.
    daemon = spawn('nix-daemon', [], {
      env: {
        ...process.env,
        NIX_CONFIG: `trusted-substituters = ${cacheUrl}\ntrusted-public-keys = ${key}\nsubstituters =`,
      },
      stdio: 'ignore',
    });
    await eventually(
      'the nix daemon to listen',
      () => answers(NIX_DAEMON_SOCKET),
      (up) => up,
    );
    await stopAgent('coder');
    expect(await summary('coder')).toMatchObject({ nix_enabled: true, nix_problem: null });
    expect(doctorOnNix()).toMatchObject({
      status: 'ok',
      detail: expect.stringContaining(`coder (on the local runtime) use this machine's nix daemon`),
    });
    expect(await call('coder', 'mcp__praktor-nix__nix_add', { packages: storePath })).toContain(
      `Installed: ${storePath}`,
    );
    expect(await bash('coder', PACKAGE)).toContain('hello from the local cache');
  });

  it('keeps the package in the agent’s own profile, in its home, where no other agent sees it', async () => {
    const listed = await call('coder', 'mcp__praktor-nix__nix_list_installed', {});
    expect(listed).toContain(`${PACKAGE}: 1.0`);
    expect(await sayOnTelegram('/nix list @coder')).toContain(`${PACKAGE}: 1.0`);
    const home = join(stack.praktor.dataDir, 'agents', 'coder', 'home');
    expect(existsSync(join(localNixProfile(home), 'bin', PACKAGE))).toBe(true);
    expect(await bash('plain', `command -v ${PACKAGE} || echo NOT-ON-PATH`)).toContain('NOT-ON-PATH');
  });

  it('keeps the package across a restart of the gateway, and the store keeps it while the profile holds it', async () => {
    await stack.restart();
    expect(await bash('coder', PACKAGE)).toContain('hello from the local cache');
    expect(garbage()).not.toContain(storePath);
  });

  it('removes the package; idle, the agent deletes its old profile versions, and the host’s collection may free it', async () => {
    expect(await call('coder', 'mcp__praktor-nix__nix_remove', { packages: PACKAGE })).toContain(
      `Removed: ${PACKAGE}`,
    );
    expect(await call('coder', 'mcp__praktor-nix__nix_list_installed', {})).toContain(
      'No packages installed.',
    );
    const profiles = join(localNixProfile(join(stack.praktor.dataDir, 'agents', 'coder', 'home')), '..');
    expect(readdirSync(profiles).filter((f) => f.endsWith('-link')).length).toBeGreaterThan(1);
    await eventually(
      'the idle agent to delete its old profile versions',
      async () => readdirSync(profiles).filter((f) => f.endsWith('-link')).length,
      (versions) => versions === 1,
      { timeoutMs: 90_000 },
    );
    expect(garbage()).toContain(storePath);
  });

  it('tells an agent without nix_enabled so, from every nix tool', async () => {
    for (const [tool, input] of NIX_TOOLS) {
      expect(await call('plain', `mcp__praktor-nix__${tool}`, input)).toContain(
        'Nix is not available: this agent does not have nix_enabled',
      );
    }
  });
});
