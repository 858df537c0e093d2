import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Store } from './index.js';

let dir: string;
let store: Store;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'praktor-swarms-'));
  store = Store.open(dir);
});

afterEach(() => {
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

function pipeline(id = 'run-1') {
  return store.swarms.create({
    id,
    request: {
      name: 'p',
      lead_agent: 'c',
      task: 'do it',
      agents: ['a', 'b', 'c'].map((r) => ({ agent_id: r, role: r, prompt: '' })),
      synapses: [],
    },
    tiers: { a: 0, b: 1, c: 2 },
    origin: { channel: 'telegram', chatId: '42' },
    createdAt: 1000,
  });
}

describe('SwarmStore', () => {
  it('stores a run with every member waiting in its tier, and where it came from', () => {
    const run = pipeline();
    expect(run.status).toBe('running');
    expect(run.members.map((m) => [m.role, m.tier, m.status])).toEqual([
      ['a', 0, 'waiting'],
      ['b', 1, 'waiting'],
      ['c', 2, 'waiting'],
    ]);
    expect(store.swarms.origin('run-1')).toEqual({ channel: 'telegram', chatId: '42' });
    expect(store.swarms.running()).toEqual(['run-1']);
  });

  it('ends a run once, keeping finished members, stopping running ones and skipping waiting ones', () => {
    pipeline();
    store.swarms.memberStarted('run-1', 'a', 1100);
    store.swarms.memberEnded('run-1', 'a', {
      status: 'completed',
      output: 'A',
      error: null,
      costUsd: 0.5,
      at: 1200,
    });
    store.swarms.memberStarted('run-1', 'b', 1300);
    store.swarms.memberOutput('run-1', 'b', 'half of B');
    const end = {
      status: 'interrupted',
      error: 'stopped',
      result: null,
      at: 1400,
      memberStatus: 'interrupted',
    } as const;
    expect(store.swarms.finish('run-1', end)).toBe(true);
    expect(store.swarms.finish('run-1', { ...end, status: 'completed' })).toBe(false);
    const run = store.swarms.get('run-1');
    expect(run?.status).toBe('interrupted');
    expect(run?.cost_usd).toBe(0.5);
    expect(run?.members.map((m) => [m.role, m.status, m.output])).toEqual([
      ['a', 'completed', 'A'],
      ['b', 'interrupted', 'half of B'],
      ['c', 'skipped', ''],
    ]);
    expect(store.swarms.running()).toEqual([]);
  });

  it('keeps the status the run’s end gave a member when the member reports afterwards, but takes its output', () => {
    pipeline();
    store.swarms.memberStarted('run-1', 'a', 1100);
    store.swarms.finish('run-1', {
      status: 'cancelled',
      error: null,
      result: null,
      at: 1200,
      memberStatus: 'cancelled',
    });
    store.swarms.memberEnded('run-1', 'a', {
      status: 'failed',
      output: 'partial',
      error: 'x',
      costUsd: null,
      at: 1300,
    });
    const a = store.swarms.get('run-1')?.members[0];
    expect([a?.status, a?.output]).toEqual(['cancelled', 'partial']);
  });

  it('deletes a run with its members and chat', () => {
    pipeline();
    store.swarms.addChat('run-1', { group: 0, from: 'a', content: 'hi', created_at: 1 });
    expect(store.swarms.chat('run-1').map((m) => m.content)).toEqual(['hi']);
    expect(store.swarms.delete('run-1')).toBe(true);
    expect(store.swarms.get('run-1')).toBeNull();
    expect(store.swarms.chat('run-1')).toEqual([]);
  });

  it('saves, renames and deletes templates', () => {
    const request = {
      name: 't',
      lead_agent: '',
      task: 'x',
      agents: [{ agent_id: 'a', role: 'a', prompt: '' }],
      synapses: [],
    };
    const saved = store.swarms.saveTemplate({ id: 't1', name: 'Research', request, updated_at: 5 });
    expect(saved.created_at).toBe(5);
    store.swarms.saveTemplate({ id: 't1', name: 'Research 2', request, updated_at: 9 });
    expect(store.swarms.templates().map((t) => [t.name, t.created_at, t.updated_at])).toEqual([
      ['Research 2', 5, 9],
    ]);
    expect(store.swarms.templateNameTaken('Research 2', null)).toBe(true);
    expect(store.swarms.templateNameTaken('Research 2', 't1')).toBe(false);
    expect(store.swarms.deleteTemplate('t1')).toBe(true);
    expect(store.swarms.templates()).toEqual([]);
  });
});
