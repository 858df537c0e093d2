/**
 * Live events applied to the query cache: each event patches exactly the data it changes, so a busy agent does
 * not make the app refetch. Only `/api/status` is refetched, for the counts no event carries (active agents,
 * backlog), at most once a second and only while a page shows it.
 */
import type {
  ActivityItem,
  AgentSummary,
  EgressRefusal,
  FileContent,
  MessageItem,
  MessageState,
  StatusResponse,
  SwarmRunDetail,
  SwarmRunView,
  TaskItem,
  TaskRunItem,
  WsEvent,
} from '@praktor/protocol';
import type { QueryClient } from '@tanstack/react-query';
import { keys } from '../api/queries';
import type { DraftStore } from './drafts';

/** How far along its lifecycle a state is; an older state never replaces a newer one. */
const STATE_RANK: Record<MessageState, number> = {
  received: 0,
  routed: 1,
  processing: 2,
  answered: 3,
  pending: 0,
  sent: 1,
  failed: 3,
  stopped: 3,
};

/**
 * `list` (sorted by id) with `message` put in its place: replaced when already there, inserted when new.
 * A copy that is behind the one held (a late REST reply after newer events) is ignored.
 */
export function upsertMessage(list: readonly MessageItem[], message: MessageItem): MessageItem[] {
  const at = list.findIndex((m) => m.id === message.id);
  if (at >= 0) {
    const held = list[at] as MessageItem;
    if (STATE_RANK[message.state] < STATE_RANK[held.state]) return list as MessageItem[];
    return list.with(at, message);
  }
  const before = list.findIndex((m) => m.id > message.id);
  return before < 0 ? [...list, message] : [...list.slice(0, before), message, ...list.slice(before)];
}

/** The ten newest messages (newest first) with `message` upserted. */
export function upsertRecent(recent: readonly MessageItem[], message: MessageItem): MessageItem[] {
  const ascending = upsertMessage([...recent].reverse(), message);
  return ascending.reverse().slice(0, 10);
}

/**
 * Whether this event announces a message newly counted for its agent. Per the lifecycle, an inbound message
 * joins its agent when routed, an answer is created pending; every later event is a change of state.
 */
export function joinsAgent(message: MessageItem): boolean {
  return message.role === 'user' ? message.state === 'routed' : message.state === 'pending';
}

/** `list` (oldest first) with `task` in its place: replaced when already there, else added by creation time. */
export function upsertTask(list: readonly TaskItem[], task: TaskItem): TaskItem[] {
  const at = list.findIndex((t) => t.id === task.id);
  if (at >= 0) return list.with(at, task);
  const before = list.findIndex((t) => t.created_at > task.created_at);
  return before < 0 ? [...list, task] : [...list.slice(0, before), task, ...list.slice(before)];
}

/**
 * `list` (newest first) with `run` put in its place. A copy still running never replaces one that has ended (a
 * late REST reply after the run's last event).
 */
export function upsertRun(list: readonly TaskRunItem[], run: TaskRunItem): TaskRunItem[] {
  const at = list.findIndex((r) => r.id === run.id);
  if (at >= 0) {
    const held = list[at] as TaskRunItem;
    if (run.status === 'running' && held.status !== 'running') return list as TaskRunItem[];
    return list.with(at, run);
  }
  const after = list.findIndex((r) => r.id < run.id);
  return after < 0 ? [...list, run] : [...list.slice(0, after), run, ...list.slice(after)];
}

/**
 * Puts a task the API answered a change with into the cache, unless the cache holds a later change of it: the
 * live event of a change can overtake the reply, and so can the events of a run that started right after.
 */
export function rememberTask(client: QueryClient, task: TaskItem): void {
  const older = (held: TaskItem | undefined) => held === undefined || held.updated_at < task.updated_at;
  client.setQueryData<TaskItem[]>(
    keys.tasks,
    (list) => list && (older(list.find((t) => t.id === task.id)) ? upsertTask(list, task) : list),
  );
  client.setQueryData<TaskItem>(keys.task(task.id), (held) => held && (older(held) ? task : held));
}

