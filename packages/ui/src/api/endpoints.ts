/**
 * Mission Control's REST API, one typed function per endpoint.
 */
import type {
  ActivityItem,
  AgentExtensions,
  AgentInterruptReply,
  AgentStopReply,
  AgentSummary,
  ApprovalAnswer,
  ApprovalItem,
  BudgetItem,
  ChatFile,
  CostGrouping,
  CostsResponse,
  CreateSecretRequest,
  CreateTaskRequest,
  DeleteCompletedReply,
  DoctorReport,
  EgressRefusal,
  ExtensionsReply,
  FileContent,
  MemoriesResponse,
  MemoryItem,
  MessageItem,
  NixCommand,
  NixCommandReply,
  PairingApproveReply,
  PairingList,
  SecretItem,
  StatusReply,
  StatusResponse,
  SwarmRequest,
  SwarmRunDetail,
  SwarmRunView,
  SwarmTemplate,
  SwarmTemplateInput,
  TaskItem,
  TaskRunItem,
  UpdateSecretRequest,
  UpdateTaskRequest,
} from '@praktor/protocol';
import { ApiError, request } from './client';

/** Whether signing in is needed: `off` (no password configured), `ok` (signed in) or `required`. */
export type AuthState = 'off' | 'ok' | 'required';

/** How many messages a conversation loads at a time. */
export const PAGE_SIZE = 100;

const agentPath = (id: string) => `/agents/definitions/${encodeURIComponent(id)}`;
const secretPath = (name: string) => `/secrets/${encodeURIComponent(name)}`;
const taskPath = (id: string) => `/tasks/${encodeURIComponent(id)}`;

/** How many runs of a task its history shows. */
export const RUNS_SHOWN = 50;

