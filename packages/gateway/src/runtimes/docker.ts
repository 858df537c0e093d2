/**
 * The Docker runtime: each agent's runner in a hardened container of its own, reached over the attach stream.
 * The container runs as the image's unprivileged user under Docker's init, sees only the agent's workspace and
 * home volumes and the shared volume (read-only), and is removed when it stops, however it stops.
 */
import { constants } from 'node:os';
import { type Duplex, PassThrough } from 'node:stream';
import Docker from 'dockerode';
import type { ResolvedAgent } from '../config/index.js';
import { type DaemonRef, explainDockerError, isUnreachable, statusOf, unless404 } from './docker-api.js';
import { hardening, tmpfsPaths } from './docker-hardening.js';
import {
  AGENT_LABEL,
  DockerNames,
  GLOBAL_PATH,
  HOME_PATH,
  NIX_PATH,
  SWARM_LABEL,
  SWARM_ROLE_LABEL,
  WORKSPACE_PATH,
} from './docker-names.js';
import { planSecretFiles } from './docker-secrets.js';
import { DockerVolumes } from './docker-volumes.js';
import { IMAGE_EMBEDDING_MODEL_DIR } from './embedding-model.js';
import { AGENT_UID, globalDir } from './layout.js';
import { nixSettings } from './nix-settings.js';
import {
  type AgentRef,
  type Runtime,
  type Sandbox,
  type SandboxExit,
  type SandboxSpec,
  UPLOAD_NAME_TRIES,
} from './runtime.js';
import { tarOf } from './tar.js';
import { numberedName, UPLOADS_FOLDER } from './upload-names.js';

/** Networks Docker always has; any other name is a network that must exist (Praktor creates its own). */
const BUILTIN_NETWORKS = new Set(['none', 'host', 'bridge']);

/** What the Docker runtime needs. */
export interface DockerRuntimeOptions {
  /** The gateway's data directory (its global folder holds USER.md and CLAUDE.md). */
  dataDir: string;
  /** The installation's name prefix (`docker.prefix`). */
  prefix: string;
  /** An agent's effective settings as they are now: image, network, security. */
  agent: (agentId: string) => ResolvedAgent;
  /** The daemon; default: DOCKER_HOST, else /var/run/docker.sock. */
  docker?: Docker;
  /** A client of the same daemon for calls that last as long as a container (attach, wait); default: `docker`. */
  streams?: Docker;
  /** The host of `docker.hosts` this runtime serves, named in messages; left out for the local daemon. */
  daemon?: DaemonRef;
}

/** What tells the runner how its sandbox reaches the network (see runner/src/gateway-routes.ts). */
function networkEnv(network: string | null): Record<string, string> {
  if (network === null) return { PRAKTOR_NETWORK: 'gateway' };
  return network === 'none' ? { PRAKTOR_NETWORK: 'none' } : {};
}

/** What tells the nix of an agent with nix_enabled where to get packages (the image's nix.conf has the rest). */
function nixEnv(agent: ResolvedAgent): Record<string, string> {
  if (!agent.nixEnabled) return {};
  return { NIX_CONFIG: nixSettings(agent.nixCaches) };
}

/** Runs each agent in a container of its own. */
export class DockerRuntime implements Runtime {
  readonly name = 'docker';
  readonly confinement =
    'docker: a container per agent, non-root, no capabilities, read-only root filesystem, memory/pids/CPU limits, only its own volumes';
  readonly names: DockerNames;
  /** Access to the files in this daemon's volumes. */
  readonly volumes: DockerVolumes;
  private readonly docker: Docker;
  private readonly streams: Docker;
  private readonly networks = new Set<string>();
  /** The image of the last agent started, for copying the shared files while agents run. */
  private lastImage: string | null = null;

  constructor(private readonly opts: DockerRuntimeOptions) {
    this.docker = opts.docker ?? new Docker();
    this.streams = opts.streams ?? this.docker;
    this.names = new DockerNames(opts.prefix);
    this.volumes = new DockerVolumes(this.docker, this.names);
  }

