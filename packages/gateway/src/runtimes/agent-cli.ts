/**
 * `praktor agent`: commands about one agent's place. `move` carries an agent's memory and conversation to another
 * Docker host (docker-move.ts).
 */
import { parseArgs } from 'node:util';
import { messageOf } from '@praktor/protocol';
import { type Config, loadConfig, resolveAgent } from '../config/index.js';
import { DockerFleet } from './docker-fleet.js';
import { dockerHostsOf, type SecretReader } from './docker-hosts.js';
import { moveAgent } from './docker-move.js';

export const AGENT_USAGE = `Usage: praktor agent move ID --to HOST

Moves agent ID's memory and conversation (its workspace and home volumes) to the Docker host HOST of
docker.hosts, streaming them from daemon to daemon, and removes them from the host they were on. Stop the
gateway first (or wait until the agent is idle). When agents.ID.host pins the agent, set it to HOST afterwards.
See docs/scaling.md.
`;

/** Runs `praktor agent <args>`; `secrets` opens the vault when a host's TLS files are vault secrets. */
export async function agentCommand(
  argv: string[],
  secrets: (config: Config) => Promise<SecretReader>,
  out: NodeJS.WritableStream = process.stdout,
  err: NodeJS.WritableStream = process.stderr,
): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined || rest.some((arg) => arg === '--help' || arg === '-h' || arg === 'help')) {
    out.write(AGENT_USAGE);
    return command === undefined ? 1 : 0;
  }
  if (command === 'help' || command === '--help' || command === '-h') {
    out.write(AGENT_USAGE);
    return 0;
  }
  if (command !== 'move') {
    err.write(`praktor agent: unknown command "${command}"\n\n${AGENT_USAGE}`);
    return 1;
  }
  let id: string;
  let to: string;
  try {
    const { values, positionals } = parseArgs({
      args: rest,
      options: { to: { type: 'string' } },
      allowPositionals: true,
      strict: true,
    });
    if (positionals.length !== 1) throw new Error('needs one agent id');
    if (values.to === undefined) throw new Error('needs --to HOST');
    [id, to] = [positionals[0] as string, values.to];
  } catch (e) {
    err.write(`praktor agent move: ${messageOf(e)}\n\n${AGENT_USAGE}`);
    return 1;
  }
  try {
    const config = loadConfig().config;
    const agent = resolveAgent(config, id);
    const fleet = new DockerFleet({
      dataDir: config.dataDir,
      prefix: config.docker.prefix,
      agent: (agentId) => resolveAgent(config, agentId),
      hosts: dockerHostsOf(config, await secrets(config)),
    });
    const moved = await moveAgent(fleet, agent, to, (line) => err.write(`${line}\n`));
    out.write(`moved ${id} from ${moved.from} to ${moved.to} (${moved.volumes.join(', ')})\n`);
    if (agent.host !== null && agent.host !== to) {
      out.write(
        `agents.${id}.host pins it to "${agent.host}": set it to "${to}" before the gateway starts it\n`,
      );
    }
    return 0;
  } catch (e) {
    err.write(`praktor agent move: ${messageOf(e)}\n`);
    return 1;
  }
}