function applyTask(client: QueryClient, taskId: string, task: TaskItem | null): void {
  if (task === null) {
    client.setQueryData<TaskItem[]>(keys.tasks, (list) => list?.filter((t) => t.id !== taskId));
    // A page showing the task asks again and learns that it is gone.
    void client.invalidateQueries({ queryKey: keys.task(taskId) });
    return;
  }
  client.setQueryData<TaskItem[]>(keys.tasks, (list) => list && upsertTask(list, task));
  client.setQueryData<TaskItem>(keys.task(taskId), (held) => held && task);
}

function patchAgent(client: QueryClient, agentId: string, patch: (a: AgentSummary) => AgentSummary): void {
  client.setQueryData<AgentSummary[]>(keys.agents, (list) =>
    list?.map((a) => (a.id === agentId ? patch(a) : a)),
  );
  client.setQueryData<AgentSummary>(keys.agent(agentId), (a) => a && patch(a));
}

/** `list` (in the order things happened) with `line` added, unless it is there already (a REST reply overtook it). */
export function addActivity(list: readonly ActivityItem[], line: ActivityItem): ActivityItem[] {
  return list.some((l) => l.id === line.id) ? (list as ActivityItem[]) : [...list, line];
}

/** What the cache patcher needs besides the query client. */
export interface LiveTargets {
  client: QueryClient;
  drafts: DraftStore;
  /** Asks for `/api/status` again soon; calls close together are coalesced. */
  refreshStatus: () => void;
  /** Shows an error the gateway announced. */
  showError: (message: string, agentId: string | null) => void;
}

function applyMessage({ client, drafts, refreshStatus }: LiveTargets, message: MessageItem): void {
  if (message.in_reply_to !== null) drafts.finish(message.in_reply_to);
  // A question stopped on request (or failed) gets no answer to replace its draft. An answered one keeps its draft
  // until the answer's own event, an instant later, so the text never blinks out in between.
  if (message.role === 'user' && (message.state === 'failed' || message.state === 'stopped')) {
    drafts.finish(message.id);
  }
  refreshStatus();
  const agentId = message.agent_id;
  // Not routed yet: it belongs to no conversation; its `routed` event follows.
  if (agentId === null) return;
  client.setQueryData<MessageItem[]>(keys.messages(agentId), (list) => list && upsertMessage(list, message));
  client.setQueryData<StatusResponse>(
    keys.status,
    (s) => s && { ...s, recent_messages: upsertRecent(s.recent_messages, message) },
  );
  if (joinsAgent(message)) {
    patchAgent(client, agentId, (a) => ({
      ...a,
      message_count: a.message_count + 1,
      last_active: Math.max(a.last_active ?? 0, message.created_at),
    }));
  }
}

/** `list` (newest first) with `run` in its place, or first when new. */
export function upsertSwarmRun(list: readonly SwarmRunView[], run: SwarmRunView): SwarmRunView[] {
  const at = list.findIndex((r) => r.id === run.id);
  return at >= 0 ? list.with(at, run) : [run, ...list];
}

/** A run's detail with a piece of one member's streamed output added (only while the member runs). */
export function appendSwarmOutput(detail: SwarmRunDetail, role: string, text: string): SwarmRunDetail {
  return {
    ...detail,
    members: detail.members.map((m) =>
      m.role === role && m.status === 'running' ? { ...m, output: m.output + text } : m,
    ),
  };
}

/**
 * A run's detail brought up to `run`'s state, keeping its chat. A running member's output is stored only now and
 * then, so the streamed output held, which goes further, is kept.
 */
export function mergeSwarmRun(detail: SwarmRunDetail, run: SwarmRunView): SwarmRunDetail {
  return {
    ...run,
    chat: detail.chat,
    members: run.members.map((m) => {
      const held = detail.members.find((h) => h.role === m.role);
      const further = held && m.status === 'running' && held.output.startsWith(m.output);
      return further ? { ...m, output: held.output } : m;
    }),
  };
}

