import type { AgentSummary } from '@praktor/protocol';
import { Link } from 'react-router';
import { formatAgo, formatFullTime } from '../format';
import { AgentControls } from './AgentControls';
import { StatusBadge } from './StatusBadge';

/** "3 min ago", or "never" for an agent without messages. */
export function LastActive({ at, now }: { at: number | null; now: number }) {
  if (at === null) return <span className="muted">never</span>;
  return (
    <time dateTime={new Date(at).toISOString()} title={formatFullTime(at)}>
      {formatAgo(at, now)}
    </time>
  );
}

/** An agent on the Agents page: who it is, its live state, and Start/Stop. */
export function AgentCard({ agent, now }: { agent: AgentSummary; now: number }) {
  const path = encodeURIComponent(agent.id);
  return (
    <article
      className="card agent-card"
      data-testid="agent-card"
      data-agent-id={agent.id}
      aria-labelledby={`agent-${path}`}
    >
      <header className="agent-card-head">
        <h2 id={`agent-${path}`} className="card-title">
          <Link to={`/agents/${path}`}>{agent.name}</Link>
        </h2>
        {agent.default_agent && <span className="badge badge-accent">Default</span>}
        <StatusBadge status={agent.agent_status} />
      </header>
      <p className="agent-description">
        {agent.description || <span className="muted">No description.</span>}
      </p>
      <dl className="facts">
        <div>
          <dt>Model</dt>
          <dd className="mono">{agent.model}</dd>
        </div>
        <div>
          <dt>Messages</dt>
          <dd data-testid="agent-message-count">{agent.message_count}</dd>
        </div>
        <div>
          <dt>Last active</dt>
          <dd>
            <LastActive at={agent.last_active} now={now} />
          </dd>
        </div>
      </dl>
      <footer className="agent-card-foot">
        <AgentControls agent={agent} />
        <Link to={`/conversations/${path}`} className="button button-small">
          Open conversation
        </Link>
      </footer>
    </article>
  );
}
