/**
 * Agents on two Docker hosts: the main daemon (`local`) and a second daemon the suite starts, reached over TCP on
 * 127.0.0.1 with mutual TLS (testkit's docker-host.ts). A real gateway, real runners and Claude Code in containers
 * on both daemons, the fake model API; the conversation goes over the fake Telegram. Last, a backup of both hosts'
 * volumes is restored onto each host after they were removed.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DoctorReport } from '@praktor/protocol';
import {
  containersOf,
  ensureTestImage,
  type ModelRequest,
  PRAKTOR_BIN,
  removeInstallation,
  reply,
  requireDocker,
  requireTestDockerHost,
  type Stack,
  startStack,
  startTestDockerHost,
  TEST_DOCKER_HOST_TIMEOUT_MS,
  TEST_IMAGE_TIMEOUT_MS,
  TEST_USER_ID,
  type TestDockerHost,
  testPrefix,
} from '@praktor/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyBackup } from '../backup/restore.js';

const missing = requireDocker('the Docker hosts suite') ?? requireTestDockerHost('the Docker hosts suite');
const prefix = testPrefix('hosts');

/** Turns whose text contains this wait until the suite lets them go. */
const HOLD = 'hold on';
let release: (() => void) | null = null;
let held: (() => void) | null = null;

/** Answers "<model> heard: <text>"; a turn with {@link HOLD} in it waits for `release`. */
async function model(req: ModelRequest) {
  if (req.kind !== 'main') return reply.text('side call');
  if (req.lastUserText.includes(HOLD)) {
    held?.();
    await new Promise<void>((resolve) => {
      release = resolve;
    });
  }
  return reply.text(`${req.model} heard: ${req.lastUserText}`);
}

/** Sends `text` and waits for the bot's next message in the test user's chat. */
async function say(stack: Stack, text: string, timeoutMs = 60_000) {
  const [answer] = await stack.telegram.say(TEST_USER_ID, text, { timeoutMs });
  return answer?.text ?? '';
}

/** The agents of installation `prefix` with a container on the second daemon. */
function remoteAgents(host: TestDockerHost): string[] {
  const out = host.docker([
    'ps',
    '--all',
    '--filter',
    `label=praktor.installation=${prefix}`,
    '--format',
    '{{.Label "praktor.agent"}}',
  ]);
  return out.split('\n').filter(Boolean);
}

/** The names of installation `prefix`'s volumes, on the main daemon or on the second one. */
function volumesOn(host: TestDockerHost | null): string[] {
  const args = ['volume', 'ls', '--quiet', '--filter', `label=praktor.installation=${prefix}`];
  const out = host === null ? execFileSync('docker', args, { encoding: 'utf8' }) : host.docker(args);
  return out.split('\n').filter(Boolean).sort();
}

/** The offline base the test image is built on. */
const BASE_IMAGE_SCRIPT = fileURLToPath(new URL('../../../../images/base/build.sh', import.meta.url));

