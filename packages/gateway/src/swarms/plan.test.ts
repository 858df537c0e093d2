import type { SwarmRequest } from '@praktor/protocol';
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { buildPlan, SwarmPlanError } from './plan.js';

type Edge = [from: string, to: string] | [from: string, to: string, 'both'];

function graph(roles: string[], edges: Edge[] = [], lead = '') {
  return {
    agents: roles.map((role) => ({ agent_id: role, role, prompt: '' })),
    synapses: edges.map(([from, to, both]) => ({ from, to, bidirectional: both === 'both' })),
    lead_agent: lead,
  } satisfies Pick<SwarmRequest, 'agents' | 'synapses' | 'lead_agent'>;
}

describe('buildPlan', () => {
  test('a fan-out with a lead runs everyone else first, then the lead alone', () => {
    expect(buildPlan(graph(['a', 'b', 'c', 'lead'], [], 'lead')).tiers).toEqual([['a', 'b', 'c'], ['lead']]);
  });

  test('a fan-out without a lead is one tier', () => {
    const plan = buildPlan(graph(['a', 'b', 'c']));
    expect(plan.tiers).toEqual([['a', 'b', 'c']]);
    expect(plan.lead).toBeNull();
  });

  test('a pipeline runs one role per tier, each given its predecessor', () => {
    const plan = buildPlan(
      graph(
        ['a', 'b', 'c'],
        [
          ['a', 'b'],
          ['b', 'c'],
        ],
        'c',
      ),
    );
    expect(plan.tiers).toEqual([['a'], ['b'], ['c']]);
    expect(plan.inputs).toEqual({ a: [], b: ['a'], c: ['b'] });
  });

  test('collaborators share a tier and a group', () => {
    const plan = buildPlan(
      graph(
        ['a', 'b', 'c', 'lead'],
        [
          ['a', 'b'],
          ['b', 'c', 'both'],
          ['c', 'lead'],
        ],
        'lead',
      ),
    );
    expect(plan.tiers).toEqual([['a'], ['b', 'c'], ['lead']]);
    expect(plan.groups).toEqual([['b', 'c']]);
    expect(plan.inputs.b).toEqual(['a']);
    expect(plan.inputs.lead).toEqual(['c']);
  });

  test('a role waits for the longest chain that feeds it', () => {
    const plan = buildPlan(
      graph(
        ['a', 'b', 'c', 'd'],
        [
          ['a', 'b'],
          ['b', 'c'],
          ['a', 'd'],
          ['c', 'd'],
        ],
      ),
    );
    expect(plan.tiers).toEqual([['a'], ['b'], ['c'], ['d']]);
    expect(plan.inputs.d).toEqual(['a', 'c']);
  });

  test('within a tier, roles keep the order they were listed in', () => {
    expect(buildPlan(graph(['z', 'y', 'x'])).tiers).toEqual([['z', 'y', 'x']]);
  });

  test('a lead drawn into a collaborative pair runs alone after its partner', () => {
    const plan = buildPlan(graph(['a', 'b', 'c'], [['a', 'b', 'both']], 'a'));
    expect(plan.tiers).toEqual([['b', 'c'], ['a']]);
    expect(plan.groups).toEqual([]);
  });

  test('a lead that is already the sink of a pipeline still runs last and alone', () => {
    const plan = buildPlan(graph(['a', 'b', 'c'], [['a', 'c']], 'c'));
    expect(plan.tiers).toEqual([['a', 'b'], ['c']]);
  });

  test('refuses a cycle', () => {
    expect(() =>
      buildPlan(
        graph(
          ['a', 'b', 'c'],
          [
            ['a', 'b'],
            ['b', 'c'],
            ['c', 'a'],
          ],
        ),
      ),
    ).toThrow(new SwarmPlanError('directed graph contains a cycle'));
  });

  test('refuses a cycle that passes through a collaborative group', () => {
    expect(() =>
      buildPlan(
        graph(
          ['a', 'b', 'c'],
          [
            ['a', 'b', 'both'],
            ['b', 'c'],
            ['c', 'a'],
          ],
        ),
      ),
    ).toThrow('directed graph contains a cycle');
  });

  test('refuses a synapse to a role that is not a member', () => {
    expect(() => buildPlan(graph(['a'], [['a', 'ghost']]))).toThrow(
      'synapse references unknown role "ghost"',
    );
  });

  test('refuses a lead that is not a member', () => {
    expect(() => buildPlan(graph(['a'], [], 'boss'))).toThrow(
      'lead agent "boss" is not a member of the swarm',
    );
  });

  test('refuses a role named twice', () => {
    expect(() => buildPlan(graph(['a', 'a']))).toThrow('role "a" appears more than once');
  });

  test('refuses a lead that would have to feed another role', () => {
    expect(() => buildPlan(graph(['a', 'b'], [['a', 'b']], 'a'))).toThrow(
      'lead agent "a" runs last, so it cannot feed "b"',
    );
  });
});

