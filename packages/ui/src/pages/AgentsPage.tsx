import { useAgents } from '../api/queries';
import { AgentCard } from '../components/AgentCard';
import { ErrorNote } from '../components/ErrorNote';
import { PageHeader } from '../components/PageHeader';
import { useNow } from '../useNow';
import { usePageTitle } from '../usePageTitle';

/** Every configured agent as a card with its live state and Start/Stop. */
export function AgentsPage() {
  const agents = useAgents();
  const now = useNow(30_000);
  usePageTitle('Agents');
  return (
    <>
      <PageHeader
        title="Agents"
        subtitle="The agents in praktor.yaml. Each runs in its own sandbox when needed."
      />
      {agents.isPending && <p className="muted">Loading agents…</p>}
      {agents.isError && <ErrorNote error={agents.error} prefix="Could not load the agents" />}
      {agents.data && (
        <div className="card-grid">
          {agents.data.map((agent) => (
            <AgentCard key={agent.id} agent={agent} now={now} />
          ))}
        </div>
      )}
    </>
  );
}