  /** Removes every container this installation left behind (a previous run that was killed); returns their names. */
  async removeLeftovers(): Promise<string[]> {
    const found = await this.docker.listContainers({ all: true, filters: this.names.filter });
    await Promise.all(found.map((info) => this.removeContainer(info.Id)));
    return found.map((info) => info.Names[0]?.replace(/^\//, '') ?? info.Id);
  }

  async start(spec: SandboxSpec): Promise<Sandbox> {
    try {
      return await this.startContainer(spec);
    } catch (err) {
      throw explainDockerError(err, this.opts.daemon);
    }
  }

  async readWorkspaceFile(agent: AgentRef, name: string): Promise<string | null> {
    try {
      const volume = this.names.workspaceVolume(agent.workspace);
      // An agent that never ran has no volume yet, and reading must not create one.
      if (!(await this.volumeExists(volume))) return null;
      const image = await this.requireImage(this.opts.agent(agent.agentId).image);
      const content = await this.volumes.read(image, volume, WORKSPACE_PATH, name);
      return content === null ? null : content.toString('utf8');
    } catch (err) {
      throw explainDockerError(err, this.opts.daemon);
    }
  }

  async writeWorkspaceFile(agent: AgentRef, name: string, content: string): Promise<void> {
    try {
      const volume = this.names.workspaceVolume(agent.workspace);
      const image = await this.requireImage(this.opts.agent(agent.agentId).image);
      await this.volumes.ensure(volume);
      await this.volumes.write(image, volume, WORKSPACE_PATH, [
        { name, type: 'file', mode: 0o644, uid: AGENT_UID, gid: AGENT_UID, content: Buffer.from(content) },
      ]);
    } catch (err) {
      throw explainDockerError(err, this.opts.daemon);
    }
  }

  /** Saves the upload through a helper container; an `uploads` symbolic link the agent made is replaced by a folder. */
  async saveUpload(agent: AgentRef, name: string, content: Buffer): Promise<string> {
    try {
      const volume = this.names.workspaceVolume(agent.workspace);
      const image = await this.requireImage(this.opts.agent(agent.agentId).image);
      await this.volumes.ensure(volume);
      const candidates = Array.from({ length: UPLOAD_NAME_TRIES }, (_, i) => numberedName(name, i + 1));
      const saved = await this.volumes.writeNew(image, volume, WORKSPACE_PATH, UPLOADS_FOLDER, candidates, {
        mode: 0o644,
        uid: AGENT_UID,
        gid: AGENT_UID,
        content,
      });
      if (saved === null)
        throw new Error(
          `the agent's uploads folder already has ${UPLOAD_NAME_TRIES} files named like ${name}`,
        );
      return `${UPLOADS_FOLDER}/${saved}`;
    } catch (err) {
      throw explainDockerError(err, this.opts.daemon);
    }
  }

  /** Every agent with nix_enabled gets a nix store of its own, in a volume. */
  nixProblem(): string | null {
    return null;
  }

  /** The copy in the image: the container sees no host folder. */
  embeddingModelDir(): string {
    return IMAGE_EMBEDDING_MODEL_DIR;
  }

  /** Copies the shared files into the shared volume, if an agent has started in this run (else its start will). */
  async publishSharedFiles(): Promise<void> {
    if (this.lastImage === null) return;
    try {
      await this.volumes.syncShared(this.lastImage, globalDir(this.opts.dataDir));
    } catch (err) {
      throw explainDockerError(err, this.opts.daemon);
    }
  }

  private async startContainer(spec: SandboxSpec): Promise<Sandbox> {
    const agent = this.opts.agent(spec.agentId);
    const image = await this.requireImage(agent.image);
    const placement = planSecretFiles(spec.files, tmpfsPaths(agent.security));
    const workspaceVolume = this.names.workspaceVolume(spec.workspace);
    const homeVolume = this.names.homeVolume(spec.workspace);
    const nixVolume = agent.nixEnabled ? this.names.nixVolume(spec.workspace) : null;
    await Promise.all([
      agent.network === null ? null : this.ensureNetwork(agent.network),
      this.volumes.ensure(workspaceVolume),
      this.volumes.ensure(homeVolume),
      nixVolume === null ? null : this.volumes.ensure(nixVolume),
      this.volumes.syncShared(image, globalDir(this.opts.dataDir)),
    ]);
    this.lastImage = image;
    const name = this.names.container(spec.name ?? spec.agentId);
    await this.removeContainer(name);
    const security = hardening(agent.security);
    // Only where things are: credentials and the agent's variables reach the runner over the link.
    const env = {
      HOME: HOME_PATH,
      CLAUDE_CONFIG_DIR: `${HOME_PATH}/.claude`,
      PRAKTOR_WORKSPACE: WORKSPACE_PATH,
      PRAKTOR_GLOBAL_DIR: GLOBAL_PATH,
      ...networkEnv(agent.network),
      ...nixEnv(agent),
    };
    const container = await this.docker.createContainer({
      name,
      Image: image,
      User: `${AGENT_UID}:${AGENT_UID}`,
      WorkingDir: WORKSPACE_PATH,
      Env: Object.entries(env).map(([key, value]) => `${key}=${value}`),
      Labels: this.names.labels({
        [AGENT_LABEL]: spec.agentId,
        ...(spec.swarm ? { [SWARM_LABEL]: spec.swarm.runId, [SWARM_ROLE_LABEL]: spec.swarm.role } : {}),
      }),
      Tty: false,
      OpenStdin: true,
      StdinOnce: true,
      AttachStdin: true,
      AttachStdout: true,
      AttachStderr: true,
      HostConfig: {
        ...security,
        Tmpfs: { ...security.Tmpfs, ...placement.tmpfs },
        // Docker's init forwards the stop signal to the runner and reaps Claude Code's children: a stop takes
        // a fraction of a second instead of the 10 s a PID 1 that ignores SIGTERM would.
        Init: true,
        // By default the container has no network: the link is its only way out, to the model API and, through the
        // gateway's proxy, to the internet.
        NetworkMode: agent.network ?? 'none',
        Mounts: [
          { Type: 'volume', Source: workspaceVolume, Target: WORKSPACE_PATH },
          { Type: 'volume', Source: homeVolume, Target: HOME_PATH },
          { Type: 'volume', Source: this.names.globalVolume, Target: GLOBAL_PATH, ReadOnly: true },
          // The agent's nix store: what it installed stays across restarts, and no other agent sees it.
          ...(nixVolume === null ? [] : [{ Type: 'volume' as const, Source: nixVolume, Target: NIX_PATH }]),
        ],
        // The link carries the conversation, unmasked: Docker must not keep a copy of it on disk.
        LogConfig: { Type: 'none', Config: {} },
      },
    });
    let stream: Duplex | null = null;
    try {
      for (const { folder, file } of placement.newFolders) {
        if (await this.pathExists(container, folder)) {
          throw new Error(
            `the file of secret "${file.secret}" cannot be placed at ${file.target}: its folder ${folder} is ` +
              `part of the image ${image}, and the in-memory folder holding the secret would hide it; choose a ` +
              "folder of its own (such as /etc/myapp/key.json), /tmp, or the agent's home or workspace",
          );
        }
      }
      for (const [mountPath, entries] of placement.links) {
        await container.putArchive(await tarOf(entries), { path: mountPath });
      }
      stream = (await this.streams.getContainer(container.id).attach({
        stream: true,
        stdin: true,
        stdout: true,
        stderr: true,
        hijack: true,
      })) as Duplex;
      await container.start();
      if (placement.contents.length > 0) await extractAsAgent(container, await tarOf(placement.contents));
      return new DockerSandbox(
        container,
        this.streams.getContainer(container.id),
        stream,
        agent.security.memory_mb,
        this.opts.daemon,
      );
    } catch (err) {
      stream?.destroy();
      await this.removeContainer(container.id);
      throw err;
    }
  }

  /** Whether this daemon has image `image`. */
  async hasImage(image: string): Promise<boolean> {
    try {
      return (await unless404(this.docker.getImage(image).inspect())) !== null;
    } catch (err) {
      throw explainDockerError(err, this.opts.daemon);
    }
  }

  /** Whether this daemon holds the workspace volume of `workspace` (the agent has run here). */
  async hasWorkspace(workspace: string): Promise<boolean> {
    try {
      return await this.volumeExists(this.names.workspaceVolume(workspace));
    } catch (err) {
      throw explainDockerError(err, this.opts.daemon);
    }
  }

  /** The image, or an error saying how to build it. */
  async requireImage(image: string): Promise<string> {
    if ((await unless404(this.docker.getImage(image).inspect())) !== null) return image;
    const tag = image === 'praktor-agent:latest' ? '' : ` --tag ${image}`;
    const host = this.opts.daemon ? ` --host ${this.opts.daemon.name}` : '';
    const where = this.opts.daemon ? ` on the Docker host "${this.opts.daemon.name}"` : '';
    throw new Error(`image ${image} not found${where}: build it with \`praktor image build${tag}${host}\``);
  }

  private async ensureNetwork(network: string): Promise<void> {
    if (BUILTIN_NETWORKS.has(network) || this.networks.has(network)) return;
    if ((await unless404(this.docker.getNetwork(network).inspect())) === null) {
      if (network !== this.names.network) {
        throw new Error(`the Docker network ${network} does not exist: create it with docker network create`);
      }
      await this.docker.createNetwork({ Name: network, Driver: 'bridge', Labels: this.names.labels() });
    }
    this.networks.add(network);
  }

  private async volumeExists(name: string): Promise<boolean> {
    return (await unless404(this.docker.getVolume(name).inspect())) !== null;
  }

  private async pathExists(container: Docker.Container, path: string): Promise<boolean> {
    return (await unless404(container.infoArchive({ path }))) !== null;
  }

  private async removeContainer(nameOrId: string): Promise<void> {
    await removeQuietly(this.docker.getContainer(nameOrId));
  }
}

/** Removes a container by force; one that is gone already, or being removed, is fine. */
async function removeQuietly(container: Docker.Container): Promise<void> {
  try {
    await container.remove({ force: true });
  } catch (err) {
    const status = statusOf(err);
    if (status !== 404 && status !== 409) throw err;
  }
}

/** Extracts `archive` at `/` in the running container as the agent user, so that what it writes is the agent's. */
async function extractAsAgent(container: Docker.Container, archive: Buffer): Promise<void> {
  const exec = await container.exec({
    Cmd: ['tar', '-x', '-p', '--no-overwrite-dir', '-f', '-', '-C', '/'],
    User: `${AGENT_UID}:${AGENT_UID}`,
    AttachStdin: true,
    AttachStdout: true,
    AttachStderr: true,
  });
  const stream = (await exec.start({ hijack: true, stdin: true })) as Duplex;
  const output: Buffer[] = [];
  const sink = new PassThrough();
  sink.on('data', (chunk: Buffer) => output.push(chunk));
  container.modem.demuxStream(stream, sink, sink);
  await new Promise<void>((resolve, reject) => {
    stream.once('end', resolve);
    stream.once('close', resolve);
    stream.once('error', reject);
    stream.end(archive);
  });
  const { ExitCode } = await exec.inspect();
  if (ExitCode !== 0) {
    throw new Error(`the secret files could not be written: ${Buffer.concat(output).toString().trim()}`);
  }
}

/** The name of the signal behind a shell-style exit status above 128. */
function signalOf(status: number): string | null {
  if (status <= 128) return null;
  const found = Object.entries(constants.signals).find(([, number]) => number === status - 128);
  return found ? found[0] : null;
}

/** How long after the attach stream ends the container's exit may take to be reported before the daemon is asked. */
const STREAM_END_GRACE_MS = 2_000;

/** A running agent container. */
class DockerSandbox implements Sandbox {
  readonly stdout = new PassThrough();
  readonly stderr = new PassThrough();
  readonly exited: Promise<SandboxExit>;
  private done = false;

  constructor(
    /** The container through the client whose calls time out. */
    private readonly container: Docker.Container,
    /** The same container through the client for calls that last (wait, stop). */
    private readonly lasting: Docker.Container,
    private readonly stream: Duplex,
    memoryMb: number,
    private readonly daemon: DaemonRef | undefined,
  ) {
    container.modem.demuxStream(stream, this.stdout, this.stderr);
    const endOutput = () => {
      this.stdout.end();
      this.stderr.end();
    };
    stream.once('end', endOutput);
    stream.once('close', endOutput);
    // A write after the container died fails here; the death itself is reported by `exited`.
    stream.on('error', () => {});
    this.exited = this.watch(memoryMb).then((exit) => {
      this.done = true;
      return exit;
    });
  }

  get stdin(): Duplex {
    return this.stream;
  }

  async stop(graceMs: number): Promise<void> {
    if (!this.done) {
      try {
        await this.lasting.stop({ t: Math.ceil(graceMs / 1000) });
      } catch (err) {
        // A daemon that is gone took the container with it, or will remove it at its next start.
        if (isUnreachable(err)) return;
        // 304: stopped already; 404: gone already.
        const status = statusOf(err);
        if (status !== 304 && status !== 404) throw explainDockerError(err, this.daemon);
      }
    }
    await this.exited;
  }

  /**
   * The container's exit status. A daemon that dies does not always end the wait call (its connection can close
   * without an error), so once the attach stream is gone and the wait has not answered for a moment, the daemon is
   * asked directly: when it does not answer, the container is lost with it.
   */
  private async waitForExit(): Promise<{ StatusCode: number }> {
    const waited = this.lasting.wait() as Promise<{ StatusCode: number }>;
    // Handled where it is awaited below; it may also settle after the daemon was found gone, with no one waiting.
    waited.catch(() => {});
    const streamGone = new Promise<void>((resolve) => {
      this.stream.once('close', resolve);
      this.stream.once('end', resolve);
    });
    const late = streamGone.then(
      () => new Promise<null>((resolve) => setTimeout(resolve, STREAM_END_GRACE_MS, null)),
    );
    const first = await Promise.race([waited, late]);
    if (first !== null) return first;
    // Rejects when the daemon is unreachable, which is the answer.
    await this.container.inspect();
    return waited;
  }

  /** Waits for the container to stop (on its own, stopped, killed, out of memory), then removes it. */
  private async watch(memoryMb: number): Promise<SandboxExit> {
    let exit: SandboxExit;
    try {
      const { StatusCode } = await this.waitForExit();
      exit = { code: StatusCode, signal: signalOf(StatusCode), error: null };
      try {
        // Gone already (removed by someone else): there is nothing more to learn about how it ended.
        const info = await unless404(this.container.inspect());
        if (info?.State?.OOMKilled)
          exit.error = `the container ran out of memory (security.memory_mb: ${memoryMb})`;
      } catch (err) {
        exit.error = `it stopped, and Docker could not say why: ${explainDockerError(err, this.daemon).message}`;
      }
    } catch (err) {
      if (isUnreachable(err)) {
        // Nothing can be removed from a daemon that is gone; the agent's next start removes what is left by name.
        const where = this.daemon ? `the Docker host "${this.daemon.name}"` : 'the Docker daemon';
        return {
          code: null,
          signal: null,
          error:
            `${where} went away (${explainDockerError(err, this.daemon).message}); ` +
            'your next message resumes the conversation once it answers again',
        };
      }
      exit = {
        code: null,
        signal: null,
        error: `lost the container: ${explainDockerError(err, this.daemon).message}`,
      };
    }
    try {
      await removeQuietly(this.container);
    } catch (err) {
      const problem = `it could not be removed: ${explainDockerError(err, this.daemon).message}`;
      exit = { ...exit, error: exit.error ? `${exit.error}; ${problem}` : problem };
    }
    return exit;
  }
}
