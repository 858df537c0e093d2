/**
 * Query keys and the hooks that read the REST API through TanStack Query. Live events patch the same keys
 * (see live/cache.ts), so every screen reading these hooks updates without polling.
 */
import type { AgentSummary } from '@praktor/protocol';
import { QueryClient, useQuery, useQueryClient } from '@tanstack/react-query';
import { ApiError } from './client';
import { api } from './endpoints';

export const keys = {
  auth: ['auth'] as const,
  status: ['status'] as const,
  agents: ['agents'] as const,
  agent: (id: string) => ['agent', id] as const,
  messages: (id: string) => ['messages', id] as const,
  agentMd: (id: string) => ['agent-md', id] as const,
  userProfile: ['user-profile'] as const,
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

/** Whether the user must sign in. */
export function useAuth() {
  return useQuery({ queryKey: keys.auth, queryFn: api.authCheck, staleTime: Number.POSITIVE_INFINITY });
}

/** The gateway's status for the dashboard. */
export function useStatus() {
  return useQuery({ queryKey: keys.status, queryFn: api.status });
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
