/**
 * What each member of a swarm is asked: the task, its role and instructions, what its predecessors produced, and for
 * the lead everyone's results to bring together. Sections follow the original's prompt, so prompts written for it
 * still read the same.
 */

/** Everything one member's prompt is made of. */
export interface MemberPromptParts {
  task: string;
  role: string;
  /** The role's own instructions ('' for none). */
  instructions: string;
  /** The roles it collaborates with (its group, without itself). */
  collaborators: readonly string[];
  /** Outputs of the roles feeding it, in the plan's order. */
  inputs: readonly { role: string; output: string }[];
  /** For the lead: every other role's output, in the request's order; null for the others. */
  results: readonly { role: string; output: string }[] | null;
}

/** The prompt one member is given. */
export function memberPrompt(parts: MemberPromptParts): string {
  const sections = [`## Swarm Task\n\n${parts.task}`];
  const role = [`You are "${parts.role}" in a swarm of agents working on this task together.`];
  if (parts.collaborators.length > 0) {
    role.push(
      `You work at the same time as ${parts.collaborators.map((r) => `"${r}"`).join(', ')}. Use swarm_chat_send ` +
        'to tell them what they should know and swarm_chat_read to read what they post (it can wait for them, ' +
        'at most 60 s at a time).',
    );
  }
  sections.push(`## Your Role\n\n${role.join(' ')}`);
  if (parts.instructions.trim() !== '') sections.push(`## Your Role Instructions\n\n${parts.instructions}`);
  const inputs = parts.inputs.filter((i) => i.output.trim() !== '');
  if (parts.results === null && inputs.length > 0) {
    sections.push(
      [
        '## Context from Previous Agents',
        ...inputs.map((i) => `### Output from ${i.role}\n\n${i.output}`),
      ].join('\n\n'),
    );
  }
  const results = (parts.results ?? []).filter((r) => r.output.trim() !== '');
  if (results.length > 0) {
    sections.push(
      [
        '## Results from All Agents',
        'You lead this swarm: bring the results below together into one cohesive answer to the task.',
        ...results.map((r) => `### ${r.role}\n\n${r.output}`),
      ].join('\n\n'),
    );
  }
  return sections.join('\n\n');
}
