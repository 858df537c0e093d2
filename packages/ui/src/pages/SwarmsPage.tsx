import type { SwarmMemberStatus, SwarmRequest, SwarmRunView, SwarmTemplate } from '@praktor/protocol';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useId, useState } from 'react';
import { api } from '../api/endpoints';
import { keys, useAgents, useSwarm, useSwarms, useSwarmTemplates } from '../api/queries';
import { ApprovalRequests } from '../components/ApprovalRequests';
import { ErrorNote } from '../components/ErrorNote';
import { Field } from '../components/Field';
import { Markdown } from '../components/Markdown';
import { PageHeader } from '../components/PageHeader';
import { SwarmGraph } from '../components/SwarmGraph';
import { formatCost, formatDuration, formatTime } from '../format';
import { usePageTitle } from '../usePageTitle';

const EMPTY: SwarmRequest = { name: 'Swarm', task: '', lead_agent: '', agents: [], synapses: [] };

/** A role name for `agentId` not taken yet in the graph. */
function freeRole(request: SwarmRequest, agentId: string): string {
  const taken = new Set(request.agents.map((a) => a.role));
  if (!taken.has(agentId)) return agentId;
  for (let n = 2; ; n++) if (!taken.has(`${agentId}-${n}`)) return `${agentId}-${n}`;
}

