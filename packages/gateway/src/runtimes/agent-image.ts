/**
 * Building the agent image (`images/agent/Dockerfile`) from this installation: the build context is staged from the
 * runner's installed dependency tree, so nothing inside `docker build` needs the network, and the image is labelled
 * with a hash of its inputs, so an image that is up to date is never built again.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  chmodSync,
  cpSync,
  type Dirent,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  realpathSync,
  rmSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { basename, dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type Docker from 'dockerode';
import { unless404 } from './docker-api.js';
import { IMAGE_EMBEDDING_MODEL_DIR } from './embedding-model.js';

/** The repository's `images/` folder. */
const IMAGES_DIR = fileURLToPath(new URL('../../../../images/', import.meta.url));

/** Where the runner's package is installed. */
const RUNNER_DIR = realpathSync(
  dirname(createRequire(import.meta.url).resolve('@praktor/runner/package.json')),
);

/** The label holding the hash of an image's inputs. */
export const INPUTS_LABEL = 'praktor.inputs';

/** The label holding the base an image was built on, part of its inputs: `praktor doctor` hashes them again. */
export const BASE_LABEL = 'praktor.base';

/** The public base image production builds on. */
export const DEFAULT_BASE_IMAGE = 'node:24-bookworm-slim';

/** What to build. */
export interface ImageBuildOptions {
  /** The image to build on; default {@link DEFAULT_BASE_IMAGE}. */
  base?: string;
  /** The tag to give the image. */
  tag: string;
  /** Progress lines for people. */
  onProgress?: (line: string) => void;
  /**
   * A local embedding model folder (`memory.embeddings.model_dir`, already checked) to copy into the image at
   * {@link IMAGE_EMBEDDING_MODEL_DIR}; absent: the image has none.
   */
  embeddingModel?: string;
}

/** How a build went. */
export interface ImageBuildResult {
  tag: string;
  /** False when an image with the same inputs already had the tag. */
  built: boolean;
  inputs: string;
  ms: number;
}

/** One package of the runner's dependency tree and where it goes in the build context. */
interface StagedPackage {
  source: string;
  /** Path inside the build context. */
  dest: string;
  /** Version for a registry package; null for a workspace package, whose files are hashed instead. */
  version: string | null;
}

interface PackageJson {
  name: string;
  version: string;
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
}

const readPackageJson = (dir: string): PackageJson =>
  JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as PackageJson;

const NODE_MODULES = `${sep}node_modules${sep}`;

/** The folder of package `name` as Node resolves it from `fromDir`, or null. */
function findPackage(name: string, fromDir: string): string | null {
  for (let dir = fromDir; ; dir = dirname(dir)) {
    const candidate = join(dir, 'node_modules', name);
    try {
      return realpathSync(candidate);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      if (dir === dirname(dir)) return null;
    }
  }
}

/**
 * The production dependency tree of the workspace package at `rootDir`: every package it needs at run time
 * (dependencies, installed optional and peer dependencies), each placed in the context where Node finds it from
 * that package. A package inside a `node_modules` keeps its path below the install root; a workspace package
 * (`@praktor/*`, linked from the source tree) goes to `node_modules/<name>`, with only its `package.json`, `dist/`
 * and `bin/`. The dependencies of a package named in `withoutDependencies` are left out (the gateway image carries
 * the runner's own files, which the local runtime's code names, but not Claude Code, which only agents run).
 */
