/**
 * Rules about the set of agents that the schema of one key cannot express: valid ids, the built-in agent used
 * when none is configured, and which agent is the default.
 */
import { type ConfigIssue, formatPath } from './issues.js';

/** Agent ids become container names, volume names and database keys, so they are kept to a safe alphabet. */
const AGENT_ID = /^[a-zA-Z0-9][a-zA-Z0-9_-]*$/;

/** Describes what is wrong with `id` as an agent id, or null when it is fine. */
export function agentIdProblem(id: string): string | null {
  return AGENT_ID.test(id)
    ? null
    : `${JSON.stringify(id)} is not a valid agent id (use letters, digits, "_" and "-", starting with a letter or digit)`;
}

/** The id of the agent Praktor runs when the configuration defines none. */
const BUILTIN_AGENT_ID = 'general';

const BUILTIN_AGENT = {
  description:
    'A friendly general-purpose assistant: answers questions, writes and edits text, researches, plans.',
};

const isMapping = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const isEmpty = (value: unknown) =>
  value === undefined ||
  value === null ||
  value === '' ||
  (isMapping(value) && Object.keys(value).length === 0);

/**
 * Completes the raw tree with what depends on the set of agents: the built-in agent when `agents` is empty,
 * and `router.default_agent` when exactly one agent exists and none is named. Returns the problems found
 * (invalid ids, a missing or unknown default agent); the tree's shape itself is the schema's business.
 */
export function settleAgents(tree: Record<string, unknown>): ConfigIssue[] {
  if (isEmpty(tree.agents)) tree.agents = { [BUILTIN_AGENT_ID]: { ...BUILTIN_AGENT } };
  if (!isMapping(tree.agents)) return [];
  const ids = Object.keys(tree.agents);
  const issues: ConfigIssue[] = ids.flatMap((id) => {
    const problem = agentIdProblem(id);
    return problem === null ? [] : [{ path: formatPath(['agents', id]), message: problem }];
  });

  issues.push(...pinnedHostIssues(tree.agents, tree.docker));
  const router = isEmpty(tree.router) ? {} : tree.router;
  if (!isMapping(router)) return issues;
  const named = router.default_agent ?? '';
  if (typeof named !== 'string') return issues;
  const known = `(agents: ${ids.join(', ')})`;
  if (named === '') {
    if (ids.length === 1) tree.router = { ...router, default_agent: ids[0] };
    else
      issues.push({
        path: 'router.default_agent',
        message: `is required when several agents are defined ${known}`,
      });
  } else if (!ids.includes(named)) {
    issues.push({
      path: 'router.default_agent',
      message: `${JSON.stringify(named)} is not a configured agent ${known}`,
    });
  }
  return issues;
}

/** The name of the Docker host that is there unless `docker.hosts` redefines it. */
export const LOCAL_DOCKER_HOST = 'local';

/** Agents pinned (`agents.<id>.host`) to a host that `docker.hosts` does not define. */
function pinnedHostIssues(agents: Record<string, unknown>, docker: unknown): ConfigIssue[] {
  const hosts = isMapping(docker) && isMapping(docker.hosts) ? Object.keys(docker.hosts) : [];
  const known = [...new Set([LOCAL_DOCKER_HOST, ...hosts])];
  return Object.entries(agents).flatMap(([id, agent]) => {
    const host = isMapping(agent) ? agent.host : undefined;
    if (typeof host !== 'string' || host === '' || known.includes(host)) return [];
    return [
      {
        path: formatPath(['agents', id, 'host']),
        message: `${JSON.stringify(host)} is not a Docker host (docker.hosts: ${known.join(', ')})`,
      },
    ];
  });
}
