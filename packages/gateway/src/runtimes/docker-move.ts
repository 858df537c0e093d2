/**
 * Moving an agent's state — its workspace and home volumes, so its memory and its conversation — from one Docker
 * host to another: each volume streamed as a tar from a helper container on the source into one on the target,
 * never through this machine's disk; then the placement record points at the target and the source's volumes are
 * removed, so that the agent never has two copies that could drift apart.
 */
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { extract, type Header, pack } from 'tar-stream';
import type { ResolvedAgent } from '../config/index.js';
import { explainDockerError, unless404 } from './docker-api.js';
import type { DockerFleet, FleetMember } from './docker-fleet.js';
import { hostProblem } from './docker-hosts.js';
import { VOLUME_ARCHIVE_ROOT } from './docker-volumes.js';

/** How long the move waits for each host to answer before it starts. */
const MOVE_PING_MS = 5_000;

/** What a move did. */
export interface MoveOutcome {
  from: string;
  to: string;
  /** The volumes copied, by name. */
  volumes: string[];
}

/** Moves agent `agent`'s volumes to host `to`; rejects, with nothing removed, when any step fails. */
export async function moveAgent(
  fleet: DockerFleet,
  agent: ResolvedAgent,
  to: string,
  progress: (line: string) => void = () => {},
): Promise<MoveOutcome> {
  const target = fleet.member(to);
  const source = await fleet.stateHost(agent.id);
  if (source === null) {
    throw new Error(
      `agent ${agent.id} has no memory or conversation on any Docker host yet: there is nothing to move`,
    );
  }
  if (source.host.name === to) throw new Error(`agent ${agent.id} is on the Docker host "${to}" already`);
  for (const member of [source, target]) {
    const problem = await hostProblem(member.host, MOVE_PING_MS);
    if (problem !== null) throw new Error(problem);
  }
  const names = source.runtime.names;
  const container = await unless404(source.host.api.getContainer(names.container(agent.id)).inspect());
  if (container?.State?.Running) {
    throw new Error(
      `agent ${agent.id} is running on the Docker host "${source.host.name}": stop the gateway (or wait until the agent is idle) first`,
    );
  }
  const image = await source.runtime.requireImage(agent.image);
  await target.runtime.requireImage(agent.image);
  const volumes: string[] = [];
  for (const volume of [names.workspaceVolume(agent.workspace), names.homeVolume(agent.workspace)]) {
    if (!(await source.runtime.volumes.exists(volume))) continue;
    if (await target.runtime.volumes.exists(volume)) {
      throw new Error(
        `the Docker host "${to}" has a volume ${volume} already (from an earlier stay of the agent there?): ` +
          `look at it, and remove it with docker volume rm ${volume} before moving`,
      );
    }
    progress(`copying ${volume} from ${source.host.name} to ${to}`);
    await copyVolume(source, target, image, volume);
    volumes.push(volume);
  }
  fleet.recordHost(agent.id, to);
  for (const volume of volumes) {
    try {
      await source.host.api.getVolume(volume).remove();
    } catch (err) {
      throw new Error(
        `agent ${agent.id} now lives on "${to}", but its old volume ${volume} on "${source.host.name}" could not be removed ` +
          `(${explainDockerError(err).message}): remove it with docker volume rm ${volume} there`,
      );
    }
  }
  return { from: source.host.name, to, volumes };
}

/** Streams volume `volume` from `source` into a new volume of the same name on `target`. */
async function copyVolume(
  source: FleetMember,
  target: FleetMember,
  image: string,
  volume: string,
): Promise<void> {
  await source.runtime.volumes.exportTar(image, volume, async (tar) => {
    const renamed = pack();
    const importing = target.runtime.volumes.importTar(
      image,
      volume,
      renamed as unknown as NodeJS.ReadableStream,
    );
    // Seen below; a failure while entries are still being read must not go unhandled meanwhile.
    importing.catch(() => {});
    const reading = extract();
    reading.on('entry', (header, content, next) => {
      const entry: Header = { ...header, name: belowRoot(header.name) };
      if (header.type === 'link' && header.linkname) entry.linkname = belowRoot(header.linkname);
      const sink = renamed.entry(entry, (err) => (err ? reading.destroy(err) : next()));
      if (header.type === 'file' || header.type === 'contiguous-file') content.pipe(sink);
      else content.resume();
    });
    await pipeline(tar as unknown as Readable, reading);
    renamed.finalize();
    await importing;
  });
}

/** A name in Docker's archive of a volume (`./`, `./a/b`) as the name {@link DockerVolumes.importTar} expects. */
function belowRoot(name: string): string {
  const relative = name.replace(/^\.\/?/, '').replace(/^\/+/, '');
  return `${VOLUME_ARCHIVE_ROOT}/${relative}`;
}