function productionTree(
  rootDir: string,
  withoutDependencies: ReadonlySet<string> = new Set(),
): StagedPackage[] {
  const workspaces = new Map<string, string>();
  const staged = new Map<string, StagedPackage>();
  const destOf = (source: string, name: string): string => {
    const at = source.indexOf(NODE_MODULES);
    if (at < 0) {
      workspaces.set(source, name);
      return join('node_modules', name);
    }
    const owner = source.slice(0, at);
    const workspace = workspaces.get(owner);
    if (workspace !== undefined) return join('node_modules', workspace, source.slice(at + 1));
    return source.slice(at + 1);
  };
  const visit = (source: string) => {
    if (staged.has(source)) return;
    const pkg = readPackageJson(source);
    const workspace = !source.includes(NODE_MODULES);
    staged.set(source, { source, dest: destOf(source, pkg.name), version: workspace ? null : pkg.version });
    if (withoutDependencies.has(pkg.name)) return;
    const required = Object.keys(pkg.dependencies ?? {});
    const optional = [
      ...Object.keys(pkg.optionalDependencies ?? {}),
      ...Object.keys(pkg.peerDependencies ?? {}),
    ];
    for (const name of required) {
      const found = findPackage(name, source);
      if (!found) throw new Error(`${pkg.name} needs ${name}, which is not installed: run npm install`);
      visit(found);
    }
    for (const name of optional) {
      const found = findPackage(name, source);
      if (found) visit(found);
    }
  };
  visit(rootDir);
  return [...staged.values()];
}

/** The gateway's package, where this file is compiled into. */
const GATEWAY_DIR = realpathSync(fileURLToPath(new URL('../../', import.meta.url)));

/** The images Praktor builds: the agents' and the gateway's own (for the compose deployment). */
export type ImageKind = 'agent' | 'gateway';

/** What an image is made of. */
interface ImageSpec {
  dockerfile: string;
  tree: StagedPackage[];
  /** Debian packages the Dockerfile installs when the base lacks them. */
  apt: string[];
}

function imageSpec(kind: ImageKind): ImageSpec {
  if (kind === 'agent') {
    return {
      dockerfile: join(IMAGES_DIR, 'agent', 'Dockerfile'),
      tree: productionTree(RUNNER_DIR),
      apt: aptPackages(),
    };
  }
  // Mission Control's built files go where the gateway's web server looks for them: beside the gateway's package.
  const ui = {
    source: join(GATEWAY_DIR, '..', 'ui'),
    dest: join('node_modules', '@praktor', 'ui'),
    version: null,
  };
  return {
    dockerfile: join(IMAGES_DIR, '..', 'Dockerfile'),
    tree: [...productionTree(GATEWAY_DIR, new Set(['@praktor/runner'])), ui],
    apt: [],
  };
}

