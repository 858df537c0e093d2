import type { AgentStatus } from '@praktor/protocol';

const LABEL: Record<AgentStatus, string> = {
  stopped: 'Stopped',
  starting: 'Starting',
  idle: 'Idle',
  busy: 'Working',
};

/** An agent's live state as a coloured pill. */
export function StatusBadge({ status }: { status: AgentStatus }) {
  return (
    <span className={`badge status status-${status}`} data-testid="agent-status" data-status={status}>
      <span className="status-dot" aria-hidden="true" />
      {LABEL[status]}
    </span>
  );
}
