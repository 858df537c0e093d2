import type { SwarmMemberView, SwarmRunDetail } from '@praktor/protocol';
import { describe, expect, it } from 'vitest';
import { appendSwarmOutput, mergeSwarmRun, upsertSwarmRun } from './cache';

function member(role: string, over: Partial<SwarmMemberView> = {}): SwarmMemberView {
  return {
    role,
    agent_id: role,
    tier: 0,
    status: 'running',
    output: '',
    error: null,
    cost_usd: null,
    started_at: 1,
    completed_at: null,
    ...over,
  };
}

function detail(members: SwarmMemberView[]): SwarmRunDetail {
  return {
    id: 'r1',
    name: 's',
    task: 't',
    lead_agent: '',
    status: 'running',
    error: null,
    request: { name: 's', task: 't', lead_agent: '', agents: [], synapses: [] },
    members,
    result: null,
    cost_usd: 0,
    created_at: 1,
    completed_at: null,
    chat: [{ id: 1, group: 0, from: 'a', content: 'hi', created_at: 2 }],
  };
}

describe('swarm runs in the live cache', () => {
  it('appends streamed output to the running member only', () => {
    const next = appendSwarmOutput(
      detail([member('a'), member('b', { status: 'completed', output: 'B' })]),
      'a',
      'x',
    );
    expect(next.members.map((m) => m.output)).toEqual(['x', 'B']);
    expect(appendSwarmOutput(next, 'b', 'y').members[1]?.output).toBe('B');
  });

  it('keeps streamed output that goes further than the stored copy, and the chat', () => {
    const held = detail([member('a', { output: 'hello world' })]);
    const { chat: _chat, ...stored } = detail([member('a', { output: 'hello' })]);
    const merged = mergeSwarmRun(held, stored);
    expect(merged.members[0]?.output).toBe('hello world');
    expect(merged.chat).toEqual(held.chat);
  });

  it('takes the stored output once the member has ended', () => {
    const held = detail([member('a', { output: 'partial' })]);
    const { chat: _chat, ...stored } = detail([member('a', { status: 'completed', output: 'final' })]);
    expect(mergeSwarmRun(held, stored).members[0]?.output).toBe('final');
  });

  it('puts a new run first and replaces a known one', () => {
    const { chat: _a, ...one } = detail([]);
    const two = { ...one, id: 'r2' };
    expect(upsertSwarmRun([one], two).map((r) => r.id)).toEqual(['r2', 'r1']);
    expect(upsertSwarmRun([two, one], { ...one, status: 'completed' })[1]?.status).toBe('completed');
  });
});
