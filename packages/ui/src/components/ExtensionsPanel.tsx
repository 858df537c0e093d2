import type { AgentExtensions, ExtensionStatus, McpServer, Skill } from '@praktor/protocol';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useId, useState } from 'react';
import { api } from '../api/endpoints';
import { keys } from '../api/queries';
import { ErrorNote } from './ErrorNote';
import { Field } from './Field';
import { McpServerForm } from './McpServerForm';
import { MarketplaceForm, PluginForm } from './PluginForms';
import { SkillForm } from './SkillForm';

/** Where a save was made from: its refusal is shown there. `list` is a row's button (remove, enable, disable). */
type Origin = 'server' | 'skill' | 'marketplace' | 'plugin' | 'json' | 'list';

/** The server or skill form that is open: `name` null for a new one. */
type OpenForm = { kind: 'server' | 'skill'; name: string | null } | null;

/** `map` with the entry `old` (null: none) replaced by `name`, in its place, or `name` added at the end. */
function put<T>(map: Record<string, T>, old: string | null, name: string, value: T): Record<string, T> {
  if (old === null) return { ...map, [name]: value };
  return Object.fromEntries(Object.entries(map).map(([key, v]) => (key === old ? [name, value] : [key, v])));
}

const without = <T,>(map: Record<string, T>, name: string) =>
  Object.fromEntries(Object.entries(map).filter(([key]) => key !== name));

/** One MCP server with what the sandbox last reported of it. */
function ServerRow({
  name,
  server,
  report,
  onEdit,
  onRemove,
}: {
  name: string;
  server: McpServer;
  report: ExtensionStatus['mcp_servers'][number] | undefined;
  onEdit: () => void;
  onRemove: () => void;
}) {
  const state = report?.status ?? 'not started yet';
  return (
    <li className="memory" data-testid="server" data-name={name}>
      <div className="memory-head">
        <span className="mono memory-key">{name}</span>
        <span className={`badge ${state === 'connected' ? 'badge-accent' : ''}`} data-testid="server-status">
          {state}
        </span>
      </div>
      <p className="mono muted">
        {server.type === 'stdio' ? [server.command, ...(server.args ?? [])].join(' ') : server.url}
      </p>
      {report?.error && (
        <p className="error-note" data-testid="server-error">
          {report.error}
        </p>
      )}
      {report && report.tools.length > 0 && <p className="muted">Tools: {report.tools.join(', ')}</p>}
      <div className="memory-actions">
        <button type="button" className="button button-small" onClick={onEdit} data-testid="server-edit">
          Edit
        </button>
        <button
          type="button"
          className="button button-small button-danger-quiet"
          onClick={onRemove}
          data-testid="server-remove"
        >
          Remove
        </button>
      </div>
    </li>
  );
}

/** One skill, and whether the sandbox has it in its skills folder. */
function SkillRow({
  name,
  skill,
  installed,
  onEdit,
  onRemove,
}: {
  name: string;
  skill: Skill;
  /** Null before the sandbox first reported. */
  installed: boolean | null;
  onEdit: () => void;
  onRemove: () => void;
}) {
  const files = Object.keys(skill.files ?? {}).length;
  return (
    <li className="memory" data-testid="skill" data-name={name}>
      <div className="memory-head">
        <span className="mono memory-key">{name}</span>
        <span className={`badge ${installed ? 'badge-accent' : ''}`} data-testid="skill-status">
          {installed ? 'installed' : 'not installed yet'}
        </span>
      </div>
      <p className="muted">
        {skill.description}
        {files > 0 && ` (${files === 1 ? '1 file' : `${files} files`} besides SKILL.md)`}
      </p>
      <div className="memory-actions">
        <button type="button" className="button button-small" onClick={onEdit} data-testid="skill-edit">
          Edit
        </button>
        <button
          type="button"
          className="button button-small button-danger-quiet"
          onClick={onRemove}
          data-testid="skill-remove"
        >
          Remove
        </button>
      </div>
    </li>
  );
}

/**
 * An agent's extensions: MCP servers (with their connection state and errors, live), skills, marketplaces and
 * plugins, each added, edited and removed here, and the whole as JSON for what the forms do not cover. Every change
 * is saved at once and takes effect at the agent's next message; the API's refusal is shown where it was made.
 */
