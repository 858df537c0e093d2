/**
 * Which Docker host holds each agent's state (its workspace and home volumes), remembered in the data directory's
 * `docker-hosts.json` so that an agent is never started on a second host with empty volumes while the first is
 * away. The gateway writes an agent's entry when it first places it; `praktor agent move` rewrites it.
 *
 * The rule for an agent that is not pinned (`agents.<id>.host`): the host that already holds its volumes, else the
 * least busy host — fewest of this gateway's agents running there — among those that answer and have the agent's
 * image; ties go to the host written first (`local` before the others).
 */
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { messageOf } from '@praktor/protocol';
import { z } from 'zod';

/** The file, in the data directory. */
export const PLACEMENT_FILE = 'docker-hosts.json';

const placementSchema = z.object({ agents: z.record(z.string(), z.string()) });

/** The remembered hosts of agents, read from and written to the data directory. */
export class DockerPlacement {
  private readonly file: string;

  constructor(dataDir: string) {
    this.file = join(dataDir, PLACEMENT_FILE);
  }

  /** The host holding agent `agentId`'s state, or null when it has none yet. */
  hostOf(agentId: string): string | null {
    return this.read()[agentId] ?? null;
  }

  /** Records that agent `agentId`'s state is on `host`. */
  record(agentId: string, host: string): void {
    const agents = this.read();
    if (agents[agentId] === host) return;
    agents[agentId] = host;
    const temporary = `${this.file}.${process.pid}.tmp`;
    writeFileSync(temporary, `${JSON.stringify({ agents }, null, 2)}\n`, { mode: 0o600 });
    renameSync(temporary, this.file);
  }

  private read(): Record<string, string> {
    let text: string;
    try {
      text = readFileSync(this.file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return {};
      throw new Error(`cannot read ${this.file}: ${messageOf(err)}`);
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (err) {
      throw new Error(`${this.file} is not JSON (${messageOf(err)}): fix or remove it`);
    }
    const checked = placementSchema.safeParse(parsed);
    if (!checked.success) {
      throw new Error(
        `${this.file} does not map agents to hosts ({"agents": {"ID": "HOST"}}): fix or remove it`,
      );
    }
    return { ...checked.data.agents };
  }
}

/** What placement knows about one host. */
export interface HostStanding {
  name: string;
  /** Why it cannot take an agent now (does not answer, lacks the image), or null. */
  problem: string | null;
  /** How many of this gateway's agents run there. */
  running: number;
}

/** The least busy host that can take an agent, ties to the first; null when none can. */
export function leastBusy(hosts: readonly HostStanding[]): HostStanding | null {
  let best: HostStanding | null = null;
  for (const host of hosts) {
    if (host.problem !== null) continue;
    if (best === null || host.running < best.running) best = host;
  }
  return best;
}
