/**
 * Docker for test suites: whether the daemon is there (skip with a reason locally, fail under CI), the agent image
 * the suites run (built offline, only when out of date), a configuration that runs agents in containers of an
 * installation of the suite's own, and a look at — and the removal of — what that installation left in Docker.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { hasCommand } from './requirements.js';

const TEST_IMAGES_SCRIPT = fileURLToPath(new URL('../../../images/test-images.sh', import.meta.url));
const BASE_IMAGE_SCRIPT = fileURLToPath(new URL('../../../images/base/build.sh', import.meta.url));
const PRAKTOR_BIN = fileURLToPath(new URL('../../gateway/bin/praktor.js', import.meta.url));

/**
 * How long building the test images from scratch may take (debootstrap of some 400 packages with Chromium, import,
 * agent image): 15 to 25 minutes on a slow mirror.
 */
export const TEST_IMAGE_TIMEOUT_MS = 30 * 60_000;

/** Runs the docker CLI and returns what it printed. */
export function docker(args: string[], input?: string): string {
  return execFileSync('docker', args, {
    encoding: 'utf8',
    input,
    stdio: ['pipe', 'pipe', 'pipe'],
    timeout: 60_000,
  });
}

/** Why Docker cannot be used here, or null when its daemon answers and the test image can be had. */
export function dockerProblem(): string | null {
  if (!hasCommand('docker')) return 'the docker command is not installed (apt-get install docker.io)';
  try {
    execFileSync('docker', ['info', '--format', '{{.ServerVersion}}'], { stdio: 'ignore', timeout: 15_000 });
  } catch {
    return 'the Docker daemon does not answer (start dockerd)';
  }
  if (hasCommand('debootstrap')) return null;
  const base = execFileSync(BASE_IMAGE_SCRIPT, ['--tag'], { encoding: 'utf8' }).trim();
  try {
    docker(['image', 'inspect', base]);
    return null;
  } catch {
    return `the test image's base ${base} is missing and debootstrap, which builds it, is not installed (apt-get install debootstrap)`;
  }
}

/**
 * Null when Docker can be used. Otherwise: under CI, throws; elsewhere, prints why `suite` is skipped and returns
 * that reason (for `describe.skipIf`).
 */
export function requireDocker(suite: string): string | null {
  const problem = dockerProblem();
  if (problem === null) return null;
  if (process.env.CI) throw new Error(`${suite} cannot run in CI: ${problem}`);
  console.warn(`skipping ${suite}: ${problem}`);
  return problem;
}

/** The compose command here: the v2 plugin, else Debian's docker-compose v1; null when neither is installed. */
export function composeCommand(): string[] | null {
  for (const command of [['docker', 'compose'], ['docker-compose']]) {
    try {
      execFileSync(command[0] as string, [...command.slice(1), 'version'], {
        stdio: 'ignore',
        timeout: 15_000,
      });
      return command;
    } catch {
      // Not this one; try the next.
    }
  }
  return null;
}

/**
 * Null when compose is installed and, for a suite that runs containers (`daemon`), Docker can be used. Otherwise:
 * under CI, throws; elsewhere, prints why `suite` is skipped and returns that reason (for `describe.skipIf`).
 */
export function requireCompose(suite: string, daemon = true): string | null {
  const missing = daemon ? requireDocker(suite) : null;
  if (missing !== null) return missing;
  if (composeCommand() !== null) return null;
  const reason = 'neither `docker compose` nor docker-compose is installed (apt-get install docker-compose)';
  if (process.env.CI) throw new Error(`${suite} cannot run in CI: ${reason}`);
  console.warn(`skipping ${suite}: ${reason}`);
  return reason;
}

/** Builds the agent image for tests when it is out of date (images/test-images.sh) and returns its tag. */
export function ensureTestImage(): string {
  return execFileSync(TEST_IMAGES_SCRIPT, {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
    timeout: TEST_IMAGE_TIMEOUT_MS,
  }).trim();
}

/**
 * The test agent image with the embedding model folder `modelDir` in it, built as a user builds it: `praktor image
 * build` with `memory.embeddings.model_dir` in the configuration. Only the model's layer is new on top of the test
 * image's, so it takes seconds once that is built. Returns its tag.
 */
export function ensureTestImageWithModel(modelDir: string): string {
  const tag = `${ensureTestImage()}-model`;
  const base = execFileSync(BASE_IMAGE_SCRIPT, {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  }).trim();
  const dir = mkdtempSync(join(tmpdir(), 'praktor-image-model-'));
  try {
    const config = join(dir, 'praktor.yaml');
    writeFileSync(config, `memory:\n  embeddings:\n    model_dir: ${JSON.stringify(modelDir)}\n`);
    execFileSync(process.execPath, [PRAKTOR_BIN, 'image', 'build', '--base', base, '--tag', tag, '--quiet'], {
      encoding: 'utf8',
      env: { ...process.env, PRAKTOR_CONFIG: config },
      stdio: ['ignore', 'pipe', 'inherit'],
      timeout: TEST_IMAGE_TIMEOUT_MS,
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return tag;
}

/** A new installation prefix for one suite, so that suites running in parallel never share a container. */
export function testPrefix(suite: string): string {
  return `pt-${suite}-${randomBytes(3).toString('hex')}`;
}

/**
 * `config` with agents running in Docker: the test image and the installation `prefix`. The containers have no
 * network, as by default: the link carries their model API traffic to the gateway, which reaches the fakes.
 */
export function withDocker(
  config: Record<string, unknown>,
  opts: { prefix: string; image: string },
): Record<string, unknown> {
  const defaults = (config.defaults ?? {}) as Record<string, unknown>;
  return {
    ...config,
    defaults: { ...defaults, runtime: 'docker', image: opts.image },
    docker: { prefix: opts.prefix },
  };
}

/** One container of an installation. */
export interface TestContainer {
  id: string;
  name: string;
  state: string;
  agent: string;
}

/** The containers (running or not) of installation `prefix`. */
export function containersOf(prefix: string): TestContainer[] {
  const out = docker([
    'ps',
    '--all',
    '--no-trunc',
    '--filter',
    `label=praktor.installation=${prefix}`,
    '--format',
    '{{.ID}}\t{{.Names}}\t{{.State}}\t{{.Label "praktor.agent"}}',
  ]);
  return out
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => {
      const [id = '', name = '', state = '', agent = ''] = line.split('\t');
      return { id, name, state, agent };
    });
}

/** `docker inspect` of a container, volume or network. */
export function dockerInspect(
  kind: 'container' | 'volume' | 'network',
  name: string,
): Record<string, unknown> {
  const [info] = JSON.parse(docker([kind, 'inspect', name])) as Record<string, unknown>[];
  if (!info) throw new Error(`no ${kind} ${name}`);
  return info;
}

/** Removes every container, volume and network of installation `prefix`. */
export function removeInstallation(prefix: string): void {
  const label = `label=praktor.installation=${prefix}`;
  const ids = (args: string[]) => docker(args).split('\n').filter(Boolean);
  const containers = ids(['ps', '--all', '--quiet', '--filter', label]);
  if (containers.length > 0) docker(['rm', '--force', '--volumes', ...containers]);
  const volumes = ids(['volume', 'ls', '--quiet', '--filter', label]);
  if (volumes.length > 0) docker(['volume', 'rm', '--force', ...volumes]);
  const networks = ids(['network', 'ls', '--quiet', '--filter', label]);
  if (networks.length > 0) docker(['network', 'rm', ...networks]);
}