/** The files of a workspace package that an image needs: its package.json, compiled `dist/` and `bin/`. */
function workspaceFiles(dir: string): string[] {
  const files = ['package.json'];
  const walk = (rel: string) => {
    for (const entry of readdirSync(join(dir, rel), { withFileTypes: true })) {
      const path = join(rel, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (!entry.name.endsWith('.tsbuildinfo')) files.push(path);
    }
  };
  walk('dist');
  if (existsSync(join(dir, 'bin'))) walk('bin');
  return files.sort();
}

/** The Debian packages of images/base/packages.txt. */
export function aptPackages(): string[] {
  return readFileSync(join(IMAGES_DIR, 'base', 'packages.txt'), 'utf8')
    .split('\n')
    .map((line) => line.replace(/#.*/, '').trim())
    .filter((line) => line !== '');
}

/** Every file (or link to one) under `dir`, as paths relative to it, sorted. */
function filesUnder(dir: string): string[] {
  return (readdirSync(dir, { recursive: true, withFileTypes: true }) as Dirent[])
    .filter((entry) => entry.isFile() || entry.isSymbolicLink())
    .map((entry) => relative(dir, join(entry.parentPath, entry.name)))
    .sort();
}

/**
 * A hash of everything the image is made of: Dockerfile, base, packages, the package tree, and the embedding model
 * folder's files.
 */
function inputsHash(
  tree: StagedPackage[],
  base: string,
  dockerfile: string,
  apt: string[],
  embeddingModel: string | null = null,
): string {
  const hash = createHash('sha256');
  hash.update(`${dockerfile}\0${base}\0${apt.join(' ')}\0`);
  if (embeddingModel !== null) {
    for (const file of filesUnder(embeddingModel)) {
      hash.update(`model/${file}\0`);
      hash.update(readFileSync(join(embeddingModel, file)));
    }
  }
  for (const pkg of [...tree].sort((a, b) => a.dest.localeCompare(b.dest))) {
    hash.update(`${pkg.dest}@${pkg.version ?? 'workspace'}\0`);
    if (pkg.version !== null) continue;
    for (const file of workspaceFiles(pkg.source)) {
      hash.update(`${file}\0`);
      hash.update(readFileSync(join(pkg.source, file)));
    }
  }
  return hash.digest('hex').slice(0, 16);
}

/**
 * The hash of the inputs an agent image built on `base` from this installation has, as {@link INPUTS_LABEL}
 * holds it. Throws where the installation cannot stage the image (in the gateway's own image, which has neither
 * `images/` nor Claude Code).
 */
export function agentImageInputs(base: string): string {
  const { dockerfile, tree, apt } = imageSpec('agent');
  return inputsHash(tree, base, readFileSync(dockerfile, 'utf8'), apt);
}

/**
 * The Dockerfiles' stage that takes the app from a staged context (the Dockerfile and `node_modules/`), as
 * `praktor image build` and the offline test builds make it; the last stage, the default, builds the app from
 * source instead.
 */
export const STAGED_TARGET = 'staged';

/** An image's build context, staged. */
export interface StagedContext {
  /** The hash of the image's inputs on that base, for {@link INPUTS_LABEL}. */
  inputs: string;
  /** The build arguments the Dockerfile takes. */
  buildArgs: Record<string, string>;
}

/**
 * Stages the build context of `kind`'s image in `contextDir` (its Dockerfile and `node_modules/`, this
 * installation's compiled packages with their production dependencies), to be built with the target
 * {@link STAGED_TARGET}.
 */
export function stageImageContext(kind: ImageKind, contextDir: string, base: string): StagedContext {
  const { dockerfile, tree, apt } = imageSpec(kind);
  stage(tree, contextDir, dockerfile);
  const buildArgs: Record<string, string> = { BASE_IMAGE: base };
  if (apt.length > 0) buildArgs.APT_PACKAGES = apt.join(' ');
  return { inputs: inputsHash(tree, base, readFileSync(dockerfile, 'utf8'), apt), buildArgs };
}

/**
 * Files of the runner's dependencies that no agent runs, left out of the image (about 360 MB): ONNX Runtime's
 * native libraries for macOS and Windows (an image is Linux), and onnxruntime-web's files, which transformers.js
 * uses only in a browser (in Node it runs onnxruntime-node, and bundles what it takes of the web runtime).
 */
const NEVER_RUN = [
  join('onnxruntime-node', 'bin', 'napi-v6', 'darwin'),
  join('onnxruntime-node', 'bin', 'napi-v6', 'win32'),
  join('onnxruntime-web', 'dist'),
];

/** Whether `path`, inside the (unscoped) package at `source`, is one of {@link NEVER_RUN}. */
function neverRun(source: string, path: string): boolean {
  return NEVER_RUN.includes(join(basename(source), relative(source, path)));
}

/**
 * Copies the tree into `contextDir`, beside the Dockerfile, and the embedding model folder (if any) into
 * `models/embedding`; the Dockerfile copies the context to /app.
 */
function stage(
  tree: StagedPackage[],
  contextDir: string,
  dockerfile: string,
  embeddingModel: string | null = null,
): void {
  cpSync(dockerfile, join(contextDir, 'Dockerfile'));
  if (embeddingModel !== null) {
    const dest = join(contextDir, relative('/app', IMAGE_EMBEDDING_MODEL_DIR));
    // The files themselves, where the folder links to them (as Hugging Face's cache does).
    cpSync(embeddingModel, dest, { recursive: true, dereference: true });
    // Readable by the agent user whatever the modes on the host were (COPY keeps them).
    chmodSync(dest, 0o755);
    for (const entry of readdirSync(dest, { recursive: true, withFileTypes: true }) as Dirent[]) {
      chmodSync(join(entry.parentPath, entry.name), entry.isDirectory() ? 0o755 : 0o644);
    }
  }
  for (const pkg of tree) {
    const dest = join(contextDir, pkg.dest);
    if (pkg.version === null) {
      for (const file of workspaceFiles(pkg.source)) {
        mkdirSync(dirname(join(dest, file)), { recursive: true });
        cpSync(join(pkg.source, file), join(dest, file));
      }
      continue;
    }
    const nested = join(pkg.source, 'node_modules');
    cpSync(pkg.source, dest, {
      recursive: true,
      filter: (path) => path !== nested && !neverRun(pkg.source, path),
    });
  }
}

/** Streams `dir` as an uncompressed tar (compressing the 400 MB Claude Code binary would cost more than sending it). */
function tarStream(dir: string): NodeJS.ReadableStream {
  const tar = spawn('tar', ['-C', dir, '-c', '.'], { stdio: ['ignore', 'pipe', 'inherit'] });
  tar.once('error', (err) => tar.stdout.destroy(new Error(`tar could not run: ${err.message}`)));
  tar.once('exit', (code) => {
    if (code !== 0) tar.stdout.destroy(new Error(`tar could not pack the build context (exit code ${code})`));
  });
  return tar.stdout;
}

interface BuildEvent {
  stream?: string;
  error?: string;
  errorDetail?: { message?: string };
}

/** Sends the context to the daemon and follows the build to its end. */
async function runBuild(
  docker: Docker,
  contextDir: string,
  opts: Docker.ImageBuildOptions,
  onProgress: (line: string) => void,
) {
  const stream = await docker.buildImage(tarStream(contextDir), opts);
  await new Promise<void>((resolve, reject) => {
    docker.modem.followProgress(
      stream,
      (err: Error | null, events: BuildEvent[]) => {
        const failed = events?.find((event) => event.error);
        if (err) reject(err);
        else if (failed) reject(new Error(failed.errorDetail?.message ?? failed.error));
        else resolve();
      },
      (event: BuildEvent) => {
        const line = event.stream?.trimEnd();
        if (line) onProgress(line);
      },
    );
  });
}

/**
 * Builds the agent image as `opts.tag` unless an image with the same inputs already carries that tag. Throws with
 * the build's own message when it fails (for example when the base image is missing).
 */
export async function buildAgentImage(docker: Docker, opts: ImageBuildOptions): Promise<ImageBuildResult> {
  const started = Date.now();
  const base = opts.base ?? DEFAULT_BASE_IMAGE;
  const onProgress = opts.onProgress ?? (() => {});
  const { dockerfile, tree, apt } = imageSpec('agent');
  const model = opts.embeddingModel ?? null;
  const inputs = inputsHash(tree, base, readFileSync(dockerfile, 'utf8'), apt, model);
  const existing = await unless404(docker.getImage(opts.tag).inspect());
  if (existing?.Config?.Labels?.[INPUTS_LABEL] === inputs) {
    return { tag: opts.tag, built: false, inputs, ms: Date.now() - started };
  }
  const contextDir = mkdtempSync(join(tmpdir(), 'praktor-image-'));
  try {
    onProgress(
      `staging the runner and ${tree.length - 1} packages${model ? `, and the embedding model ${model}` : ''}`,
    );
    stage(tree, contextDir, dockerfile, model);
    onProgress(`building ${opts.tag} on ${base}`);
    await runBuild(
      docker,
      contextDir,
      {
        t: opts.tag,
        target: STAGED_TARGET,
        buildargs: { BASE_IMAGE: base, APT_PACKAGES: apt.join(' ') },
        labels: { [INPUTS_LABEL]: inputs, [BASE_LABEL]: base },
        // The build's RUN steps (apt on node:*-slim) use the host's network, so a build works whether or not the
        // daemon's default bridge is up.
        networkmode: 'host',
        rm: true,
        forcerm: true,
      },
      onProgress,
    );
  } finally {
    rmSync(contextDir, { recursive: true, force: true });
  }
  return { tag: opts.tag, built: true, inputs, ms: Date.now() - started };
}
