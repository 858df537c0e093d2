/**
 * The order a swarm runs in, worked out before anything starts. Roles joined by bidirectional synapses form a
 * collaborative group and run side by side; directed synapses order the groups and lone roles into tiers by the
 * longest path from a source, so each role starts once everything feeding it has finished; the lead runs alone,
 * last. Tiers run one after another, the roles within a tier at the same time.
 */
import type { SwarmRequest } from '@praktor/protocol';

/** A swarm graph that cannot run; the message says what is wrong, in the original's words where it had them. */
export class SwarmPlanError extends Error {}

/** How a swarm runs. */
export interface SwarmPlan {
  /** Roles by tier, first tier first; within a tier in the request's order. */
  readonly tiers: readonly (readonly string[])[];
  /** Roles that run together and share a chat channel: each group has two or more roles, all in one tier. */
  readonly groups: readonly (readonly string[])[];
  /** For each role, the roles whose output it is given, in the order their synapses were declared. */
  readonly inputs: Readonly<Record<string, readonly string[]>>;
  /** The role that runs last, alone, and is given every other role's output; null without one. */
  readonly lead: string | null;
}

/** Checks a swarm's graph and works out its tiers; throws a SwarmPlanError naming the problem. */
export function buildPlan(request: Pick<SwarmRequest, 'agents' | 'synapses' | 'lead_agent'>): SwarmPlan {
  const roles = request.agents.map((a) => a.role);
  const known = new Set<string>();
  for (const role of roles) {
    if (known.has(role)) throw new SwarmPlanError(`role "${role}" appears more than once`);
    known.add(role);
  }
  const lead = request.lead_agent === '' ? null : request.lead_agent;
  if (lead !== null && !known.has(lead))
    throw new SwarmPlanError(`lead agent "${lead}" is not a member of the swarm`);
  for (const s of request.synapses) {
    for (const end of [s.from, s.to])
      if (!known.has(end)) throw new SwarmPlanError(`synapse references unknown role "${end}"`);
    // The lead runs after everyone, so nothing can wait for its output.
    if (lead !== null && !s.bidirectional && s.from === lead && s.to !== lead)
      throw new SwarmPlanError(`lead agent "${lead}" runs last, so it cannot feed "${s.to}"`);
  }

  // The lead leaves any group it was drawn into: it runs alone, after the group, and reads its results.
  const group = unionFind(roles);
  for (const s of request.synapses)
    if (s.bidirectional && s.from !== lead && s.to !== lead) group.union(s.from, s.to);

  const successors = new Map<string, Set<string>>();
  const inDegree = new Map<string, number>();
  for (const role of roles) inDegree.set(group.find(role), 0);
  for (const s of request.synapses) {
    if (s.bidirectional || s.to === lead) continue;
    const from = group.find(s.from);
    const to = group.find(s.to);
    if (from === to) continue;
    const next = successors.get(from) ?? new Set<string>();
    if (next.has(to)) continue;
    next.add(to);
    successors.set(from, next);
    inDegree.set(to, (inDegree.get(to) ?? 0) + 1);
  }

  const depth = longestPathDepths(inDegree, successors);
  const maxDepth = Math.max(-1, ...[...depth.values()]);
  const tierOf = (role: string) => (role === lead ? maxDepth + 1 : (depth.get(group.find(role)) ?? 0));

  const byTier = new Map<number, string[]>();
  for (const role of roles) {
    const t = tierOf(role);
    byTier.set(t, [...(byTier.get(t) ?? []), role]);
  }
  const tiers = [...byTier.entries()].sort(([a], [b]) => a - b).map(([, members]) => members);

  const inputs: Record<string, string[]> = Object.fromEntries(roles.map((r) => [r, []]));
  for (const s of request.synapses) {
    if (s.bidirectional || s.from === s.to) continue;
    if (s.to !== lead && group.find(s.from) === group.find(s.to)) continue;
    const list = inputs[s.to] ?? [];
    if (!list.includes(s.from)) list.push(s.from);
    inputs[s.to] = list;
  }

  return { tiers, groups: group.groups(), inputs, lead };
}

/** Depth of each node: the longest path to it from a node nothing points to (Kahn's order). Throws on a cycle. */
function longestPathDepths(
  inDegree: ReadonlyMap<string, number>,
  successors: ReadonlyMap<string, ReadonlySet<string>>,
): Map<string, number> {
  const remaining = new Map(inDegree);
  const depth = new Map<string, number>();
  const ready = [...remaining].filter(([, n]) => n === 0).map(([node]) => node);
  for (const node of ready) depth.set(node, 0);
  for (let i = 0; i < ready.length; i++) {
    const node = ready[i] as string;
    for (const next of successors.get(node) ?? []) {
      depth.set(next, Math.max(depth.get(next) ?? 0, (depth.get(node) ?? 0) + 1));
      const left = (remaining.get(next) ?? 0) - 1;
      remaining.set(next, left);
      if (left === 0) ready.push(next);
    }
  }
  if (ready.length !== remaining.size) throw new SwarmPlanError('directed graph contains a cycle');
  return depth;
}

/** Disjoint sets over roles; each set is named by its first role in the request's order. */
function unionFind(roles: readonly string[]) {
  const order = new Map(roles.map((r, i) => [r, i]));
  const parent = new Map(roles.map((r) => [r, r]));
  const find = (role: string): string => {
    let root = role;
    while (parent.get(root) !== root) root = parent.get(root) as string;
    parent.set(role, root);
    return root;
  };
  return {
    find,
    union(a: string, b: string) {
      const [ra, rb] = [find(a), find(b)];
      if (ra === rb) return;
      const [keep, join] = (order.get(ra) ?? 0) <= (order.get(rb) ?? 0) ? [ra, rb] : [rb, ra];
      parent.set(join, keep);
    },
    groups(): string[][] {
      const sets = new Map<string, string[]>();
      for (const role of roles) sets.set(find(role), [...(sets.get(find(role)) ?? []), role]);
      return [...sets.values()].filter((members) => members.length > 1);
    },
  };
}