export const api = {
  async authCheck(): Promise<AuthState> {
    try {
      const body = await request<StatusReply | undefined>('GET', '/auth/check', { expect401: true });
      return body === undefined ? 'off' : 'ok';
    } catch (err) {
      if (err instanceof ApiError && err.status === 401) return 'required';
      throw err;
    }
  },
  login: (password: string) =>
    request<StatusReply>('POST', '/login', { body: { password }, expect401: true }),
  logout: () => request<StatusReply>('POST', '/logout'),

  status: () => request<StatusResponse>('GET', '/status'),
  doctor: () => request<DoctorReport>('GET', '/doctor'),

  pairing: () => request<PairingList>('GET', '/pairing'),
  approvePairing: (code: string) =>
    request<PairingApproveReply>('POST', `/pairing/${encodeURIComponent(code)}/approve`),
  revokePairing: (userId: number) => request<StatusReply>('DELETE', `/pairing/users/${userId}`),

  agents: () => request<AgentSummary[]>('GET', '/agents/definitions'),
  agent: (id: string) => request<AgentSummary>('GET', agentPath(id)),
  startAgent: (id: string) => request<StatusReply>('POST', `${agentPath(id)}/start`),
  stopAgent: (id: string) => request<AgentStopReply>('POST', `${agentPath(id)}/stop`),
  /** Stops the agent's answer and drops its waiting messages, as `/stop` does; the sandbox keeps running. */
  interruptAgent: (id: string) => request<AgentInterruptReply>('POST', `${agentPath(id)}/interrupt`),
  /** Starts a new conversation with the agent, as `/reset` does. */
  resetConversation: (id: string) => request<StatusReply>('POST', `${agentPath(id)}/reset`),
  /** Lists the agent's nix packages, or removes some, as `/nix` does. */
  nix: (id: string, command: NixCommand) =>
    request<NixCommandReply>('POST', `${agentPath(id)}/nix`, { body: command }),

  agentMd: (id: string) => request<FileContent>('GET', `${agentPath(id)}/agent-md`),
  saveAgentMd: (id: string, content: string) =>
    request<StatusReply>('PUT', `${agentPath(id)}/agent-md`, { body: { content } }),

  messages(id: string, before?: number): Promise<MessageItem[]> {
    const query = new URLSearchParams({ limit: String(PAGE_SIZE) });
    if (before !== undefined) query.set('before', String(before));
    return request<MessageItem[]>('GET', `${agentPath(id)}/messages?${query}`);
  },
  sendMessage: (id: string, body: { text: string; files?: ChatFile[] }) =>
    request<{ message: MessageItem }>('POST', `${agentPath(id)}/messages`, { body }),

  /** The connections the gateway's internet proxy refused this agent recently, newest first. */
  refusals: (agentId: string) =>
    request<EgressRefusal[]>('GET', `/egress/refusals?${new URLSearchParams({ agent_id: agentId })}`),
  searchMessages: (id: string, q: string) =>
    request<MessageItem[]>('GET', `${agentPath(id)}/messages/search?${new URLSearchParams({ q })}`),

  memories: (id: string, q: string) =>
    request<MemoriesResponse>('GET', `${agentPath(id)}/memories${q ? `?${new URLSearchParams({ q })}` : ''}`),
  saveMemory: (id: string, key: string, body: { content: string; tags: string }) =>
    request<MemoryItem>('PUT', `${agentPath(id)}/memories/${encodeURIComponent(key)}`, { body }),
  deleteMemory: (id: string, key: string) =>
    request<StatusReply>('DELETE', `${agentPath(id)}/memories/${encodeURIComponent(key)}`),

  /** The agent's extensions and what its sandbox last reported of them. */
  extensions: (id: string) => request<ExtensionsReply>('GET', `${agentPath(id)}/extensions`),
  saveExtensions: (id: string, body: AgentExtensions) =>
    request<StatusReply>('PUT', `${agentPath(id)}/extensions`, { body }),

  /** What the agent did (tool calls, retried API errors) while answering the messages from id `since` on. */
  activity: (id: string, since: number) =>
    request<ActivityItem[]>(
      'GET',
      `${agentPath(id)}/activity?${new URLSearchParams({ since: String(since) })}`,
    ),
  userProfile: () => request<FileContent>('GET', '/user-profile'),
  saveUserProfile: (content: string) => request<StatusReply>('PUT', '/user-profile', { body: { content } }),

  // The vault: no answer carries a value, so none can be shown once saved.
  secrets: () => request<SecretItem[]>('GET', '/secrets'),
  createSecret: (body: CreateSecretRequest) => request<SecretItem>('POST', '/secrets', { body }),
  updateSecret: (name: string, body: UpdateSecretRequest) =>
    request<SecretItem>('PUT', secretPath(name), { body }),
  deleteSecret: (name: string) => request<StatusReply>('DELETE', secretPath(name)),

  // Swarms. Runs change on the live feed (swarm_run, swarm_output, swarm_chat).
  swarms: () => request<SwarmRunView[]>('GET', '/swarms'),
  swarm: (id: string) => request<SwarmRunDetail>('GET', `/swarms/${encodeURIComponent(id)}`),
  launchSwarm: (body: SwarmRequest) => request<SwarmRunView>('POST', '/swarms', { body }),
  cancelSwarm: (id: string) => request<SwarmRunView>('POST', `/swarms/${encodeURIComponent(id)}/cancel`),
  swarmTemplates: () => request<SwarmTemplate[]>('GET', '/swarms/templates'),
  saveSwarmTemplate: (body: SwarmTemplateInput) =>
    request<SwarmTemplate>('POST', '/swarms/templates', { body }),
  deleteSwarmTemplate: (id: string) =>
    request<StatusReply>('DELETE', `/swarms/templates/${encodeURIComponent(id)}`),
  // Scheduled tasks. Every change is also announced on the live feed, which keeps the lists current.
  tasks: () => request<TaskItem[]>('GET', '/tasks'),
  task: (id: string) => request<TaskItem>('GET', taskPath(id)),
  createTask: (body: CreateTaskRequest) => request<TaskItem>('POST', '/tasks', { body }),
  updateTask: (id: string, body: UpdateTaskRequest) => request<TaskItem>('PUT', taskPath(id), { body }),
  deleteTask: (id: string) => request<StatusReply>('DELETE', taskPath(id)),
  deleteCompletedTasks: () => request<DeleteCompletedReply>('DELETE', '/tasks/completed'),
  pauseTask: (id: string) => request<TaskItem>('POST', `${taskPath(id)}/pause`),
  resumeTask: (id: string) => request<TaskItem>('POST', `${taskPath(id)}/resume`),
  runTask: (id: string) => request<TaskItem>('POST', `${taskPath(id)}/run`),
  taskRuns: (id: string) => request<TaskRunItem[]>('GET', `${taskPath(id)}/runs?limit=${RUNS_SHOWN}`),

  /** This month's spend so far, grouped. */
  costs: (group: CostGrouping) => request<CostsResponse>('GET', `/costs?group=${group}`),
  budgets: () => request<BudgetItem[]>('GET', '/budgets'),
  /** Requests waiting for an answer. */
  approvals: () => request<ApprovalItem[]>('GET', '/approvals'),
  decideApproval: (id: string, answer: ApprovalAnswer) =>
    request<ApprovalItem>('POST', `/approvals/${encodeURIComponent(id)}`, { body: { answer } }),
};
