import type { AgentSummary, NixCommand } from '@praktor/protocol';
import { useMutation } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { api } from '../api/endpoints';
import { ErrorNote } from './ErrorNote';

/** Where the agent's browser stands: the runner reports it when the sandbox starts. */
function browserText(agent: AgentSummary): string {
  if (agent.workbench === null) return 'known once the agent has started';
  return agent.workbench.browser ?? 'none: install Chromium where the agent runs';
}

/** Whether the agent has nix where it runs; when it asked for it and has none, why and how to enable it. */
function nixText(agent: AgentSummary): string {
  if (agent.nix_enabled)
    return agent.runtime === 'docker' ? 'on: a nix store of its own' : 'on: the host’s nix';
  return agent.nix_problem ?? 'off (nix_enabled: true turns it on)';
}

/** The agent's nix packages: listed on request (the sandbox answers), each removable by name. */
function NixPackages({ agentId }: { agentId: string }) {
  const [name, setName] = useState('');
  const run = useMutation({ mutationFn: (command: NixCommand) => api.nix(agentId, command) });
  const remove = (event: FormEvent) => {
    event.preventDefault();
    const packages = name.split(/\s+/).filter((p) => p !== '');
    if (packages.length > 0) run.mutate({ action: 'remove', packages }, { onSuccess: () => setName('') });
  };
  return (
    <div className="nix-packages">
      <button
        type="button"
        className="button button-small"
        disabled={run.isPending}
        onClick={() => run.mutate({ action: 'list', packages: [] })}
        data-testid="nix-list"
      >
        Show installed packages
      </button>
      {run.data && (
        <pre className={run.data.ok ? 'nix-output' : 'nix-output nix-failed'} data-testid="nix-output">
          {run.data.text}
        </pre>
      )}
      {run.isError && <ErrorNote error={run.error} prefix="Nix did not answer" />}
      <form className="nix-remove" onSubmit={remove}>
        <label htmlFor={`nix-remove-${agentId}`}>Remove packages</label>
        <input
          id={`nix-remove-${agentId}`}
          className="input"
          value={name}
          placeholder="ripgrep"
          onChange={(event) => setName(event.target.value)}
        />
        <button type="submit" className="button button-small" disabled={run.isPending || name.trim() === ''}>
          Remove
        </button>
      </form>
    </div>
  );
}

/** What the agent works with beside its model: its image, its browser and its nix packages. */
export function WorkbenchCard({ agent }: { agent: AgentSummary }) {
  return (
    <section className="card" aria-labelledby="agent-workbench" data-testid="workbench-card">
      <h2 id="agent-workbench" className="card-title">
        Workbench
      </h2>
      <dl className="facts facts-stacked">
        <div>
          <dt>Image</dt>
          <dd className="mono">{agent.image ?? 'none: runs in the local sandbox, with the host’s tools'}</dd>
        </div>
        <div>
          <dt>Browser</dt>
          <dd className="mono" data-testid="workbench-browser">
            {browserText(agent)}
          </dd>
        </div>
        <div>
          <dt>Nix</dt>
          <dd data-testid="workbench-nix">{nixText(agent)}</dd>
        </div>
      </dl>
      {agent.nix_enabled && <NixPackages agentId={agent.id} />}
    </section>
  );
}
