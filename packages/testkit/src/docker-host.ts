/**
 * A second Docker daemon for suites about agents on more than one machine: its own data root, exec root and
 * pidfile, the machine's docker0 bridge as it is and no iptables rules (so it leaves the machine's network alone),
 * reached only over TCP on 127.0.0.1 with mutual TLS whose certificates the suite generates with openssl. Its data root lives at a stable
 * path under /tmp, so the agent image loaded into it once is there on the next run.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort, type RunningProcess, runProcess } from './process.js';
import { hasCommand } from './requirements.js';

/** How long loading the agent image (about 760 MB) into a new data root may take. */
export const TEST_DOCKER_HOST_TIMEOUT_MS = 5 * 60_000;

/** A started second daemon. */
export interface TestDockerHost {
  /** `tcp://127.0.0.1:PORT`. */
  readonly url: string;
  /** The TLS files a client presents and trusts. */
  readonly tls: { ca: string; cert: string; key: string };
  /** Environment for the docker CLI to reach this daemon. */
  readonly env: NodeJS.ProcessEnv;
  /** Runs the docker CLI against this daemon; returns what it printed. */
  docker(args: string[]): string;
  /** Copies `image` from the main daemon, unless this daemon has the same image id already. */
  loadImage(image: string): Promise<void>;
  /** Whether the daemon runs (it was not killed, or was restarted since). */
  readonly alive: boolean;
  /** Kills the daemon at once (SIGKILL), as a machine that goes away would. */
  kill(): Promise<void>;
  /** Starts the daemon again on the same data root and port; resolves when it answers. */
  restart(): Promise<void>;
  /** Stops the daemon (SIGTERM, its containers stopped with it); the data root stays for the next run. */
  stop(): Promise<void>;
}

/** Why a second daemon cannot be started here, or null. */
export function testDockerHostProblem(): string | null {
  if (!hasCommand('dockerd')) return 'dockerd is not installed (apt-get install docker.io)';
  if (!hasCommand('openssl')) return 'openssl is not installed (apt-get install openssl)';
  if (process.getuid?.() !== 0) return 'a second Docker daemon needs root';
  return null;
}

/**
 * Null when a second daemon can be started. Otherwise: under CI, throws; elsewhere, prints why `suite` is skipped
 * and returns that reason.
 */
export function requireTestDockerHost(suite: string): string | null {
  const problem = testDockerHostProblem();
  if (problem === null) return null;
  if (process.env.CI) throw new Error(`${suite} cannot run in CI: ${problem}`);
  console.warn(`skipping ${suite}: ${problem}`);
  return problem;
}