describe.skipIf(missing !== null)('agents on two Docker hosts', () => {
  let host: TestDockerHost;
  let stack: Stack;
  let image = '';
  /** The stack's configuration, which a restart writes again: changed in place to change the gateway's. */
  let stackConfig: Record<string, unknown> = {};
  /** The environment of a `praktor` command run beside the stack's gateway, on its configuration. */
  const cliEnv = () => ({ ...process.env, PRAKTOR_CONFIG: join(stack.praktor.home, 'praktor.yaml') });

  beforeAll(async () => {
    image = ensureTestImage();
    host = await startTestDockerHost('hosts');
    await host.loadImage(image);
    stack = await startStack({
      handler: model,
      config: ({ telegramApiRoot, telegramToken }) => {
        stackConfig = {
          telegram: { token: telegramToken, api_root: telegramApiRoot, allow_from: [TEST_USER_ID] },
          defaults: { runtime: 'docker', image, model: 'claude-general-model' },
          docker: { prefix, hosts: { remote: { url: host.url, tls: host.tls } } },
          agents: {
            general: { description: 'General-purpose assistant', host: 'local' },
            coder: { description: 'Software engineer', model: 'claude-coder-model', host: 'remote' },
            writer: { description: 'Writer, placed by the rule' },
          },
          router: { default_agent: 'general', ai: false },
        };
        return stackConfig;
      },
    });
  }, TEST_IMAGE_TIMEOUT_MS + TEST_DOCKER_HOST_TIMEOUT_MS);

  afterAll(async () => {
    release?.();
    await stack?.close();
    removeInstallation(prefix);
    if (host) {
      if (!host.alive) await host.restart();
      const ids = host
        .docker(['ps', '--all', '--quiet', '--filter', `label=praktor.installation=${prefix}`])
        .split('\n')
        .filter(Boolean);
      if (ids.length > 0) host.docker(['rm', '--force', ...ids]);
      const volumes = host
        .docker(['volume', 'ls', '--quiet', '--filter', `label=praktor.installation=${prefix}`])
        .split('\n')
        .filter(Boolean);
      if (volumes.length > 0) host.docker(['volume', 'rm', '--force', ...volumes]);
      await host.stop();
    }
  }, 120_000);

  it('runs each agent on its own host, and both answer', async () => {
    expect(await say(stack, 'hello local')).toBe('claude-general-model heard: hello local');
    expect(await say(stack, '@coder hello remote')).toBe('coder: claude-coder-model heard: hello remote');
    expect(containersOf(prefix).map((c) => c.agent)).toEqual(['general']);
    expect(remoteAgents(host)).toEqual(['coder']);
  }, 120_000);

  it('places an agent that is not pinned on the least busy host, and remembers it', async () => {
    const stopped = await fetch(`${stack.praktor.webUrl}/api/agents/definitions/coder/stop`, {
      method: 'POST',
    });
    expect(stopped.ok).toBe(true);
    expect(await say(stack, '@writer hello placement')).toBe(
      'writer: claude-general-model heard: hello placement',
    );
    expect(remoteAgents(host)).toEqual(['writer']);
    const placement = JSON.parse(readFileSync(join(stack.praktor.dataDir, 'docker-hosts.json'), 'utf8'));
    expect(placement.agents.writer).toBe('remote');
  }, 120_000);

  it('checks the agent image on the host that praktor image build --host names', () => {
    const base = execFileSync(BASE_IMAGE_SCRIPT, ['--tag'], { encoding: 'utf8' }).trim();
    const built = spawnSync(
      process.execPath,
      [PRAKTOR_BIN, 'image', 'build', '--host', 'remote', '--tag', image, '--base', base],
      { cwd: stack.praktor.home, env: cliEnv(), encoding: 'utf8' },
    );
    expect(built.stderr).toMatch(new RegExp(`${image} \\(\\d+\\.\\d\\d GB\\) is up to date`));
    expect(built.stdout).toBe(`${image}\n`);
    expect(built.status).toBe(0);
  }, 60_000);

  it('has praktor doctor check the remote host: reachable, its version and size, its agents, its image, its clock', () => {
    const doctor = spawnSync(process.execPath, [PRAKTOR_BIN, 'doctor', '--json'], {
      cwd: stack.praktor.home,
      env: cliEnv(),
      encoding: 'utf8',
    });
    const report = JSON.parse(doctor.stdout) as { checks: { id: string; status: string; detail: string }[] };
    const remote = report.checks.find((c) => c.id === 'docker_host_remote');
    expect(remote?.status).toBe('ok');
    expect(remote?.detail).toMatch(
      new RegExp(
        `^Docker \\d+\\.\\d+\\S* at ${host.url} \\(\\d+ CPUs, \\d+\\.\\d GB memory\\); running writer \\(\\d+(\\.\\d)? MB memory, \\d+(\\.\\d)?% CPU\\); has ${image}; clock within \\d+ s$`,
      ),
    );
  }, 60_000);

  it('resumes both agents’ sessions after a gateway restart', async () => {
    await say(stack, 'my local word is apple');
    await say(stack, '@coder my remote word is pear');
    await stack.restart();
    await say(stack, 'what is my local word?');
    await say(stack, '@coder what is my remote word?');
    const local = await stack.anthropic.waitForRequest((r) => r.lastUserText === 'what is my local word?');
    const remote = await stack.anthropic.waitForRequest((r) => r.lastUserText === 'what is my remote word?');
    expect(local.transcript).toContain('claude-general-model heard: my local word is apple');
    expect(remote.transcript).toContain('claude-coder-model heard: my remote word is pear');
  }, 180_000);

  it('tells the user when the remote host goes away mid-turn, keeps the local agent answering, and resumes after', async () => {
    const holding = new Promise<void>((resolve) => {
      held = resolve;
    });
    const before = stack.telegram.messagesIn(TEST_USER_ID).length;
    stack.telegram.sendText({ userId: TEST_USER_ID, text: `@coder ${HOLD}, remember plum` });
    await holding;
    await host.kill();
    const notice = await stack.telegram.waitFor(() => {
      const sent = stack.telegram.messagesIn(TEST_USER_ID).slice(before);
      return sent.find((m) => m.text?.includes('went away'));
    }, 60_000);
    expect(notice.text).toContain('"remote"');
    expect(notice.text).toContain('your next message resumes the conversation');
    expect(await say(stack, 'still there?')).toBe('claude-general-model heard: still there?');
    const whileAway = await say(stack, '@coder are you back?');
    expect(whileAway).toContain('the Docker host "remote"');
    await host.restart();
    release?.();
    expect(await say(stack, '@coder what did I ask you to remember?')).toBe(
      'coder: claude-coder-model heard: what did I ask you to remember?',
    );
    const resumed = await stack.anthropic.waitForRequest(
      (r) => r.lastUserText === 'what did I ask you to remember?',
    );
    expect(resumed.transcript).toContain('claude-coder-model heard: hello remote');
    expect(resumed.transcript).toContain(`${HOLD}, remember plum`);
  }, 240_000);

  it('moves an agent’s memory and conversation to another host with praktor agent move', async () => {
    await stack.praktor.stop();
    const moved = execFileSync(process.execPath, [PRAKTOR_BIN, 'agent', 'move', 'coder', '--to', 'local'], {
      cwd: stack.praktor.home,
      env: cliEnv(),
      encoding: 'utf8',
    });
    expect(moved).toContain('moved coder from remote to local');
    expect(remoteAgents(host)).not.toContain('coder');
    expect(
      host.docker(['volume', 'ls', '--quiet', '--filter', `label=praktor.installation=${prefix}`]),
    ).not.toContain(`${prefix}-wk-coder`);
    expect(moved).toContain('agents.coder.host pins it to "remote"');
  }, 240_000);

  it('refuses to start a moved agent on the host its pin still names', async () => {
    await stack.restart();
    const answer = await say(stack, '@coder where are you?');
    expect(answer).toContain('pinned to the Docker host "remote"');
    expect(answer).toContain('its memory and conversation are on "local"');
    expect(remoteAgents(host)).not.toContain('coder');
  }, 120_000);

  it('continues the moved agent’s session on its new host once its pin follows', async () => {
    const agents = stackConfig.agents as Record<string, Record<string, unknown>>;
    (agents.coder as Record<string, unknown>).host = 'local';
    await stack.restart();
    expect(await say(stack, '@coder and now?')).toBe('coder: claude-coder-model heard: and now?');
    const next = await stack.anthropic.waitForRequest((r) => r.lastUserText === 'and now?');
    expect(next.transcript).toContain('claude-coder-model heard: my remote word is pear');
    expect(
      containersOf(prefix)
        .map((c) => c.agent)
        .sort(),
    ).toEqual(['coder', 'general']);
  }, 240_000);

  it('gives each host’s load in GET /api/doctor: its running containers, their memory and CPU', async () => {
    expect(await say(stack, '@writer are you busy?')).toBe(
      'writer: claude-general-model heard: are you busy?',
    );
    const response = await fetch(`${stack.praktor.webUrl}/api/doctor`);
    const report = DoctorReport.parse(await response.json());
    const load = (id: string) => report.checks.find((c) => c.id === id)?.load;
    expect(load('docker_host_remote')).toEqual({
      containers: 1,
      memory_bytes: expect.any(Number),
      cpu_percent: expect.any(Number),
      unread: 0,
    });
    const localRunning = execFileSync(
      'docker',
      ['ps', '--quiet', '--filter', `label=praktor.installation=${prefix}`],
      { encoding: 'utf8' },
    )
      .split('\n')
      .filter(Boolean).length;
    expect(localRunning).toBeGreaterThan(0);
    expect(load('docker_host_local')).toEqual({
      containers: localRunning,
      memory_bytes: expect.any(Number),
      cpu_percent: expect.any(Number),
      unread: 0,
    });
    // A running Claude Code and its runner take tens of megabytes at least.
    expect(load('docker_host_remote')?.memory_bytes).toBeGreaterThan(20 * 2 ** 20);
    expect(load('docker_host_local')?.memory_bytes).toBeGreaterThan(localRunning * 20 * 2 ** 20);
    expect(report.checks.find((c) => c.id === 'docker_host_remote')?.detail).toMatch(
      /running writer \(\d+(\.\d)? MB memory, \d+(\.\d)?% CPU\)/,
    );
  }, 120_000);

  describe('backup and restore across hosts', () => {
    let folder = '';
    let archive = '';
    /** Each daemon's volumes of the installation when the backup was taken. */
    let localVolumes: string[] = [];
    let remoteVolumes: string[] = [];
    const short = (volumes: string[]) => volumes.map((v) => v.slice(prefix.length + 1));
    const praktor = (args: string[]) =>
      spawnSync(process.execPath, [PRAKTOR_BIN, ...args], {
        cwd: stack.praktor.home,
        env: cliEnv(),
        encoding: 'utf8',
      });

    afterAll(() => {
      if (folder) rmSync(folder, { recursive: true, force: true });
    });

    it('backs up the volumes of both hosts while the gateway runs, each recorded with its host', async () => {
      await say(stack, 'before the backup: lemon');
      await say(stack, '@writer before the backup: mango');
      folder = mkdtempSync(join(tmpdir(), 'praktor-fleet-backup-'));
      archive = join(folder, 'praktor.tar.zst');
      localVolumes = volumesOn(null);
      remoteVolumes = volumesOn(host);
      expect(remoteVolumes).toEqual(expect.arrayContaining([`${prefix}-home-writer`, `${prefix}-wk-writer`]));
      expect(localVolumes).toEqual(expect.arrayContaining([`${prefix}-wk-general`, `${prefix}-wk-coder`]));
      const backup = praktor(['backup', '-f', archive]);
      expect(backup.stderr).toBe('');
      expect(backup.status).toBe(0);
      expect(backup.stdout).toContain(`  on local: ${localVolumes.join(', ')}\n`);
      expect(backup.stdout).toContain(`  on remote: ${remoteVolumes.join(', ')}\n`);
      const manifest = await verifyBackup(archive);
      expect(manifest.version).toBe(2);
      expect(manifest.volumes.filter((v) => v.host === 'local').map((v) => v.name)).toEqual(
        short(localVolumes),
      );
      expect(manifest.volumes.filter((v) => v.host === 'remote').map((v) => v.name)).toEqual(
        short(remoteVolumes),
      );
    }, 180_000);

    it('refuses to restore when a host the archive names is missing from the configuration or away, naming it and its volumes, and writes nothing', async () => {
      await stack.praktor.stop();
      removeInstallation(prefix);
      const remoteIds = host
        .docker(['ps', '--all', '--quiet', '--filter', `label=praktor.installation=${prefix}`])
        .split('\n')
        .filter(Boolean);
      if (remoteIds.length > 0) host.docker(['rm', '--force', ...remoteIds]);
      host.docker(['volume', 'rm', '--force', ...volumesOn(host)]);
      expect(volumesOn(null)).toEqual([]);
      expect(volumesOn(host)).toEqual([]);
      const config = JSON.parse(readFileSync(join(stack.praktor.home, 'praktor.yaml'), 'utf8'));
      const database = join(stack.praktor.dataDir, 'praktor.db');
      const before = statSync(database).mtimeMs;
      const withConfig = (name: string, docker: unknown) => {
        const file = join(stack.praktor.home, name);
        writeFileSync(file, JSON.stringify({ ...config, docker }));
        return spawnSync(process.execPath, [PRAKTOR_BIN, 'restore', '-f', archive, '--overwrite'], {
          cwd: stack.praktor.home,
          env: { ...process.env, PRAKTOR_CONFIG: file },
          encoding: 'utf8',
        });
      };
      const volumes = short(remoteVolumes).join(', ');
      const missingHost = withConfig('praktor-without-remote.yaml', { prefix });
      expect(missingHost.status).toBe(1);
      expect(missingHost.stderr).toContain(
        `the archive holds volumes of the Docker host "remote" (${volumes}), which docker.hosts does not name`,
      );
      // Port 1 on this machine: nothing listens there, as nothing does where a host went away.
      const away = withConfig('praktor-remote-away.yaml', {
        prefix,
        hosts: { remote: { ...config.docker.hosts.remote, url: 'tcp://127.0.0.1:1' } },
      });
      expect(away.status).toBe(1);
      expect(away.stderr).toContain('the Docker host "remote" (tcp://127.0.0.1:1) does not answer');
      expect(away.stderr).toContain(`its volumes (${volumes}) cannot be restored`);
      expect(volumesOn(null)).toEqual([]);
      expect(volumesOn(host)).toEqual([]);
      expect(statSync(database).mtimeMs).toBe(before);
    }, 120_000);

    it('puts each volume back on its own host, and both agents continue their conversations', async () => {
      const restored = praktor(['restore', '-f', archive, '--overwrite']);
      expect(restored.stderr).toBe('');
      expect(restored.status).toBe(0);
      expect(restored.stdout).toContain(`  on remote: ${remoteVolumes.join(', ')}\n`);
      expect(volumesOn(host)).toEqual(remoteVolumes);
      expect(volumesOn(null)).toEqual(localVolumes);
      await stack.restart();
      expect(await say(stack, 'after the restore?')).toBe('claude-general-model heard: after the restore?');
      expect(await say(stack, '@writer after the restore?')).toBe(
        'writer: claude-general-model heard: after the restore?',
      );
      const local = await stack.anthropic.waitForRequest(
        (r) =>
          r.lastUserText === 'after the restore?' &&
          r.model === 'claude-general-model' &&
          !r.transcript.includes('mango'),
      );
      const remote = await stack.anthropic.waitForRequest(
        (r) => r.lastUserText === 'after the restore?' && r.transcript.includes('mango'),
      );
      expect(local.transcript).toContain('claude-general-model heard: before the backup: lemon');
      expect(remote.transcript).toContain('claude-general-model heard: before the backup: mango');
      expect(remoteAgents(host)).toEqual(['writer']);
    }, 240_000);
  });
});