const ROLES = ['r0', 'r1', 'r2', 'r3', 'r4', 'r5', 'r6', 'r7'];

/** Any graph over the first n roles: random directed and bidirectional edges, and maybe a lead. */
const anyGraph = fc.integer({ min: 1, max: ROLES.length }).chain((n) => {
  const role = fc.constantFrom(...ROLES.slice(0, n));
  return fc.record({
    roles: fc.constant(ROLES.slice(0, n)),
    edges: fc.array(fc.tuple(role, role, fc.boolean()), { maxLength: 12 }),
    lead: fc.option(role, { nil: undefined }),
  });
});

/** Any acyclic graph: directed edges only go from a lower to a higher index. */
const acyclicGraph = fc.integer({ min: 1, max: ROLES.length }).chain((n) => {
  const index = fc.integer({ min: 0, max: n - 1 });
  return fc.record({
    roles: fc.constant(ROLES.slice(0, n)),
    edges: fc
      .array(fc.tuple(index, index), { maxLength: 12 })
      .map((pairs) =>
        pairs
          .filter(([i, j]) => i !== j)
          .map(([i, j]): Edge => [ROLES[Math.min(i, j)] as string, ROLES[Math.max(i, j)] as string]),
      ),
  });
});

function request(g: { roles: string[]; edges: [string, string, boolean][]; lead: string | undefined }) {
  return graph(
    g.roles,
    g.edges.map(([a, b, both]): Edge => (both ? [a, b, 'both'] : [a, b])),
    g.lead ?? '',
  );
}

/** Plans the graph; a graph the planner refuses yields null, anything but a SwarmPlanError fails the property. */
function planOrRefusal(req: ReturnType<typeof graph>) {
  try {
    return buildPlan(req);
  } catch (err) {
    if (err instanceof SwarmPlanError) return null;
    throw err;
  }
}

describe('buildPlan, for any graph', () => {
  test('every role is in exactly one tier, and no tier is empty', () => {
    fc.assert(
      fc.property(anyGraph, (g) => {
        const plan = planOrRefusal(request(g));
        if (plan === null) return;
        expect(plan.tiers.flat().sort()).toEqual([...g.roles].sort());
        for (const tier of plan.tiers) expect(tier.length).toBeGreaterThan(0);
      }),
    );
  });

  test('a directed synapse runs its source in an earlier tier than its target, unless both collaborate', () => {
    fc.assert(
      fc.property(anyGraph, (g) => {
        const req = request(g);
        const plan = planOrRefusal(req);
        if (plan === null) return;
        const tierOf = (role: string) => plan.tiers.findIndex((t) => t.includes(role));
        const together = (a: string, b: string) =>
          plan.groups.some((grp) => grp.includes(a) && grp.includes(b));
        for (const s of req.synapses) {
          if (s.from === s.to) continue;
          if (s.bidirectional) {
            if (s.from !== plan.lead && s.to !== plan.lead) expect(together(s.from, s.to)).toBe(true);
          } else if (!together(s.from, s.to)) {
            expect(tierOf(s.from)).toBeLessThan(tierOf(s.to));
          }
        }
      }),
    );
  });

  test('the members of a collaborative group share one tier', () => {
    fc.assert(
      fc.property(anyGraph, (g) => {
        const plan = planOrRefusal(request(g));
        if (plan === null) return;
        for (const grp of plan.groups) {
          const tiers = new Set(grp.map((role) => plan.tiers.findIndex((t) => t.includes(role))));
          expect(tiers.size).toBe(1);
        }
      }),
    );
  });

  test('the lead is alone in the last tier', () => {
    fc.assert(
      fc.property(anyGraph, (g) => {
        const plan = planOrRefusal(request(g));
        if (plan === null || plan.lead === null) return;
        expect(plan.tiers[plan.tiers.length - 1]).toEqual([plan.lead]);
      }),
    );
  });

  test('a graph whose directed edges all point forward is never refused', () => {
    fc.assert(
      fc.property(acyclicGraph, (g) => {
        expect(() => buildPlan(graph(g.roles, g.edges))).not.toThrow();
      }),
    );
  });

  test('a directed cycle of two or more distinct groups is always refused', () => {
    fc.assert(
      fc.property(fc.integer({ min: 2, max: ROLES.length }), fc.boolean(), (n, withLead) => {
        const roles = ROLES.slice(0, n);
        const ring = roles.map((r, i): Edge => [r, roles[(i + 1) % n] as string]);
        const lead = withLead ? 'boss' : '';
        expect(() => buildPlan(graph(withLead ? [...roles, 'boss'] : roles, ring, lead))).toThrow(
          'directed graph contains a cycle',
        );
      }),
    );
  });
});
