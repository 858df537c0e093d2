/**
 * The compose deployment (docker-compose.yml at the repository's root), end to end: both images built offline by
 * compose, the gateway in its container starting agent containers through the mounted Docker socket, and
 * `docker compose down` leaving nothing running.
 *
 * What the test changes in the real file, and why: the images build from contexts staged from this installation on
 * the offline base (target `staged`; no registry here), and the gateway uses the host's network, since the fake
 * Telegram and Anthropic servers listen on this machine's loopback and test traffic may go nowhere else. Names get
 * a prefix of the test's own, so it never touches a real deployment on the same daemon.
 *
 * The default build (the README's `docker compose build agent` and `up`, from the repository) runs `npm ci`, which
 * needs the npm registry and, for the native modules, GitHub or nodejs.org: none is reachable from a build here.
 * So its test goes as far as the network allows: with the legacy builder (which builds every stage before the
 * target), from the repository, on the offline base in place of the public node images (as build arguments, not
 * by tagging the base `node:24-…` on a daemon others share), up to `npm ci` asking the network.
 */
import { execFile, execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  chmodSync,
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  composeCommand,
  containersOf,
  docker,
  eventually,
  FAKE_API_KEY,
  type FakeAnthropic,
  type FakeTelegram,
  freePort,
  removeInstallation,
  reply,
  requireCompose,
  startFakeAnthropic,
  startFakeTelegram,
  TEST_IMAGE_TIMEOUT_MS,
  TEST_USER_ID,
  testPrefix,
} from '@praktor/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import {
  BASE_LABEL,
  type ImageKind,
  INPUTS_LABEL,
  STAGED_TARGET,
  stageImageContext,
} from './runtimes/agent-image.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const BASE_IMAGE_SCRIPT = join(ROOT, 'images', 'base', 'build.sh');

const missing = requireCompose('the compose deployment suite');

/**
 * The offline base with this machine's Node for the gateway image: the staged gateway carries native modules
 * (better-sqlite3) built for the Node that installed them, so the image must run that Node.
 */
function gatewayTestBase(agentBase: string): string {
  const tag = `praktor-gateway-base:${createHash('sha256').update(`${agentBase}\0${process.version}`).digest('hex').slice(0, 12)}`;
  if (imageExists(tag)) return tag;
  const context = mkdtempSync(join(tmpdir(), 'praktor-gateway-base-'));
  try {
    copyFileSync(process.execPath, join(context, 'node'));
    writeFileSync(join(context, 'Dockerfile'), `FROM ${agentBase}\nCOPY node /usr/local/bin/node\n`);
    execFileSync('docker', ['build', '--quiet', '--tag', tag, context], {
      env: { ...process.env, DOCKER_BUILDKIT: '0' },
      stdio: ['ignore', 'ignore', 'inherit'],
      timeout: TEST_IMAGE_TIMEOUT_MS,
    });
  } finally {
    rmSync(context, { recursive: true, force: true });
  }
  return tag;
}

function imageExists(tag: string): boolean {
  try {
    docker(['image', 'inspect', tag]);
    return true;
  } catch {
    return false;
  }
}

/** A staged build context for one image, and the tag its inputs give it. */
interface StagedImage {
  context: string;
  tag: string;
  build: Record<string, unknown>;
}

function stageImage(kind: ImageKind, base: string, workDir: string): StagedImage {
  const context = join(workDir, `${kind}-context`);
  mkdirSync(context);
  const staged = stageImageContext(kind, context, base);
  return {
    context,
    tag: `praktor-${kind}:compose-${staged.inputs}`,
    build: {
      context,
      dockerfile: 'Dockerfile',
      target: STAGED_TARGET,
      // Offline, and proven so: a build step that reached for the network would fail.
      network: 'none',
      args: staged.buildArgs,
      labels: { [INPUTS_LABEL]: staged.inputs, [BASE_LABEL]: base },
    },
  };
}