/** Applies one event from `/api/ws` to the cache and the drafts. */
export function applyEvent(targets: LiveTargets, event: WsEvent): void {
  switch (event.type) {
    case 'message':
      applyMessage(targets, event.message);
      if (event.message.spend) void targets.client.invalidateQueries({ queryKey: keys.spending });
      return;
    case 'approval':
      void targets.client.invalidateQueries({ queryKey: keys.approvals });
      return;
    case 'agent_status':
      patchAgent(targets.client, event.agent_id, (a) => ({ ...a, agent_status: event.status }));
      // What the sandbox has (its browser) is known once it has started: fetched then, once.
      if (
        event.status === 'idle' &&
        targets.client.getQueryData<AgentSummary>(keys.agent(event.agent_id))?.workbench === null
      ) {
        void targets.client.invalidateQueries({ queryKey: keys.agent(event.agent_id) });
      }
      if (event.status === 'stopped') targets.drafts.finishAgent(event.agent_id);
      targets.refreshStatus();
      return;
    case 'delta':
      targets.drafts.append(event.agent_id, event.message_id, event.text);
      return;
    case 'error':
      targets.showError(event.message, event.agent_id);
      return;
    case 'task':
      applyTask(targets.client, event.task_id, event.task);
      return;
    case 'task_run':
      targets.client.setQueryData<TaskRunItem[]>(
        keys.taskRuns(event.task_id),
        (list) => list && upsertRun(list, event.run),
      );
      return;
    case 'telegram':
      targets.client.setQueryData<StatusResponse>(
        keys.status,
        (s) => s && { ...s, telegram: event.telegram },
      );
      return;
    case 'egress_refused':
      targets.client.setQueryData<EgressRefusal[]>(
        keys.refusals(event.agent_id),
        (list) => list && [event.refusal, ...list],
      );
      return;
    case 'user_profile':
      targets.client.setQueryData<FileContent>(keys.userProfile, { content: event.content });
      return;
    case 'memory':
      void targets.client.invalidateQueries({ queryKey: keys.memories(event.agent_id) });
      return;
    case 'extensions':
      void targets.client.invalidateQueries({ queryKey: keys.extensions(event.agent_id) });
      return;
    case 'activity':
      targets.client.setQueriesData<ActivityItem[]>(
        { queryKey: keys.agentActivity(event.activity.agent_id) },
        (list) => list && addActivity(list, event.activity),
      );
      return;
    case 'swarm_run':
      targets.client.setQueryData<SwarmRunView[]>(
        keys.swarms,
        (list) => list && upsertSwarmRun(list, event.run),
      );
      targets.client.setQueryData<SwarmRunDetail>(
        keys.swarm(event.run.id),
        (detail) => detail && mergeSwarmRun(detail, event.run),
      );
      return;
    case 'swarm_output':
      targets.client.setQueryData<SwarmRunDetail>(
        keys.swarm(event.run_id),
        (detail) => detail && appendSwarmOutput(detail, event.role, event.text),
      );
      return;
    case 'swarm_chat':
      targets.client.setQueryData<SwarmRunDetail>(keys.swarm(event.run_id), (detail) =>
        detail && !detail.chat.some((m) => m.id === event.message.id)
          ? { ...detail, chat: [...detail.chat, event.message] }
          : detail,
      );
      return;
    case 'config_reloaded':
      targets.client.setQueryData<StatusResponse>(keys.status, (s) => s && { ...s, config: event.config });
      // A reload can add, remove or change agents.
      if (event.changes) void targets.client.invalidateQueries({ queryKey: keys.agents });
      return;
  }
}

/** After a reconnect events may have been missed: reload what live events would have kept current. */
export function resyncAfterGap({ client, drafts }: LiveTargets): void {
  drafts.clear();
  for (const key of [
    keys.status,
    keys.agents,
    ['agent'],
    ['messages'],
    ['activity'],
    keys.tasks,
    ['task'],
    ['task-runs'],
    ['refusals'],
    keys.spending,
    keys.approvals,
  ]) {
    void client.invalidateQueries({ queryKey: key });
  }
}

/** Calls `run` at most once per `ms`, at the end of the window, however often it is asked for. */
export function coalesce(run: () => void, ms: number): { (): void; cancel(): void } {
  let timer: ReturnType<typeof setTimeout> | null = null;
  const ask = () => {
    if (timer !== null) return;
    timer = setTimeout(() => {
      timer = null;
      run();
    }, ms);
  };
  ask.cancel = () => {
    if (timer !== null) clearTimeout(timer);
    timer = null;
  };
  return ask;
}
