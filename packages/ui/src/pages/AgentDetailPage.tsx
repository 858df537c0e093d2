import { useMemo } from 'react';
import { Link, useParams, useSearchParams } from 'react-router';
import { ApiError } from '../api/client';
import { api } from '../api/endpoints';
import { keys, useAgent } from '../api/queries';
import { LastActive } from '../components/AgentCard';
import { AgentControls } from '../components/AgentControls';
import { EgressRefusals } from '../components/EgressRefusals';
import { ErrorNote } from '../components/ErrorNote';
import { ExtensionsPanel } from '../components/ExtensionsPanel';
import { type EditableFile, FileEditor } from '../components/FileEditor';
import { MemoryPanel } from '../components/MemoryPanel';
import { PageHeader } from '../components/PageHeader';
import { StatusBadge } from '../components/StatusBadge';
import { WorkbenchCard } from '../components/WorkbenchCard';
import { useNow } from '../useNow';
import { usePageTitle } from '../usePageTitle';

/** The agent page's tabs; the chosen one is in the address (`?tab=memory`), so a link or a reload keeps it. */
const TABS = [
  ['overview', 'Overview'],
  ['memory', 'Memory'],
  ['extensions', 'Extensions'],
] as const;
type Tab = (typeof TABS)[number][0];

/** One agent in full: its details and identity file AGENT.md to edit on one tab, its memory and its extensions on others. */
export function AgentDetailPage() {
  const id = useParams().id ?? '';
  const agent = useAgent(id);
  const now = useNow(30_000);
  const [params, setParams] = useSearchParams();
  const tab: Tab = TABS.find(([value]) => value === params.get('tab'))?.[0] ?? 'overview';
  usePageTitle(`${id} · Agents`);
  const agentMd = useMemo<EditableFile>(
    () => ({
      name: 'AGENT.md',
      queryKey: keys.agentMd(id),
      load: () => api.agentMd(id),
      save: (content) => api.saveAgentMd(id, content),
      testId: 'agent-md',
    }),
    [id],
  );

  if (agent.isError && !agent.data) {
    const missing = agent.error instanceof ApiError && agent.error.status === 404;
    return (
      <>
        <PageHeader title={missing ? 'No such agent' : 'Agent'} />
        {missing ? (
          <p>
            There is no agent called <code>{id}</code>. <Link to="/agents">See all agents</Link>.
          </p>
        ) : (
          <ErrorNote error={agent.error} prefix="Could not load the agent" />
        )}
      </>
    );
  }
  if (!agent.data) return <p className="muted">Loading…</p>;
  const a = agent.data;

  return (
    <>
      <nav aria-label="Breadcrumb" className="breadcrumb">
        <Link to="/agents">Agents</Link> <span aria-hidden="true">/</span>{' '}
        <span aria-current="page">{a.name}</span>
      </nav>
      <PageHeader
        title={
          <span className="title-with-badges">
            {a.name}
            {a.default_agent && <span className="badge badge-accent">Default</span>}
            <StatusBadge status={a.agent_status} />
          </span>
        }
        subtitle={a.description || 'No description.'}
        actions={
          <Link to={`/conversations/${encodeURIComponent(a.id)}`} className="button">
            Open conversation
          </Link>
        }
      />
      <div className="segmented agent-tabs" role="tablist" aria-label="Agent">
        {TABS.map(([value, label]) => (
          <button
            key={value}
            type="button"
            role="tab"
            id={`agent-tab-${value}`}
            className="segment"
            aria-selected={tab === value}
            aria-controls={`agent-panel-${value}`}
            onClick={() => setParams(value === 'overview' ? {} : { tab: value })}
            data-testid={`agent-tab-${value}`}
          >
            {label}
          </button>
        ))}
      </div>
      <div role="tabpanel" id={`agent-panel-${tab}`} aria-labelledby={`agent-tab-${tab}`}>
        {tab === 'overview' ? (
          <div className="detail-grid">
            <section className="card" aria-labelledby="agent-facts">
              <h2 id="agent-facts" className="card-title">
                Details
              </h2>
              <dl className="facts facts-stacked">
                <div>
                  <dt>ID</dt>
                  <dd className="mono" data-testid="agent-id">
                    {a.id}
                  </dd>
                </div>
                <div>
                  <dt>Model</dt>
                  <dd className="mono">{a.model}</dd>
                </div>
                <div>
                  <dt>Workspace</dt>
                  <dd className="mono">{a.workspace}</dd>
                </div>
                <div>
                  <dt>Runtime</dt>
                  <dd>{a.runtime}</dd>
                </div>
                <div>
                  <dt>Status</dt>
                  <dd>
                    <StatusBadge status={a.agent_status} />
                  </dd>
                </div>
                <div>
                  <dt>Messages</dt>
                  <dd>{a.message_count}</dd>
                </div>
                <div>
                  <dt>Last active</dt>
                  <dd>
                    <LastActive at={a.last_active} now={now} />
                  </dd>
                </div>
              </dl>
              <AgentControls agent={a} />
            </section>
            <FileEditor
              key={id}
              file={agentMd}
              hint="The agent's identity and instructions. Changes apply from its next message."
            />
            <WorkbenchCard agent={a} />
            <EgressRefusals agentId={a.id} />
          </div>
        ) : tab === 'memory' ? (
          <MemoryPanel key={`memory-${id}`} agentId={id} />
        ) : (
          <ExtensionsPanel key={`extensions-${id}`} agentId={id} />
        )}
      </div>
    </>
  );
}
