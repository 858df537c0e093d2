import type { AgentSummary } from '@praktor/protocol';
import { useMutation } from '@tanstack/react-query';
import { api } from '../api/endpoints';
import { ErrorNote } from './ErrorNote';
import { Icon } from './Icon';

/**
 * Start and Stop for one agent. The badge changes when the gateway announces the new state, not when the
 * request returns, so the buttons never claim more than the gateway has done.
 */
export function AgentControls({ agent }: { agent: AgentSummary }) {
  const control = useMutation({
    mutationFn: (action: 'start' | 'stop') =>
      action === 'start' ? api.startAgent(agent.id) : api.stopAgent(agent.id),
  });
  const stopped = agent.agent_status === 'stopped';
  return (
    <div className="agent-controls">
      <div className="button-row">
        <button
          type="button"
          className="button"
          data-testid="agent-start"
          aria-label={`Start ${agent.name}`}
          disabled={!stopped || control.isPending}
          onClick={() => control.mutate('start')}
        >
          <Icon name="play" size={14} /> Start
        </button>
        <button
          type="button"
          className="button"
          data-testid="agent-stop"
          aria-label={`Stop ${agent.name}`}
          disabled={stopped || control.isPending}
          onClick={() => control.mutate('stop')}
        >
          <Icon name="stop" size={14} /> Stop
        </button>
      </div>
      {control.isError && (
        <ErrorNote
          error={control.error}
          prefix={`Could not ${control.variables === 'start' ? 'start' : 'stop'} ${agent.name}`}
        />
      )}
    </div>
  );
}
