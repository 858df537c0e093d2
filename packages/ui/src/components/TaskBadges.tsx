import type { AgentSummary, TaskItem, TaskRunStatus } from '@praktor/protocol';

const RUN_LABEL: Record<TaskRunStatus, string> = {
  running: 'Running',
  ok: 'OK',
  error: 'Failed',
  interrupted: 'Interrupted',
  skipped: 'Skipped',
};

/** How a run went (or goes), as a coloured pill. */
export function RunStatusBadge({
  status,
  testId = 'run-status',
}: {
  status: TaskRunStatus;
  testId?: string;
}) {
  return (
    <span className={`badge run-status run-status-${status}`} data-testid={testId} data-status={status}>
      <span className="status-dot" aria-hidden="true" />
      {RUN_LABEL[status]}
    </span>
  );
}

/** Paused or Completed for a task that does not run on its schedule; nothing for an active one. */
export function TaskStateBadge({ task }: { task: TaskItem }) {
  if (task.status === 'active') return null;
  return (
    <span
      className={`badge task-state task-${task.status}`}
      data-testid="task-state"
      data-state={task.status}
    >
      {task.status === 'paused' ? 'Paused' : 'Completed'}
    </span>
  );
}

/** The agent a task belongs to, by its configured name; marked when it is no longer configured. */
export function TaskAgent({ task, agents }: { task: TaskItem; agents: AgentSummary[] | undefined }) {
  const agent = agents?.find((a) => a.id === task.agent_id);
  const stray = task.agent_name === null;
  return (
    <span
      className={`chip${stray ? ' chip-stray' : ''}`}
      data-testid="task-agent-name"
      title={stray ? 'Not in praktor.yaml: its runs fail until it gets another agent' : undefined}
    >
      {agent?.name ?? task.agent_id}
    </span>
  );
}
