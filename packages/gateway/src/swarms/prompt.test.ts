import { describe, expect, it } from 'vitest';
import { memberPrompt } from './prompt.js';

const base = {
  task: 'Write about otters.',
  role: 'writer',
  instructions: '',
  collaborators: [],
  inputs: [],
  results: null,
};

describe('memberPrompt', () => {
  it('gives a pipeline member its predecessors’ outputs under their roles', () => {
    const prompt = memberPrompt({ ...base, inputs: [{ role: 'researcher', output: 'Otters hold hands.' }] });
    expect(prompt).toContain('## Swarm Task\n\nWrite about otters.');
    expect(prompt).toContain(
      '## Context from Previous Agents\n\n### Output from researcher\n\nOtters hold hands.',
    );
  });

  it('gives the lead every other member’s result, and leaves out empty ones', () => {
    const prompt = memberPrompt({
      ...base,
      role: 'lead',
      results: [
        { role: 'a', output: 'A says' },
        { role: 'b', output: '' },
      ],
    });
    expect(prompt).toContain('## Results from All Agents');
    expect(prompt).toContain('### a\n\nA says');
    expect(prompt).not.toContain('### b');
  });

  it('tells a collaborator who it works with and how to reach them', () => {
    const prompt = memberPrompt({ ...base, collaborators: ['a', 'b'] });
    expect(prompt).toContain('You work at the same time as "a", "b"');
    expect(prompt).toContain('swarm_chat_send');
  });

  it('adds the role’s instructions only when it has some', () => {
    expect(memberPrompt(base)).not.toContain('Your Role Instructions');
    expect(memberPrompt({ ...base, instructions: 'Be brief.' })).toContain(
      '## Your Role Instructions\n\nBe brief.',
    );
  });
});
