import type { ReactNode } from 'react';
import { NavLink, useParams } from 'react-router';
import { useAgents } from '../api/queries';
import { LastActive } from '../components/AgentCard';
import { Conversation } from '../components/Conversation';
import { ErrorNote } from '../components/ErrorNote';
import { StatusBadge } from '../components/StatusBadge';
import { useNow } from '../useNow';
import { usePageTitle } from '../usePageTitle';

/**
 * Agents on the left, the chosen agent's conversation on the right. On a phone they are two screens: the list at
 * `/conversations`, the chat at `/conversations/:agentId` with a way back.
 */
export function ConversationsPage() {
  const { agentId } = useParams();
  const agents = useAgents();
  const now = useNow(30_000);
  usePageTitle(agentId ? `${agentId} · Conversations` : 'Conversations');
  const selected = agents.data?.find((a) => a.id === agentId);

  let panel: ReactNode;
  if (agentId === undefined) {
    panel = <p className="muted chat-placeholder">Choose an agent to see your conversation with it.</p>;
  } else if (selected) {
    panel = <Conversation key={selected.id} agent={selected} />;
  } else if (agents.data) {
    panel = (
      <p className="chat-placeholder">
        There is no agent called <code>{agentId}</code>.
      </p>
    );
  }

  return (
    <div className={`conversations${agentId === undefined ? '' : ' conversations-open'}`}>
      <nav className="conv-list card" aria-label="Conversations">
        <h1 className="conv-list-title">Conversations</h1>
        {agents.isError && <ErrorNote error={agents.error} prefix="Could not load the agents" />}
        <ul>
          {agents.data?.map((a) => (
            <li key={a.id}>
              <NavLink
                to={`/conversations/${encodeURIComponent(a.id)}`}
                className="conv-link"
                data-testid="conversation-link"
                data-agent-id={a.id}
              >
                <span className="conv-link-top">
                  <span className="conv-name">{a.name}</span>
                  <StatusBadge status={a.agent_status} />
                </span>
                <span className="conv-link-bottom muted">
                  {a.message_count} {a.message_count === 1 ? 'message' : 'messages'} ·{' '}
                  <LastActive at={a.last_active} now={now} />
                </span>
              </NavLink>
            </li>
          ))}
        </ul>
      </nav>
      <div className="conv-panel card">{panel}</div>
    </div>
  );
}
