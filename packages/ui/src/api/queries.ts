/**
 * Query keys and the hooks that read the REST API through TanStack Query. Live events patch the same keys
 * (see live/cache.ts), so every screen reading these hooks updates without polling.
 */
import type { AgentSummary, CostGrouping, TaskItem } from '@praktor/protocol';
import { QueryClient, useQuery, useQueryClient } from '@tanstack/react-query';
import { ApiError } from './client';
import { api } from './endpoints';

export const keys = {
  auth: ['auth'] as const,
  status: ['status'] as const,
  doctor: ['doctor'] as const,
  pairing: ['pairing'] as const,
  agents: ['agents'] as const,
  agent: (id: string) => ['agent', id] as const,
  messages: (id: string) => ['messages', id] as const,
  /** Every activity list of an agent starts with this; each list also names the first message it covers. */
  agentActivity: (id: string) => ['activity', id] as const,
  activity: (id: string, since: number) => ['activity', id, since] as const,
  agentMd: (id: string) => ['agent-md', id] as const,
  userProfile: ['user-profile'] as const,
  memories: (agentId: string) => ['memories', agentId] as const,
  extensions: (agentId: string) => ['extensions', agentId] as const,
  secrets: ['secrets'] as const,
  vaultProblem: ['vault-problem'] as const,
  tasks: ['tasks'] as const,
  task: (id: string) => ['task', id] as const,
  taskRuns: (id: string) => ['task-runs', id] as const,
  refusals: (agentId: string) => ['refusals', agentId] as const,
  /** Every cost report and budget: what any spend changes. */
  spending: ['spending'] as const,
  costs: (group: CostGrouping) => ['spending', 'costs', group] as const,
  budgets: ['spending', 'budgets'] as const,
  approvals: ['approvals'] as const,
  swarms: ['swarms'] as const,
  swarm: (id: string) => ['swarm', id] as const,
  swarmTemplates: ['swarm-templates'] as const,
};

/** The app's query client: live events keep data fresh, so nothing refetches on a timer or on focus. */
export function createQueryClient(): QueryClient {
  return new QueryClient({
    defaultOptions: {
      queries: {
        staleTime: 60_000,
        refetchOnWindowFocus: false,
        // A 4xx will not change by asking again; a network blip might.
        retry: (count, err) =>
          count < 2 && !(err instanceof ApiError && err.status >= 400 && err.status < 500),
      },
    },
  });
}

/** Pairing codes waiting for approval and the users let in; refreshed while shown, as codes arrive by Telegram. */
export function usePairing() {
  return useQuery({ queryKey: keys.pairing, queryFn: api.pairing, refetchInterval: 5_000 });
}

/** Whether the user must sign in. */
export function useAuth() {
  return useQuery({ queryKey: keys.auth, queryFn: api.authCheck, staleTime: Number.POSITIVE_INFINITY });
}

/** The gateway's status for the dashboard. */
export function useStatus() {
  return useQuery({ queryKey: keys.status, queryFn: api.status });
}

/**
 * The setup's health (`praktor doctor`'s checks) and the Docker hosts' load; they reach the network, so they are run
 * once a minute at most, and once a minute while shown, so that the load stays current.
 */
export function useDoctor() {
  return useQuery({ queryKey: keys.doctor, queryFn: api.doctor, staleTime: 60_000, refetchInterval: 60_000 });
}

/** Every configured agent, in config order. */
export function useAgents() {
  return useQuery({ queryKey: keys.agents, queryFn: api.agents });
}

/** One agent; shows what the agent list already knows while it loads. */
export function useAgent(id: string) {
  const client = useQueryClient();
  return useQuery({
    queryKey: keys.agent(id),
    queryFn: () => api.agent(id),
    placeholderData: () => client.getQueryData<AgentSummary[]>(keys.agents)?.find((a) => a.id === id),
  });
}

/** The newest page of an agent's conversation, oldest first; live events append to it. */
export function useMessages(id: string) {
  return useQuery({ queryKey: keys.messages(id), queryFn: () => api.messages(id) });
}

/**
 * What the agent did while answering the messages from id `since` on (the oldest shown); live events append to it.
 * Disabled until the conversation has loaded, so it knows where to start.
 */
export function useActivity(id: string, since: number | undefined) {
  return useQuery({
    queryKey: keys.activity(id, since ?? 0),
    queryFn: () => api.activity(id, since ?? 0),
    enabled: since !== undefined,
  });
}

/**
 * Every secret, without values. No live event announces vault changes (the CLI can make them too), so the
 * list is refetched after each change made here, when it is more than a few seconds old and the page is
 * opened, and when the window regains focus.
 */
export function useSecrets() {
  return useQuery({
    queryKey: keys.secrets,
    queryFn: api.secrets,
    staleTime: 5_000,
    refetchOnWindowFocus: true,
  });
}

/**
 * What the gateway last said when the vault refused a write (503: no passphrase, re-keyed), kept while the app
 * runs; a save that succeeds clears it. (A vault locked from the start, `/api/status` says before any save.)
 */
export function useVaultProblem(): [string | null, (message: string | null) => void] {
  const client = useQueryClient();
  const problem = useQuery<string | null>({
    queryKey: keys.vaultProblem,
    queryFn: () => null,
    initialData: null,
    staleTime: Number.POSITIVE_INFINITY,
    gcTime: Number.POSITIVE_INFINITY,
  });
  return [problem.data, (message) => client.setQueryData(keys.vaultProblem, message)];
}

/** Every scheduled task, oldest first; `task` events keep it current. */
export function useTasks() {
  return useQuery({ queryKey: keys.tasks, queryFn: api.tasks });
}

/** One task; shows what the task list already knows while it loads. */
export function useTask(id: string) {
  const client = useQueryClient();
  return useQuery({
    queryKey: keys.task(id),
    queryFn: () => api.task(id),
    placeholderData: () => client.getQueryData<TaskItem[]>(keys.tasks)?.find((t) => t.id === id),
  });
}

/** A task's newest runs, newest first; `task_run` events add and update them. */
export function useTaskRuns(id: string) {
  return useQuery({ queryKey: keys.taskRuns(id), queryFn: () => api.taskRuns(id) });
}

/** The connections the internet proxy refused the agent recently; live events add new ones. */
export function useRefusals(agentId: string) {
  return useQuery({ queryKey: keys.refusals(agentId), queryFn: () => api.refusals(agentId) });
}

/** This month's spend grouped by `group`; refreshed whenever an answer reports what it spent. */
export function useCosts(group: CostGrouping) {
  return useQuery({ queryKey: keys.costs(group), queryFn: () => api.costs(group) });
}

/** The configured budgets and their use. */
export function useBudgets() {
  return useQuery({ queryKey: keys.budgets, queryFn: api.budgets });
}

/** Approval requests waiting for an answer; refreshed by `approval` events. */
export function useApprovals() {
  return useQuery({ queryKey: keys.approvals, queryFn: api.approvals });
}

/** Swarm runs, newest first. */
export function useSwarms() {
  return useQuery({ queryKey: keys.swarms, queryFn: api.swarms });
}

/** One swarm run with its chat; live events keep it current. */
export function useSwarm(id: string | null) {
  return useQuery({
    queryKey: keys.swarm(id ?? ''),
    queryFn: () => api.swarm(id ?? ''),
    enabled: id !== null,
  });
}

/** Saved swarm graphs. */
export function useSwarmTemplates() {
  return useQuery({ queryKey: keys.swarmTemplates, queryFn: api.swarmTemplates });
}
