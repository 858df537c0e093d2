import { describe, expect, test } from 'vitest';
import { buildPlan } from './plan.js';
import { parseSwarmSpec, SWARM_SYNTAX_HELP } from './spec.js';

const AGENTS = ['researcher', 'writer', 'reviewer', 'a', 'b', 'c'];

describe('parseSwarmSpec', () => {
  test('a comma list fans out, led by the first agent', () => {
    const swarm = parseSwarmSpec('researcher,writer,reviewer: compare the offers', AGENTS);
    expect(swarm.agents.map((a) => a.role)).toEqual(['researcher', 'writer', 'reviewer']);
    expect(swarm.synapses).toEqual([]);
    expect(swarm.lead_agent).toBe('researcher');
    expect(swarm.task).toBe('compare the offers');
  });

  test('arrows make a pipeline, led by the last agent', () => {
    const swarm = parseSwarmSpec('researcher>writer>reviewer: write it up', AGENTS);
    expect(swarm.synapses).toEqual([
      { from: 'researcher', to: 'writer', bidirectional: false },
      { from: 'writer', to: 'reviewer', bidirectional: false },
    ]);
    expect(swarm.lead_agent).toBe('reviewer');
    expect(buildPlan(swarm).tiers).toEqual([['researcher'], ['writer'], ['reviewer']]);
  });

  test('a <> pair collaborates, and the first agent named leads', () => {
    const swarm = parseSwarmSpec('c,a<>b: plan the trip', AGENTS);
    expect(swarm.agents.map((a) => a.role)).toEqual(['c', 'a', 'b']);
    expect(swarm.synapses).toEqual([{ from: 'a', to: 'b', bidirectional: true }]);
    expect(swarm.lead_agent).toBe('c');
    const plan = buildPlan(swarm);
    expect(plan.groups).toEqual([['a', 'b']]);
    expect(plan.tiers).toEqual([['a', 'b'], ['c']]);
  });

  test('each member runs as the agent it names, under that name', () => {
    const swarm = parseSwarmSpec('a, b : go', AGENTS);
    expect(swarm.agents).toEqual([
      { agent_id: 'a', role: 'a', prompt: '' },
      { agent_id: 'b', role: 'b', prompt: '' },
    ]);
    expect(swarm.name).toBe('Telegram Swarm');
  });

  test('an agent named twice joins once', () => {
    expect(parseSwarmSpec('a,b,a: go', AGENTS).agents.map((a) => a.role)).toEqual(['a', 'b']);
  });

  test('the task is everything after the first colon and space', () => {
    expect(parseSwarmSpec('a: note: keep it short', AGENTS).task).toBe('note: keep it short');
  });

  test('without a colon and a space the user gets the syntax', () => {
    expect(() => parseSwarmSpec('a,b do it', AGENTS)).toThrow(SWARM_SYNTAX_HELP);
    expect(() => parseSwarmSpec('a,b:do it', AGENTS)).toThrow(SWARM_SYNTAX_HELP);
  });

  test('an empty task is refused', () => {
    expect(() => parseSwarmSpec('a,b:   ', AGENTS)).toThrow('Task is required after the colon.');
  });

  test('an empty agent name is refused', () => {
    expect(() => parseSwarmSpec('a,,b: go', AGENTS)).toThrow('Invalid swarm spec: empty agent name');
  });

  test('an agent that is not configured is refused by name', () => {
    expect(() => parseSwarmSpec('a,ghost: go', AGENTS)).toThrow('Invalid swarm spec: unknown agent: ghost');
  });

  test('a pipeline mixed with commas names an agent that does not exist, as in the original', () => {
    expect(() => parseSwarmSpec('a,b>c: go', AGENTS)).toThrow('Invalid swarm spec: unknown agent: a,b');
  });
});