/** The graph editor: members, links, the lead, the task and each role's prompt; launch or save as a template. */
function SwarmEditor({ onLaunched }: { onLaunched: (run: SwarmRunView) => void }) {
  const id = useId();
  const client = useQueryClient();
  const agents = useAgents().data ?? [];
  const templates = useSwarmTemplates().data ?? [];
  const [request, setRequest] = useState<SwarmRequest>(EMPTY);
  const [agentToAdd, setAgentToAdd] = useState('');
  const [selected, setSelected] = useState<string | null>(null);
  const [link, setLink] = useState({ from: '', to: '', kind: 'pipeline' });
  const [templateName, setTemplateName] = useState('');
  const launch = useMutation({ mutationFn: api.launchSwarm, onSuccess: onLaunched });
  const save = useMutation({
    mutationFn: api.saveSwarmTemplate,
    onSuccess: () => client.invalidateQueries({ queryKey: keys.swarmTemplates }),
  });
  const roles = request.agents.map((a) => a.role);
  const member = request.agents.find((a) => a.role === selected) ?? null;
  const update = (change: Partial<SwarmRequest>) => setRequest((r) => ({ ...r, ...change }));

  const addMember = () => {
    const agentId = agentToAdd || agents[0]?.id;
    if (!agentId) return;
    const role = freeRole(request, agentId);
    update({ agents: [...request.agents, { agent_id: agentId, role, prompt: '' }] });
    if (request.agents.length === 0) update({ lead_agent: '' });
    setSelected(role);
  };
  const connect = (from: string, to: string, bidirectional: boolean) => {
    if (from === '' || to === '' || from === to) return;
    const kept = request.synapses.filter(
      (s) => !((s.from === from && s.to === to) || (s.from === to && s.to === from)),
    );
    update({ synapses: [...kept, { from, to, bidirectional }] });
  };
  const removeMember = (role: string) => {
    update({
      agents: request.agents.filter((a) => a.role !== role),
      synapses: request.synapses.filter((s) => s.from !== role && s.to !== role),
      lead_agent: request.lead_agent === role ? '' : request.lead_agent,
    });
    setSelected(null);
  };
  const loadTemplate = (template: SwarmTemplate) => {
    setRequest(template.request);
    setTemplateName(template.name);
    setSelected(null);
  };

  return (
    <section className="card swarm-editor" aria-labelledby="swarm-editor-title">
      <h2 id="swarm-editor-title">New swarm</h2>
      <div className="swarm-editor-grid">
        <div className="swarm-editor-controls">
          <Field id={`${id}-name`} label="Name">
            {(control) => (
              <input
                {...control}
                className="input"
                data-testid="swarm-name"
                value={request.name}
                onChange={(e) => update({ name: e.target.value })}
              />
            )}
          </Field>
          <Field id={`${id}-task`} label="Task">
            {(control) => (
              <textarea
                {...control}
                className="input"
                data-testid="swarm-task"
                rows={3}
                value={request.task}
                onChange={(e) => update({ task: e.target.value })}
              />
            )}
          </Field>
          <div className="swarm-row">
            <Field id={`${id}-add-agent`} label="Agent">
              {(control) => (
                <select
                  {...control}
                  className="input"
                  data-testid="swarm-add-agent"
                  value={agentToAdd}
                  onChange={(e) => setAgentToAdd(e.target.value)}
                >
                  {agents.map((a) => (
                    <option key={a.id} value={a.id}>
                      {a.id}
                    </option>
                  ))}
                </select>
              )}
            </Field>
            <button type="button" className="button" data-testid="swarm-add" onClick={addMember}>
              Add agent
            </button>
          </div>
          <div className="swarm-row">
            <RoleSelect
              label="From"
              testId="swarm-link-from"
              roles={roles}
              value={link.from}
              onChange={(from) => setLink({ ...link, from })}
            />
            <Field id={`${id}-link-kind`} label="Link">
              {(control) => (
                <select
                  {...control}
                  className="input"
                  data-testid="swarm-link-kind"
                  value={link.kind}
                  onChange={(e) => setLink({ ...link, kind: e.target.value })}
                >
                  <option value="pipeline">feeds (pipeline)</option>
                  <option value="collaborate">works with (collaborative)</option>
                </select>
              )}
            </Field>
            <RoleSelect
              label="To"
              testId="swarm-link-to"
              roles={roles}
              value={link.to}
              onChange={(to) => setLink({ ...link, to })}
            />
            <button
              type="button"
              className="button"
              data-testid="swarm-link"
              onClick={() => connect(link.from, link.to, link.kind === 'collaborate')}
            >
              Link
            </button>
          </div>
          <Field id={`${id}-lead`} label="Lead (runs last and brings the results together)">
            {(control) => (
              <select
                {...control}
                className="input"
                data-testid="swarm-lead"
                value={request.lead_agent}
                onChange={(e) => update({ lead_agent: e.target.value })}
              >
                <option value="">No lead</option>
                {roles.map((r) => (
                  <option key={r}>{r}</option>
                ))}
              </select>
            )}
          </Field>
          {member && (
            <div className="swarm-member-panel" data-testid="swarm-member-panel">
              <Field id={`${id}-prompt`} label={<>Instructions for {member.role}</>}>
                {(control) => (
                  <textarea
                    {...control}
                    className="input"
                    data-testid="swarm-role-prompt"
                    rows={2}
                    value={member.prompt}
                    onChange={(e) =>
                      update({
                        agents: request.agents.map((a) =>
                          a.role === member.role ? { ...a, prompt: e.target.value } : a,
                        ),
                      })
                    }
                  />
                )}
              </Field>
              <button
                type="button"
                className="button button-danger-quiet button-small"
                data-testid="swarm-remove"
                onClick={() => removeMember(member.role)}
              >
                Remove {member.role}
              </button>
            </div>
          )}
          <div className="swarm-row">
            <button
              type="button"
              className="button button-primary"
              data-testid="swarm-launch"
              disabled={launch.isPending || request.agents.length === 0}
              onClick={() => launch.mutate(request)}
            >
              Launch
            </button>
            <input
              className="input"
              aria-label="Template name"
              placeholder="Template name"
              data-testid="swarm-template-name"
              value={templateName}
              onChange={(e) => setTemplateName(e.target.value)}
            />
            <button
              type="button"
              className="button"
              data-testid="swarm-save-template"
              disabled={templateName.trim() === '' || request.agents.length === 0}
              onClick={() => save.mutate({ name: templateName, request })}
            >
              Save as template
            </button>
          </div>
          {launch.error && <ErrorNote error={launch.error} />}
          {save.error && <ErrorNote error={save.error} />}
          {templates.length > 0 && (
            <ul className="swarm-templates" aria-label="Templates">
              {templates.map((t) => (
                <li key={t.id}>
                  <button
                    type="button"
                    className="button button-small"
                    data-testid="swarm-template"
                    onClick={() => loadTemplate(t)}
                  >
                    {t.name}
                  </button>
                </li>
              ))}
            </ul>
          )}
        </div>
        <SwarmGraph
          testId="swarm-editor-graph"
          request={request}
          selected={selected}
          onSelect={setSelected}
          onConnect={(from, to) => connect(from, to, link.kind === 'collaborate')}
        />
      </div>
    </section>
  );
}