describe.skipIf(missing !== null)('the compose deployment', () => {
  const prefix = testPrefix('compose');
  const compose = composeCommand() ?? [];
  let workDir = '';
  let anthropic: FakeAnthropic;
  let telegram: FakeTelegram;
  let gatewayContainer = '';
  /** The offline base, standing in for the public node images. */
  let agentBase = '';
  let port = 0;

  /** The arguments of a compose command on the test's project. */
  const composeArgs = (args: string[]): string[] => [
    ...compose.slice(1),
    '--project-name',
    prefix,
    '--project-directory',
    workDir,
    '-f',
    join(workDir, 'docker-compose.yml'),
    ...args,
  ];

  /** Runs compose on the test's project; returns what it printed. */
  const run = (args: string[], timeout = 120_000): string =>
    execFileSync(compose[0] as string, composeArgs(args), {
      encoding: 'utf8',
      cwd: workDir,
      // The classic builder: BuildKit would look the base images up in a registry.
      env: { ...process.env, DOCKER_BUILDKIT: '0', COMPOSE_DOCKER_CLI_BUILD: '0' },
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout,
    });

  beforeAll(async () => {
    workDir = mkdtempSync(join(tmpdir(), 'praktor-compose-'));
    // The gateway's user (uid 10321) reads the configuration through the read-only mount.
    chmodSync(workDir, 0o755);
    anthropic = await startFakeAnthropic({
      handler: (req) =>
        req.kind === 'main' ? reply.text(`compose heard: ${req.lastUserText}`) : reply.text('side call'),
    });
    telegram = await startFakeTelegram();
    agentBase = execFileSync(BASE_IMAGE_SCRIPT, {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
      timeout: TEST_IMAGE_TIMEOUT_MS,
    }).trim();
    const agent = stageImage('agent', agentBase, workDir);
    const gateway = stageImage('gateway', gatewayTestBase(agentBase), workDir);
    port = await freePort();
    gatewayContainer = `${prefix}-gateway`;

    const file = parse(readFileSync(join(ROOT, 'docker-compose.yml'), 'utf8')) as {
      services: Record<string, Record<string, unknown>>;
      volumes: Record<string, { name: string }>;
      networks: Record<string, { name: string }>;
    };
    const praktor = file.services.praktor as Record<string, unknown>;
    // The host's network in place of praktor-net and the published port: the fakes are on loopback.
    delete praktor.networks;
    delete praktor.ports;
    praktor.network_mode = 'host';
    praktor.container_name = gatewayContainer;
    praktor.build = gateway.build;
    praktor.image = gateway.tag;
    const healthcheck = praktor.healthcheck as { test: string[]; interval: string };
    healthcheck.test = healthcheck.test.map((part) => part.replace('127.0.0.1:8080', `127.0.0.1:${port}`));
    healthcheck.interval = '1s';
    const agentService = file.services.agent as Record<string, unknown>;
    agentService.build = agent.build;
    agentService.image = agent.tag;
    for (const volume of Object.values(file.volumes)) volume.name = volume.name.replace(/^praktor/, prefix);
    for (const network of Object.values(file.networks))
      network.name = network.name.replace(/^praktor/, prefix);
    writeFileSync(join(workDir, 'docker-compose.yml'), stringify(file));

    const socketGroup = execFileSync('stat', ['-c', '%g', '/var/run/docker.sock'], {
      encoding: 'utf8',
    }).trim();
    writeFileSync(
      join(workDir, '.env'),
      [
        `ANTHROPIC_API_KEY=${FAKE_API_KEY}`,
        `ANTHROPIC_BASE_URL=${anthropic.url}`,
        `PRAKTOR_TELEGRAM_TOKEN=${telegram.token}`,
        `DOCKER_GID=${socketGroup}`,
        'PRAKTOR_LOG_LEVEL=debug',
        '',
      ].join('\n'),
    );
    mkdirSync(join(workDir, 'config'), { mode: 0o755 });
    writeFileSync(
      join(workDir, 'config', 'praktor.yaml'),
      stringify({
        // The token comes from .env, through PRAKTOR_TELEGRAM_TOKEN in docker-compose.yml.
        telegram: {
          api_root: telegram.apiRoot,
          allow_from: [TEST_USER_ID],
        },
        defaults: { runtime: 'docker', image: agent.tag, model: 'claude-compose-model' },
        agents: { general: { description: 'General-purpose assistant', prewarm: false } },
        router: { default_agent: 'general', ai: false },
        docker: { prefix },
        web: { host: '127.0.0.1', port },
      }),
      { mode: 0o644 },
    );
  }, TEST_IMAGE_TIMEOUT_MS);

  afterAll(async () => {
    if (workDir !== '') {
      try {
        run(['down', '--volumes', '--timeout', '30']);
      } finally {
        removeInstallation(prefix);
        rmSync(workDir, { recursive: true, force: true });
      }
    }
    await Promise.all([anthropic?.close(), telegram?.close()]);
  }, 120_000);

  it(
    'builds the agent and the gateway images offline',
    () => {
      const images = parse(run(['config'])) as { services: Record<string, { image: string }> };
      for (const service of ['agent', 'praktor']) {
        const tag = images.services[service]?.image as string;
        // An image with these inputs is what this build would make: building it again proves nothing new.
        if (!imageExists(tag)) run(['build', service], TEST_IMAGE_TIMEOUT_MS);
        expect(docker(['image', 'inspect', '--format', '{{.Config.User}}', tag]).trim()).toBe('praktor');
      }
    },
    2 * TEST_IMAGE_TIMEOUT_MS,
  );

  it(
    'builds the default target from the repository with the legacy builder, up to npm ci asking the network',
    () => {
      const file = parse(readFileSync(join(ROOT, 'docker-compose.yml'), 'utf8')) as {
        services: Record<string, { build: Record<string, unknown>; image: string }>;
      };
      for (const [service, dockerfile] of [
        ['praktor', 'Dockerfile'],
        ['agent', 'images/agent/Dockerfile'],
      ] as const) {
        const build = file.services[service]?.build as Record<string, unknown>;
        expect(build).toEqual({ context: '.', dockerfile });
        // No target: the default, the last stage. No network: the build stops where it first needs it.
        Object.assign(build, {
          context: ROOT,
          args: { BASE_IMAGE: agentBase, BUILD_IMAGE: agentBase },
          network: 'none',
        });
        (file.services[service] as { image: string }).image = `praktor-${service}:${prefix}-default`;
      }
      const defaultFile = join(workDir, 'docker-compose.default.yml');
      writeFileSync(defaultFile, stringify(file));
      for (const service of ['praktor', 'agent']) {
        const built = spawnSync(
          compose[0] as string,
          [
            ...compose.slice(1),
            '--project-name',
            `${prefix}-default`,
            '-f',
            defaultFile,
            'build',
            '--force-rm',
            service,
          ],
          {
            encoding: 'utf8',
            cwd: ROOT,
            env: { ...process.env, DOCKER_BUILDKIT: '0', COMPOSE_DOCKER_CLI_BUILD: '0' },
            timeout: TEST_IMAGE_TIMEOUT_MS,
          },
        );
        const output = `${built.stdout}${built.stderr}`;
        // Every stage before the source build passed, the staged one included, on the repository's context.
        expect(output).not.toContain('not found in build context');
        expect(output).toMatch(/Step \d+\/\d+ : COPY \. \/app\/\n ---> \w+/);
        expect(output).toMatch(/Step \d+\/\d+ : RUN npm ci/);
        expect(output).toMatch(/EAI_AGAIN|ENOTFOUND|ENETUNREACH/);
        expect(built.status).not.toBe(0);
      }
    },
    2 * TEST_IMAGE_TIMEOUT_MS,
  );

  it('brings the gateway up healthy, as a user other than root', async () => {
    run(['up', '--detach', '--no-build']);
    await eventually(
      'the gateway container to be healthy',
      async () => docker(['inspect', '--format', '{{.State.Health.Status}}', gatewayContainer]).trim(),
      (status) => status === 'healthy',
      { timeoutMs: 90_000 },
    );
    expect(docker(['inspect', '--format', '{{.Config.User}}', gatewayContainer]).trim()).toBe('praktor');
  }, 120_000);

  it("serves Mission Control's app from the gateway image", async () => {
    const page = await fetch(`http://127.0.0.1:${port}/`);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('<title>Praktor · Mission Control</title>');
    const script = html.match(/<script type="module" crossorigin src="([^"]+)"/)?.[1];
    const code = await fetch(`http://127.0.0.1:${port}${script}`);
    expect([code.status, code.headers.get('content-type')]).toEqual([
      200,
      expect.stringContaining('javascript'),
    ]);
  });

  it('answers a Telegram message from an agent container the gateway started through the socket', async () => {
    const before = telegram.messagesIn(TEST_USER_ID).length;
    telegram.sendText({ userId: TEST_USER_ID, text: 'hello from compose' });
    const answers = await telegram.waitFor(() => {
      const sent = telegram.messagesIn(TEST_USER_ID).slice(before);
      return sent.some((m) => m.text.includes('compose heard')) ? sent : undefined;
    }, 90_000);
    expect(answers.map((m) => m.text)).toContain('compose heard: hello from compose');
    expect(containersOf(prefix).map((c) => [c.agent, c.state])).toEqual([['general', 'running']]);
  }, 120_000);

  it('checks its own setup from inside its container with praktor doctor', async () => {
    // Not a synchronous run: the doctor asks the fakes, which answer from this process.
    const doctor = await new Promise<{ code: unknown; stdout: string }>((resolve) => {
      execFile(
        compose[0] as string,
        composeArgs(['exec', '-T', 'praktor', 'praktor', 'doctor', '--json']),
        { encoding: 'utf8', timeout: 120_000 },
        (err, stdout) => resolve({ code: err === null ? 0 : err.code, stdout }),
      );
    });
    const report = JSON.parse(doctor.stdout) as { checks: { id: string; status: string; detail: string }[] };
    const status = Object.fromEntries(report.checks.map((c) => [c.id, c.status]));
    expect(report.checks.filter((c) => c.status === 'fail')).toEqual([]);
    expect([status.docker, status.agent_images, status.telegram, status.model_api]).toEqual([
      'ok',
      'ok',
      'ok',
      'ok',
    ]);
    expect(doctor.code).toBe(0);
  }, 120_000);

  it("backs up from inside its container while it runs, the agents' volumes included", () => {
    const made = run(['exec', '-T', 'praktor', 'praktor', 'backup', '-f', '/tmp/praktor.tar.zst'], 300_000);
    expect(made).toMatch(/Backup complete: \d+ files, 3 volumes/);
    const checked = run([
      'exec',
      '-T',
      'praktor',
      'praktor',
      'restore',
      '-f',
      '/tmp/praktor.tar.zst',
      '--verify',
    ]);
    expect(checked).toMatch(/Archive OK: .*, 3 volumes/);
  }, 300_000);

  it('leaves no agent container behind after docker compose down', () => {
    run(['down', '--timeout', '30']);
    expect(containersOf(prefix)).toEqual([]);
    expect(docker(['ps', '--all', '--quiet', '--filter', `name=^${gatewayContainer}$`]).trim()).toBe('');
  }, 120_000);
});
