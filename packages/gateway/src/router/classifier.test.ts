import { describe, expect, it } from 'vitest';
import { classifierPrompt, readAnswer } from './classifier.js';

const agents = [
  { id: 'general', description: 'General-purpose assistant' },
  { id: 'coder', description: '' },
];

describe('readAnswer', () => {
  it('takes the agent and reason from a JSON answer', () => {
    expect(readAnswer('{"agent": "coder", "reason": "code"}', agents)).toEqual({
      ok: true,
      agentId: 'coder',
      reason: 'code',
    });
  });

  it('finds the JSON inside surrounding words, and matches the name whatever its case', () => {
    expect(readAnswer('Sure: {"agent": "Coder"}', agents)).toMatchObject({ ok: true, agentId: 'coder' });
  });

  it('accepts a bare agent name', () => {
    expect(readAnswer(' @general\n', agents)).toMatchObject({ ok: true, agentId: 'general' });
  });

  it('refuses a name that is no agent, quoting the answer', () => {
    expect(readAnswer('banana', agents)).toEqual({
      ok: false,
      problem: 'the classifier answered "banana", no agent',
    });
  });

  it('refuses JSON that cannot be read', () => {
    expect(readAnswer('{"agent": coder}', agents)).toMatchObject({ ok: false });
  });
});

describe('classifierPrompt', () => {
  it('lists every agent with its description and then the message', () => {
    expect(classifierPrompt({ text: 'hi', agents, current: null })).toBe(
      'Agents:\n- general: General-purpose assistant\n- coder: (no description)\n\nMessage:\nhi',
    );
  });

  it('asks to keep the current agent of the conversation', () => {
    expect(classifierPrompt({ text: 'hi', agents, current: 'coder' })).toContain(
      'keep coder unless the message is clearly for another agent',
    );
  });
});