/** A run as it goes: the graph with each node's state, each member's output, the chat, the result. */
function SwarmRunPanel({ id }: { id: string }) {
  const { data: run, error } = useSwarm(id);
  const cancel = useMutation({ mutationFn: () => api.cancelSwarm(id) });
  if (error) return <ErrorNote error={error} />;
  if (!run) return null;
  const statuses = Object.fromEntries(run.members.map((m) => [m.role, m.status])) as Record<
    string,
    SwarmMemberStatus
  >;
  return (
    <section className="card swarm-run" data-testid="swarm-run" data-status={run.status}>
      <header className="swarm-run-head">
        <h2>
          {run.name} <span className={`swarm-status swarm-status-${run.status}`}>{run.status}</span>
        </h2>
        {run.status === 'running' && (
          <button
            type="button"
            className="button button-danger"
            data-testid="swarm-cancel"
            disabled={cancel.isPending}
            onClick={() => cancel.mutate()}
          >
            Cancel
          </button>
        )}
      </header>
      {run.error && <p className="task-error">{run.error}</p>}
      <ApprovalRequests swarmRunId={run.id} />
      <SwarmGraph testId="swarm-run-graph" request={run.request} statuses={statuses} />
      {run.result && (
        <div className="swarm-result" data-testid="swarm-result">
          <h3>Result</h3>
          <Markdown text={run.result} />
        </div>
      )}
      <div className="swarm-outputs">
        {run.members.map((m) => (
          <details key={m.role} open={m.status === 'running'} data-testid="swarm-output" data-role={m.role}>
            <summary>
              {m.role} · {m.status}
              {m.cost_usd !== null && ` · ${formatCost(m.cost_usd)}`}
            </summary>
            <pre className="swarm-output-text">{m.output || m.error || '…'}</pre>
          </details>
        ))}
      </div>
      {run.chat.length > 0 && (
        <div className="swarm-chat" data-testid="swarm-chat">
          <h3>Collaboration</h3>
          <ul>
            {run.chat.map((m) => (
              <li key={m.id}>
                <strong>{m.from}</strong>: {m.content}
              </li>
            ))}
          </ul>
        </div>
      )}
    </section>
  );
}

/** Earlier runs: status, how long they took, what they cost. */
function SwarmHistory({ runs, onOpen }: { runs: SwarmRunView[]; onOpen: (id: string) => void }) {
  if (runs.length === 0) return <p className="muted">No swarm has run yet.</p>;
  return (
    <table className="swarm-history" data-testid="swarm-history">
      <thead>
        <tr>
          <th>Swarm</th>
          <th>Status</th>
          <th>Started</th>
          <th>Duration</th>
          <th>Cost</th>
        </tr>
      </thead>
      <tbody>
        {runs.map((r) => (
          <tr key={r.id} data-testid="swarm-history-row" data-status={r.status}>
            <td>
              <button type="button" className="link-button" onClick={() => onOpen(r.id)}>
                {r.name}
              </button>
            </td>
            <td>{r.status}</td>
            <td>{formatTime(r.created_at)}</td>
            <td data-testid="swarm-duration">
              {r.completed_at === null ? '—' : formatDuration(r.completed_at - r.created_at)}
            </td>
            <td data-testid="swarm-cost">{formatCost(r.cost_usd)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** Swarms: build a graph of agents, launch it, watch it run, and look back at earlier runs. */
/** A choice among the graph's roles (or none), for one end of a link. */
function RoleSelect({
  label,
  testId,
  roles,
  value,
  onChange,
}: {
  label: string;
  testId: string;
  roles: readonly string[];
  value: string;
  onChange: (role: string) => void;
}) {
  const id = useId();
  return (
    <Field id={id} label={label}>
      {(control) => (
        <select
          {...control}
          className="input"
          data-testid={testId}
          value={value}
          onChange={(e) => onChange(e.target.value)}
        >
          <option value="">—</option>
          {roles.map((r) => (
            <option key={r}>{r}</option>
          ))}
        </select>
      )}
    </Field>
  );
}

export function SwarmsPage() {
  usePageTitle('Swarms');
  const runs = useSwarms().data ?? [];
  const [open, setOpen] = useState<string | null>(null);
  return (
    <>
      <PageHeader
        title="Swarms"
        subtitle="Several agents on one task: in parallel, in sequence, or together."
      />
      <SwarmEditor onLaunched={(run) => setOpen(run.id)} />
      {open && <SwarmRunPanel id={open} />}
      <section className="card" aria-labelledby="swarm-history-title">
        <h2 id="swarm-history-title">Runs</h2>
        <SwarmHistory runs={runs} onOpen={setOpen} />
      </section>
    </>
  );
}