/** Writes a CA, a server certificate for 127.0.0.1 and a client certificate into `dir`, unless they are there. */
function makeCertificates(dir: string): void {
  if (existsSync(join(dir, 'key.pem'))) return;
  mkdirSync(dir, { recursive: true });
  const openssl = (args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
  const days = ['-days', '3650'];
  openssl([
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-keyout',
    'ca-key.pem',
    '-out',
    'ca.pem',
    ...days,
    '-subj',
    '/CN=praktor test CA',
  ]);
  writeFileSync(join(dir, 'server.ext'), 'subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n');
  writeFileSync(join(dir, 'client.ext'), 'extendedKeyUsage=clientAuth\n');
  for (const [name, subject] of [
    ['server', '/CN=127.0.0.1'],
    ['client', '/CN=praktor gateway'],
  ] as const) {
    openssl([
      'req',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      `${name}-key.pem`,
      '-out',
      `${name}.csr`,
      '-subj',
      subject,
    ]);
    openssl([
      'x509',
      '-req',
      '-in',
      `${name}.csr`,
      '-CA',
      'ca.pem',
      '-CAkey',
      'ca-key.pem',
      '-CAcreateserial',
      '-out',
      `${name}-cert.pem`,
      ...days,
      '-extfile',
      `${name}.ext`,
    ]);
  }
  // The names the docker CLI looks for in DOCKER_CERT_PATH; the key is written last, marking the set complete.
  writeFileSync(join(dir, 'cert.pem'), readFileSync(join(dir, 'client-cert.pem')));
  writeFileSync(join(dir, 'key.pem'), readFileSync(join(dir, 'client-key.pem')), { mode: 0o600 });
}

/**
 * Starts a second daemon whose state lives under `/tmp/praktor-dockerd-<name>` (kept between runs). A daemon a
 * killed earlier run left there is stopped first.
 */
export async function startTestDockerHost(name: string): Promise<TestDockerHost> {
  const root = `/tmp/praktor-dockerd-${name}`;
  const certs = join(root, 'certs');
  const pidfile = join(root, 'dockerd.pid');
  makeCertificates(certs);
  stopLeftover(pidfile);
  killShims(join(root, 'exec'));
  // Kept between starts: after a kill it still holds the running containers' state, which the next start cleans up.
  const execRoot = join(root, 'exec');
  const port = await freePort();
  const url = `tcp://127.0.0.1:${port}`;
  const tls = { ca: join(certs, 'ca.pem'), cert: join(certs, 'cert.pem'), key: join(certs, 'key.pem') };
  const env = { ...process.env, DOCKER_HOST: url, DOCKER_TLS_VERIFY: '1', DOCKER_CERT_PATH: certs };
  const args = [
    '--data-root',
    join(root, 'data'),
    '--exec-root',
    execRoot,
    '--pidfile',
    pidfile,
    '--host',
    url,
    '--tlsverify',
    '--tlscacert',
    tls.ca,
    '--tlscert',
    join(certs, 'server-cert.pem'),
    '--tlskey',
    join(certs, 'server-key.pem'),
    // The machine's docker0, used as it is: with --bridge=none dockerd deletes docker0 at start, which takes the
    // bridge from under the machine's own daemon (its image builds then fail). Test containers use host networking.
    '--bridge=docker0',
    '--iptables=false',
    '--ip-masq=false',
  ];
  let daemon: RunningProcess = await launch(args, env);
  let alive = true;
  const docker = (dockerArgs: string[]) =>
    execFileSync('docker', dockerArgs, {
      env,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: 60_000,
    });
  return {
    url,
    tls,
    env,
    docker,
    async loadImage(image) {
      const wanted = execFileSync('docker', ['image', 'inspect', '--format', '{{.Id}}', image], {
        encoding: 'utf8',
      }).trim();
      let present = '';
      try {
        present = docker(['image', 'inspect', '--format', '{{.Id}}', image]).trim();
      } catch {
        // Not there yet: loaded below.
      }
      if (present === wanted) return;
      await pipeImage(image, env);
    },
    get alive() {
      return alive;
    },
    async kill() {
      alive = false;
      await daemon.stop('SIGKILL');
    },
    async restart() {
      daemon = await launch(args, env);
      alive = true;
    },
    async stop() {
      await daemon.stop('SIGTERM', 30_000);
      killShims(execRoot);
    },
  };
}

/** Starts dockerd with `args` and waits until `docker version` answers through `env`. */
async function launch(args: string[], env: NodeJS.ProcessEnv): Promise<RunningProcess> {
  const daemon = runProcess('dockerd', args);
  const deadline = Date.now() + 30_000;
  for (;;) {
    try {
      execFileSync('docker', ['version', '--format', '{{.Server.Version}}'], {
        env,
        stdio: 'ignore',
        timeout: 5_000,
      });
      return daemon;
    } catch (err) {
      if (Date.now() > deadline) {
        await daemon.stop('SIGKILL');
        throw new Error(
          `the second dockerd did not answer within 30 s:\n${daemon.lines.slice(-20).join('\n')}`,
          { cause: err },
        );
      }
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
}

/**
 * Kills the container shims a killed daemon of `execRoot` left running (they outlive it by design, and the next
 * daemon does not always reap them).
 */
function killShims(execRoot: string): void {
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let cmdline: string;
    try {
      cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8');
    } catch {
      // Ended while being looked at.
      continue;
    }
    if (cmdline.includes('containerd-shim') && cmdline.includes(`${execRoot}/`))
      process.kill(Number(entry), 'SIGKILL');
  }
}

/** Stops the daemon whose pid an earlier, killed run left in `pidfile`. */
function stopLeftover(pidfile: string): void {
  if (!existsSync(pidfile)) return;
  const pid = Number(readFileSync(pidfile, 'utf8').trim());
  if (!Number.isInteger(pid) || pid <= 1) return;
  let cmdline = '';
  try {
    cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
  } catch {
    // That process is gone already.
    return;
  }
  // Only a dockerd started with this very pidfile.
  if (!cmdline.startsWith('dockerd') || !cmdline.includes(pidfile)) return;
  process.kill(pid, 'SIGKILL');
  for (let i = 0; i < 100 && existsSync(`/proc/${pid}`); i++) execFileSync('sleep', ['0.1']);
}

/** `docker save image` from the main daemon into `docker load` of the one `env` names. */
function pipeImage(image: string, env: NodeJS.ProcessEnv): Promise<void> {
  return new Promise((resolve, reject) => {
    const save = spawn('docker', ['save', image], { stdio: ['ignore', 'pipe', 'pipe'] });
    const load = spawn('docker', ['load', '--quiet'], { env, stdio: ['pipe', 'pipe', 'pipe'] });
    const errors: string[] = [];
    save.stderr.on('data', (chunk: Buffer) => errors.push(chunk.toString()));
    load.stderr.on('data', (chunk: Buffer) => errors.push(chunk.toString()));
    save.stdout.pipe(load.stdin);
    const ended = (child: ChildProcess) =>
      new Promise<number | null>((done) => child.once('close', (code) => done(code)));
    void Promise.all([ended(save), ended(load)]).then(([saved, loaded]) => {
      if (saved === 0 && loaded === 0) resolve();
      else reject(new Error(`loading ${image} into the second daemon failed: ${errors.join('').trim()}`));
    });
  });
}
