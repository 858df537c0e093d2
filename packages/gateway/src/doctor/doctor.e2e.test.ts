/**
 * `praktor doctor` against good and deliberately broken setups: each problem is named with its fix and makes the
 * command exit 1; a good setup exits 0. The model and Telegram APIs are the test kit's fakes on loopback.
 */
import { execFile, execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { type DoctorCheck, DoctorReport } from '@praktor/protocol';
import {
  ensureTestImage,
  FAKE_API_KEY,
  type FakeAnthropic,
  type FakeTelegram,
  freePort,
  PRAKTOR_BIN,
  requireCommand,
  requireDocker,
  startFakeAnthropic,
  startFakeTelegram,
  testPrefix,
} from '@praktor/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BASE_LABEL, INPUTS_LABEL } from '../runtimes/agent-image.js';

const run = promisify(execFile);
const noBwrap = requireCommand('bwrap', 'praktor doctor', 'apt-get install bubblewrap');
const noDocker = requireDocker('praktor doctor with the Docker runtime');
/** Mounting a small disk for the data directory needs root. */
const notRoot = process.getuid?.() !== 0;

let anthropic: FakeAnthropic;
let telegram: FakeTelegram;
let home: string;

beforeAll(async () => {
  anthropic = await startFakeAnthropic();
  telegram = await startFakeTelegram();
  home = mkdtempSync(join(tmpdir(), 'praktor-doctor-'));
});

afterAll(async () => {
  await Promise.all([anthropic?.close(), telegram?.close()]);
  if (home) rmSync(home, { recursive: true, force: true });
});

/** Runs `praktor doctor --json` on `config` with `env`; the exit code and the report. */
async function doctor(config: Record<string, unknown>, env: NodeJS.ProcessEnv = {}) {
  const file = join(home, `praktor-${Math.random().toString(36).slice(2)}.yaml`);
  writeFileSync(file, JSON.stringify(config));
  const fullEnv = {
    PATH: process.env.PATH,
    HOME: home,
    PRAKTOR_CONFIG: file,
    PRAKTOR_DATA_DIR: join(home, 'data'),
    ANTHROPIC_BASE_URL: anthropic.url,
    ANTHROPIC_API_KEY: FAKE_API_KEY,
    ...env,
  };
  let code = 0;
  let stdout: string;
  try {
    ({ stdout } = await run(process.execPath, [PRAKTOR_BIN, 'doctor', '--json'], {
      env: fullEnv,
      cwd: home,
    }));
  } catch (err) {
    const failed = err as { code: number; stdout: string };
    code = failed.code;
    stdout = failed.stdout;
  }
  const report = JSON.parse(stdout) as DoctorReport;
  const byId = (id: string) => report.checks.find((c) => c.id === id) as DoctorCheck;
  return { code, report, byId };
}

const goodTelegram = () => ({ token: telegram.token, api_root: telegram.apiRoot });

describe.skipIf(noBwrap !== null)('praktor doctor on the local runtime', () => {
  it('exits 0 on a good setup, every check ok or not applying', async () => {
    const { code, report } = await doctor({ telegram: goodTelegram(), agents: { general: {} } });
    expect(report.checks.filter((c) => c.status === 'fail' || c.status === 'warn')).toEqual([]);
    expect(report.ok).toBe(true);
    expect(code).toBe(0);
  });

  it('says nothing of nix while no local agent has nix_enabled', async () => {
    const { byId } = await doctor({ telegram: goodTelegram(), agents: { general: {} } });
    expect(byId('local_nix')).toMatchObject({ status: 'skip' });
  });

  it('says how to enable nix for a local agent with nix_enabled on a machine without nix', async () => {
    // A PATH with only what the doctor runs here: bubblewrap and the shell that finds programs, no nix.
    const bin = mkdtempSync(join(home, 'bin-'));
    for (const program of ['sh', 'bwrap']) {
      symlinkSync(
        execFileSync('sh', ['-c', `command -v ${program}`], { encoding: 'utf8' }).trim(),
        join(bin, program),
      );
    }
    const { byId } = await doctor(
      { telegram: goodTelegram(), agents: { general: { nix_enabled: true } } },
      { PATH: bin },
    );
    expect(byId('local_nix')).toMatchObject({
      status: 'warn',
      detail: expect.stringContaining('general (on the local runtime): Nix is not available'),
      fix: expect.stringContaining('runtime: docker'),
    });
    expect(byId('local_nix').detail).toContain('install nix on this machine');
  });

  it('names missing model credentials with their fix, and exits 1', async () => {
    const { code, byId } = await doctor({ agents: { general: {} } }, { ANTHROPIC_API_KEY: '' });
    expect(code).toBe(1);
    expect(byId('model_credentials')).toMatchObject({
      status: 'fail',
      fix: expect.stringContaining('ANTHROPIC_API_KEY'),
    });
  });

  it('names a token Telegram refuses, and exits 1', async () => {
    const { code, byId } = await doctor({
      telegram: { token: '123456:not-the-right-secret', api_root: telegram.apiRoot },
    });
    expect(code).toBe(1);
    expect(byId('telegram')).toMatchObject({
      status: 'fail',
      detail: expect.stringContaining('refused the token'),
      fix: expect.stringContaining('@BotFather'),
    });
  });

  it('names another process polling the bot (409), and exits 1', async () => {
    telegram.failNext('getUpdates', {
      errorCode: 409,
      description: 'Conflict: terminated by other getUpdates request',
    });
    const { code, byId } = await doctor({ telegram: goodTelegram() });
    expect(code).toBe(1);
    expect(byId('telegram')).toMatchObject({
      status: 'fail',
      detail: expect.stringContaining('another process polls'),
    });
  });

  it('names a model API the gateway cannot reach, and exits 1', async () => {
    const closed = `http://127.0.0.1:${await freePort()}`;
    const { code, byId } = await doctor({}, { ANTHROPIC_BASE_URL: closed });
    expect(code).toBe(1);
    expect(byId('model_api')).toMatchObject({
      status: 'fail',
      detail: expect.stringContaining('ECONNREFUSED'),
      // Where the gateway itself runs in a container (as these tests may), the fix says loopback is the container's.
      fix: expect.stringMatching(
        /start the model API .+ at http:\/\/127\.0\.0\.1|the gateway runs in a container, where 127\.0\.0\.1 is the container itself/,
      ),
    });
  });

  it('refuses Mission Control off loopback without a password, and warns of plain HTTP with one', async () => {
    const open = await doctor({ web: { host: '0.0.0.0' } });
    expect(open.code).toBe(1);
    expect(open.byId('web')).toMatchObject({
      status: 'fail',
      fix: expect.stringContaining('PRAKTOR_WEB_PASSWORD'),
    });
    const plain = await doctor({ web: { host: '0.0.0.0', auth: 'a long enough password' } });
    expect(plain.byId('web')).toMatchObject({
      status: 'warn',
      detail: expect.stringContaining('plain HTTP'),
    });
  });

  it('names a configuration with a mistake, the other checks waiting for a valid one, and exits 1', async () => {
    const { code, report } = await doctor({ agents: { general: {} }, router: { default_agent: 'writer' } });
    expect(code).toBe(1);
    expect(report.checks).toEqual([
      expect.objectContaining({
        id: 'config',
        status: 'fail',
        detail: expect.stringContaining('router.default_agent: "writer" is not a configured agent'),
        fix: expect.stringContaining('the other checks need a valid configuration'),
      }),
    ]);
  });

  it('names a vault passphrase that does not open the vault, and exits 1', async () => {
    const data = mkdtempSync(join(home, 'vault-data-'));
    const made = join(home, 'vault.yaml');
    writeFileSync(made, '{}');
    await run(process.execPath, [PRAKTOR_BIN, 'vault', 'set', 'token', '--value', 'not shown'], {
      env: {
        PATH: process.env.PATH,
        HOME: home,
        PRAKTOR_CONFIG: made,
        PRAKTOR_DATA_DIR: data,
        PRAKTOR_VAULT_PASSPHRASE: 'the passphrase it was made with',
      },
    });
    const { code, byId } = await doctor(
      { agents: { general: {} } },
      { PRAKTOR_DATA_DIR: data, PRAKTOR_VAULT_PASSPHRASE: 'another passphrase' },
    );
    expect(code).toBe(1);
    expect(byId('vault')).toMatchObject({
      status: 'fail',
      detail: expect.stringContaining('the vault passphrase is wrong'),
      fix: expect.stringContaining('praktor vault reset --yes'),
    });
  });

  it('warns of a clock minutes away from the model API’s, where scheduled tasks would run off time', async () => {
    const behind = await startFakeAnthropic({ clockOffsetMs: -10 * 60_000 });
    try {
      const { code, byId } = await doctor({ agents: { general: {} } }, { ANTHROPIC_BASE_URL: behind.url });
      expect(byId('clock')).toMatchObject({
        status: 'warn',
        detail: expect.stringMatching(/^this machine's clock is \d+ s ahead of the model API's/),
        fix: expect.stringContaining('NTP'),
      });
      expect(code).toBe(0);
    } finally {
      await behind.close();
    }
  });

  it('names a missing bubblewrap for local agents with how to install it, and exits 1', async () => {
    // A PATH with only the shell that finds programs: no bwrap.
    const bin = mkdtempSync(join(home, 'bin-'));
    symlinkSync(execFileSync('sh', ['-c', 'command -v sh'], { encoding: 'utf8' }).trim(), join(bin, 'sh'));
    const { code, byId } = await doctor({ agents: { general: {} } }, { PATH: bin });
    expect(code).toBe(1);
    expect(byId('bubblewrap')).toMatchObject({
      status: 'fail',
      detail: expect.stringContaining('bwrap is not installed'),
      fix: expect.stringContaining('apt-get install bubblewrap'),
    });
  });

  it.skipIf(notRoot)('names a data directory on a disk with no room left, and exits 1', async () => {
    const data = mkdtempSync(join(home, 'full-'));
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=20m', 'tmpfs', data]);
    try {
      const { code, byId } = await doctor({ agents: { general: {} } }, { PRAKTOR_DATA_DIR: data });
      expect(code).toBe(1);
      expect(byId('disk')).toMatchObject({
        status: 'fail',
        detail: `0.0 GB free for ${data}`,
        fix: expect.stringContaining('PRAKTOR_DATA_DIR'),
      });
    } finally {
      execFileSync('umount', [data]);
    }
  });

  it('prints each problem with its fix for people', async () => {
    const file = join(home, 'plain.yaml');
    writeFileSync(file, '{}');
    const result = await run(process.execPath, [PRAKTOR_BIN, 'doctor'], {
      env: {
        PATH: process.env.PATH,
        HOME: home,
        PRAKTOR_CONFIG: file,
        PRAKTOR_DATA_DIR: join(home, 'data'),
        ANTHROPIC_BASE_URL: anthropic.url,
      },
    }).catch((err: { code: number; stdout: string }) => err);
    expect(result).toMatchObject({ code: 1 });
    expect(result.stdout).toMatch(
      /✖ Model credentials: no API key or token: agents cannot answer\n {4}fix: set ANTHROPIC_API_KEY/,
    );
    expect(result.stdout).toMatch(/\n1 problem to fix\.\n$/);
  });
});

describe.skipIf(noDocker !== null)('praktor doctor on the Docker runtime', () => {
  it('tells the truth about a loopback model API with a bridge network: agents reach it through the gateway', async () => {
    const { byId } = await doctor({ defaults: { runtime: 'docker', network: 'bridge' } });
    expect(byId('model_api')).toMatchObject({
      status: 'ok',
      detail: expect.stringContaining('agents reach it through the gateway on every runtime and network'),
    });
  });

  it('names a missing agent image with the command that builds it, and exits 1', async () => {
    const { code, byId } = await doctor({
      defaults: { runtime: 'docker', image: 'praktor-agent:doctor-no-such-image' },
    });
    expect(code).toBe(1);
    expect(byId('agent_images')).toMatchObject({
      status: 'fail',
      detail: 'missing: praktor-agent:doctor-no-such-image',
      fix: expect.stringContaining('praktor image build --tag praktor-agent:doctor-no-such-image'),
    });
  });

  it('warns of an agent image built from other sources than this installation, with the command that rebuilds it', async () => {
    // An image labelled as `praktor image build` labels them, with inputs this installation does not have.
    const image = `praktor-agent:${testPrefix('doctor-stale')}`;
    const base = 'praktor-base:doctor-elsewhere';
    execFileSync(
      'docker',
      [
        'build',
        '--quiet',
        '--tag',
        image,
        '--label',
        `${INPUTS_LABEL}=0000`,
        '--label',
        `${BASE_LABEL}=${base}`,
        '-',
      ],
      {
        input: 'FROM scratch\n',
        env: { ...process.env, DOCKER_BUILDKIT: '0' },
        stdio: ['pipe', 'ignore', 'inherit'],
      },
    );
    try {
      const { code, byId } = await doctor({ defaults: { runtime: 'docker', image } });
      expect(byId('agent_images')).toMatchObject({
        status: 'warn',
        detail: expect.stringContaining(`built from other sources than this installation's: ${image}`),
        fix: `rebuild with praktor image build --tag ${image} --base ${base}`,
      });
      expect(code).toBe(0);
    } finally {
      execFileSync('docker', ['image', 'rm', image], { stdio: 'ignore' });
    }
  });

  it('wants on this daemon only the images of agents that may run on it, not those of agents pinned elsewhere', async () => {
    const image = ensureTestImage();
    const { byId } = await doctor({
      defaults: { runtime: 'docker', image },
      docker: { hosts: { attic: { url: `tcp://127.0.0.1:${await freePort()}` } } },
      agents: { general: {}, coder: { host: 'attic', image: 'praktor-agent:doctor-attic-only' } },
      router: { default_agent: 'general' },
    });
    expect(byId('agent_images')).toMatchObject({
      status: 'ok',
      detail: `present: ${image}; built from this installation's sources: ${image}`,
    });
    expect(byId('docker_host_attic')).toMatchObject({
      status: 'fail',
      fix: expect.stringContaining('start the daemon at tcp://127.0.0.1:'),
    });
  });

  it('gives each Docker host as fields: whether it answers and why not, its engine, images and agents', async () => {
    const image = ensureTestImage();
    mkdirSync(join(home, 'data'), { recursive: true });
    writeFileSync(join(home, 'data', 'docker-hosts.json'), JSON.stringify({ agents: { writer: 'local' } }));
    const port = await freePort();
    const { report } = await doctor({
      defaults: { runtime: 'docker', image },
      docker: { hosts: { attic: { url: `tcp://127.0.0.1:${port}` } } },
      agents: { general: { host: 'local' }, writer: {}, coder: { host: 'attic' } },
      router: { default_agent: 'general' },
    });
    const hosts = DoctorReport.parse(report).checks.flatMap((c) => (c.host ? [c.host] : []));
    expect(hosts.map((h) => h.name)).toEqual(['local', 'attic']);
    const [local, attic] = hosts;
    expect(local).toMatchObject({
      problem: null,
      version: expect.stringMatching(/^\d+\./),
      cpus: expect.any(Number),
      clock_skew_s: expect.any(Number),
      images: [{ name: image, present: true }],
      agents: [
        { id: 'general', pinned: true, placed: false, running: false },
        { id: 'writer', pinned: false, placed: true, running: false },
      ],
    });
    expect(attic).toMatchObject({
      url: `tcp://127.0.0.1:${port}`,
      problem: expect.stringContaining('attic'),
      version: null,
      images: [{ name: image, present: null }],
      agents: [{ id: 'coder', pinned: true, placed: false, running: false }],
    });
    expect(Math.abs(Date.now() - (attic?.read_at ?? 0))).toBeLessThan(60_000);
  });

  it('names a Docker daemon that does not answer, and exits 1', async () => {
    const { code, byId } = await doctor(
      { defaults: { runtime: 'docker' } },
      { DOCKER_HOST: `tcp://127.0.0.1:${await freePort()}` },
    );
    expect(code).toBe(1);
    expect(byId('docker')).toMatchObject({
      status: 'fail',
      detail: expect.stringContaining('Docker is not reachable'),
      fix: expect.stringContaining('start the Docker daemon'),
    });
  });
});
