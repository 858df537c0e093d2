/**
 * The chat form of a swarm, `@swarm <spec>: <task>`, read exactly as the original reads it:
 * `a,b,c` fans out (lead a), `a>b>c` is a pipeline (lead c), `a<>b,c` makes a and b collaborate (lead a).
 * Pipelines do not mix with `,` or `<>`: such a spec names an agent that does not exist.
 */
import type { SwarmRequest } from '@praktor/protocol';

/** A `@swarm` message that cannot become a swarm; the message is what the user is told. */
export class SwarmSpecError extends Error {}

/** The syntax help the user gets when the spec and the task cannot be told apart. */
export const SWARM_SYNTAX_HELP =
  'Invalid swarm syntax. Use: `agent1,agent2: task` or `agent1>agent2: task` or `agent1<>agent2: task`';

/**
 * Reads the text after `@swarm ` into a swarm request whose roles are the agents' ids. `agents` are the configured
 * agent ids. Throws a SwarmSpecError with the user-facing message.
 */
export function parseSwarmSpec(text: string, agents: readonly string[]): SwarmRequest {
  const colon = text.indexOf(': ');
  if (colon < 0) throw new SwarmSpecError(SWARM_SYNTAX_HELP);
  const spec = text.slice(0, colon).trim();
  const task = text.slice(colon + 2).trim();
  if (task === '') throw new SwarmSpecError('Task is required after the colon.');

  const members: string[] = [];
  const synapses: SwarmRequest['synapses'] = [];
  const add = (raw: string): string => {
    const name = raw.trim();
    if (name === '') throw new SwarmSpecError('Invalid swarm spec: empty agent name');
    if (!agents.includes(name)) throw new SwarmSpecError(`Invalid swarm spec: unknown agent: ${name}`);
    if (!members.includes(name)) members.push(name);
    return name;
  };

  let lead: string;
  if (spec.includes('>') && !spec.includes('<>')) {
    const chain = spec.split('>').map(add);
    for (let i = 1; i < chain.length; i++)
      synapses.push({ from: chain[i - 1] as string, to: chain[i] as string, bidirectional: false });
    lead = chain[chain.length - 1] as string;
  } else {
    for (const segment of spec.split(',')) {
      const pair = segment.indexOf('<>');
      if (pair < 0) {
        add(segment);
        continue;
      }
      const from = add(segment.slice(0, pair));
      const to = add(segment.slice(pair + 2));
      synapses.push({ from, to, bidirectional: true });
    }
    lead = members[0] as string;
  }

  return {
    name: 'Telegram Swarm',
    lead_agent: lead,
    task,
    agents: members.map((id) => ({ agent_id: id, role: id, prompt: '' })),
    synapses,
  };
}