export function ExtensionsPanel({ agentId }: { agentId: string }) {
  const client = useQueryClient();
  const jsonId = useId();
  const loaded = useQuery({ queryKey: keys.extensions(agentId), queryFn: () => api.extensions(agentId) });
  const [open, setOpen] = useState<OpenForm>(null);
  const [json, setJson] = useState<string | null>(null);
  const save = useMutation({
    mutationFn: ({ next }: { next: AgentExtensions; origin: Origin }) => api.saveExtensions(agentId, next),
    onSuccess: (_reply, { origin }) => {
      if (origin === 'server' || origin === 'skill') setOpen(null);
      if (origin === 'json') setJson(null);
      void client.invalidateQueries({ queryKey: keys.extensions(agentId) });
    },
  });
  const errorOf = (origin: Origin) => (save.isError && save.variables.origin === origin ? save.error : null);
  const jsonError = (() => {
    if (json === null) return null;
    try {
      JSON.parse(json);
      return null;
    } catch (err) {
      return err instanceof Error ? err.message : String(err);
    }
  })();

  if (loaded.isError) return <ErrorNote error={loaded.error} prefix="Could not load the extensions" />;
  if (!loaded.data) return <p className="muted">Loading…</p>;
  const { _status, ...current } = loaded.data;
  const status = 'reported_at' in _status ? (_status as ExtensionStatus) : null;
  const servers = current.mcp_servers ?? {};
  const skills = current.skills ?? {};
  const marketplaces = current.marketplaces ?? [];
  const plugins = current.plugins ?? [];
  const change = (next: Partial<AgentExtensions>, origin: Origin) =>
    save.mutate({ next: { ...current, ...next }, origin });
  const openForm = (form: OpenForm) => {
    save.reset();
    setOpen(form);
  };
  const listError = errorOf('list');
  const jsonSaveError = errorOf('json');
  const isOpen = (kind: 'server' | 'skill', name: string | null) => open?.kind === kind && open.name === name;

  const serverForm = (name: string | null) => (
    <McpServerForm
      {...(name !== null ? { initial: { name, server: servers[name] as McpServer } } : {})}
      taken={Object.keys(servers).filter((key) => key !== name)}
      error={errorOf('server')}
      pending={save.isPending}
      onSave={(next, server) => change({ mcp_servers: put(servers, name, next, server) }, 'server')}
      onCancel={() => openForm(null)}
    />
  );
  const skillForm = (name: string | null) => (
    <SkillForm
      {...(name !== null ? { initial: { name, skill: skills[name] as Skill } } : {})}
      taken={Object.keys(skills).filter((key) => key !== name)}
      error={errorOf('skill')}
      pending={save.isPending}
      onSave={(next, skill) => change({ skills: put(skills, name, next, skill) }, 'skill')}
      onCancel={() => openForm(null)}
    />
  );

  return (
    <section
      className="card memory-panel extensions-panel"
      aria-labelledby="agent-extensions"
      data-testid="extensions-panel"
    >
      <h2 id="agent-extensions" className="card-title">
        Extensions
      </h2>
      <p className="muted">Changes apply from the agent's next message.</p>
      {listError && <ErrorNote error={listError} prefix="Could not save" testId="extensions-save-error" />}
      {status && status.errors.length > 0 && (
        <ul className="error-note" data-testid="extension-errors">
          {status.errors.map((error) => (
            <li key={error}>{error}</li>
          ))}
        </ul>
      )}

      <h3>MCP servers</h3>
      <ul className="memory-list">
        {Object.entries(servers).map(([name, server]) =>
          isOpen('server', name) ? (
            <li key={name} className="memory">
              {serverForm(name)}
            </li>
          ) : (
            <ServerRow
              key={name}
              name={name}
              server={server}
              report={status?.mcp_servers.find((r) => r.name === name)}
              onEdit={() => openForm({ kind: 'server', name })}
              onRemove={() => change({ mcp_servers: without(servers, name) }, 'list')}
            />
          ),
        )}
      </ul>
      {isOpen('server', null) ? (
        serverForm(null)
      ) : (
        <button
          type="button"
          className="button button-small"
          onClick={() => openForm({ kind: 'server', name: null })}
          data-testid="server-new"
        >
          Add an MCP server
        </button>
      )}

      <h3>Skills</h3>
      <ul className="memory-list">
        {Object.entries(skills).map(([name, skill]) =>
          isOpen('skill', name) ? (
            <li key={name} className="memory">
              {skillForm(name)}
            </li>
          ) : (
            <SkillRow
              key={name}
              name={name}
              skill={skill}
              installed={status ? status.skills.includes(name) : null}
              onEdit={() => openForm({ kind: 'skill', name })}
              onRemove={() => change({ skills: without(skills, name) }, 'list')}
            />
          ),
        )}
      </ul>
      {isOpen('skill', null) ? (
        skillForm(null)
      ) : (
        <button
          type="button"
          className="button button-small"
          onClick={() => openForm({ kind: 'skill', name: null })}
          data-testid="skill-new"
        >
          Add a skill
        </button>
      )}

      <h3>Marketplaces</h3>
      <ul className="memory-list">
        {marketplaces.map((m, index) => (
          <li key={m.source} className="memory" data-testid="marketplace" data-source={m.source}>
            <div className="memory-head">
              <span className="mono">{m.name ? `${m.name} (${m.source})` : m.source}</span>
              {status && m.name && (
                <span className={`badge ${status.marketplaces.includes(m.name) ? 'badge-accent' : ''}`}>
                  {status.marketplaces.includes(m.name) ? 'registered' : 'not registered yet'}
                </span>
              )}
            </div>
            <div className="memory-actions">
              <button
                type="button"
                className="button button-small button-danger-quiet"
                onClick={() => change({ marketplaces: marketplaces.filter((_, i) => i !== index) }, 'list')}
                data-testid="marketplace-remove"
              >
                Remove
              </button>
            </div>
          </li>
        ))}
      </ul>
      {/* A new key once a marketplace is saved empties the form; a refused one stays to be corrected. */}
      <MarketplaceForm
        key={`marketplace-${marketplaces.length}`}
        existing={marketplaces}
        error={errorOf('marketplace')}
        pending={save.isPending}
        onAdd={(marketplace) => change({ marketplaces: [...marketplaces, marketplace] }, 'marketplace')}
      />

      <h3>Plugins</h3>
      <ul className="memory-list">
        {plugins.map((p, index) => {
          const installed = status?.plugins.find((s) => s.name === p.name);
          return (
            <li key={p.name} className="memory" data-testid="plugin" data-name={p.name}>
              <div className="memory-head">
                <span className="mono">{p.name}</span>
                <span
                  className={`badge ${installed?.enabled ? 'badge-accent' : ''}`}
                  data-testid="plugin-status"
                >
                  {installed
                    ? installed.enabled
                      ? 'installed, enabled'
                      : 'installed, disabled'
                    : 'not installed yet'}
                </span>
              </div>
              <div className="memory-actions">
                <button
                  type="button"
                  className="button button-small"
                  onClick={() =>
                    change(
                      { plugins: plugins.map((q, i) => (i === index ? { ...q, disabled: !q.disabled } : q)) },
                      'list',
                    )
                  }
                  data-testid="plugin-toggle"
                >
                  {p.disabled ? 'Enable' : 'Disable'}
                </button>
                <button
                  type="button"
                  className="button button-small button-danger-quiet"
                  onClick={() => change({ plugins: plugins.filter((_, i) => i !== index) }, 'list')}
                  data-testid="plugin-remove"
                >
                  Remove
                </button>
              </div>
            </li>
          );
        })}
      </ul>
      <PluginForm
        key={`plugin-${plugins.length}`}
        existing={plugins.map((p) => p.name)}
        error={errorOf('plugin')}
        pending={save.isPending}
        onAdd={(name) => change({ plugins: [...plugins, { name }] }, 'plugin')}
      />

      <h3>As JSON</h3>
      {json === null ? (
        <button
          type="button"
          className="button button-small"
          onClick={() => {
            save.reset();
            setJson(JSON.stringify(current, null, 2));
          }}
          data-testid="extensions-json-edit"
        >
          Edit as JSON
        </button>
      ) : (
        <form
          className="memory-editor"
          onSubmit={(e) => {
            e.preventDefault();
            if (jsonError === null)
              save.mutate({ next: JSON.parse(json) as AgentExtensions, origin: 'json' });
          }}
          data-testid="extensions-json-form"
        >
          <Field
            id={jsonId}
            label="The extensions as JSON (as the API takes them)"
            error={jsonError === null ? undefined : `Not JSON: ${jsonError}`}
            errorTestId="extensions-json-syntax"
          >
            {(control) => (
              <textarea
                {...control}
                className="input mono"
                rows={14}
                spellCheck={false}
                value={json}
                onChange={(e) => setJson(e.target.value)}
                data-testid="extensions-json"
              />
            )}
          </Field>
          {jsonSaveError && (
            <ErrorNote error={jsonSaveError} prefix="Could not save" testId="extensions-save-error" />
          )}
          <div className="memory-actions">
            <button type="button" className="button button-small" onClick={() => setJson(null)}>
              Cancel
            </button>
            <button
              type="submit"
              className="button button-small button-primary"
              disabled={jsonError !== null || save.isPending}
              data-testid="extensions-json-save"
            >
              Save
            </button>
          </div>
        </form>
      )}
    </section>
  );
}
