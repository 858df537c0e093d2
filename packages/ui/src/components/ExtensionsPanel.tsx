import type { AgentExtensions, ExtensionStatus, McpServer } from '@praktor/protocol';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useId, useState } from 'react';
import { api } from '../api/endpoints';
import { keys } from '../api/queries';
import { bytesToBase64 } from '../base64';
import { ErrorNote } from './ErrorNote';
import { Field } from './Field';

/** `NAME=value` lines as a map; lines without `=` are left out. */
function parsePairs(text: string): Record<string, string> {
  const pairs: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const at = line.indexOf('=');
    if (at > 0) pairs[line.slice(0, at).trim()] = line.slice(at + 1).trim();
  }
  return pairs;
}

/** A file's bytes as standard base64. */
async function base64Of(file: File): Promise<string> {
  return bytesToBase64(new Uint8Array(await file.arrayBuffer()));
}

/** One text field and its button, for what is added by name alone (a marketplace, a plugin). */
function AddByName({
  placeholder,
  label,
  testId,
  onAdd,
}: {
  placeholder: string;
  label: string;
  testId: string;
  onAdd: (name: string) => void;
}) {
  const [value, setValue] = useState('');
  return (
    <form
      className="memory-actions"
      onSubmit={(e) => {
        e.preventDefault();
        onAdd(value.trim());
        setValue('');
      }}
    >
      <input
        className="input mono"
        placeholder={placeholder}
        value={value}
        onChange={(e) => setValue(e.target.value)}
        data-testid={testId}
      />
      <button type="submit" className="button button-small">
        {label}
      </button>
    </form>
  );
}

/** The form for a new MCP server's common fields; the JSON editor below takes the rest. */
function ServerForm({ onAdd }: { onAdd: (name: string, server: McpServer) => void }) {
  const id = useId();
  const [name, setName] = useState('');
  const [type, setType] = useState<'stdio' | 'http'>('stdio');
  const [target, setTarget] = useState('');
  const [args, setArgs] = useState('');
  const [pairs, setPairs] = useState('');
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const extra = parsePairs(pairs);
    const has = Object.keys(extra).length > 0;
    const argv = args.split('\n').filter((line) => line !== '');
    onAdd(
      name.trim(),
      type === 'stdio'
        ? {
            type,
            command: target.trim(),
            ...(argv.length > 0 ? { args: argv } : {}),
            ...(has ? { env: extra } : {}),
          }
        : { type, url: target.trim(), ...(has ? { headers: extra } : {}) },
    );
  };
  return (
    <form className="memory-editor" onSubmit={submit} data-testid="server-form">
      <Field id={`${id}-name`} label="Name">
        {(control) => (
          <input
            {...control}
            className="input mono"
            value={name}
            onChange={(e) => setName(e.target.value)}
            data-testid="server-name"
            required
          />
        )}
      </Field>
      <Field id={`${id}-type`} label="Type">
        {(control) => (
          <select
            {...control}
            className="input"
            value={type}
            onChange={(e) => setType(e.target.value as 'stdio' | 'http')}
            data-testid="server-type"
          >
            <option value="stdio">stdio (a command in the sandbox)</option>
            <option value="http">http (a URL)</option>
          </select>
        )}
      </Field>
      <Field id={`${id}-target`} label={type === 'stdio' ? 'Command' : 'URL'}>
        {(control) => (
          <input
            {...control}
            className="input mono"
            value={target}
            onChange={(e) => setTarget(e.target.value)}
            data-testid="server-target"
          />
        )}
      </Field>
      {type === 'stdio' && (
        <Field id={`${id}-args`} label="Arguments (one per line, passed as they are)">
          {(control) => (
            <textarea
              {...control}
              className="input mono"
              rows={2}
              value={args}
              onChange={(e) => setArgs(e.target.value)}
              data-testid="server-args"
            />
          )}
        </Field>
      )}
      <Field
        id={`${id}-pairs`}
        label={
          <>
            {type === 'stdio' ? 'Environment' : 'Headers'} (one NAME=value per line; secret:&lt;name&gt; takes
            a vault secret)
          </>
        }
      >
        {(control) => (
          <textarea
            {...control}
            className="input mono"
            rows={2}
            value={pairs}
            onChange={(e) => setPairs(e.target.value)}
            data-testid="server-pairs"
          />
        )}
      </Field>
      <div className="memory-actions">
        <button type="submit" className="button button-small button-primary" data-testid="server-add">
          Add server
        </button>
      </div>
    </form>
  );
}

/** The form for a new skill: its SKILL.md (description and Markdown body) and any files of its folder. */
function SkillForm({
  onAdd,
}: {
  onAdd: (name: string, skill: NonNullable<AgentExtensions['skills']>[string]) => void;
}) {
  const id = useId();
  const [name, setName] = useState('');
  const [description, setDescription] = useState('');
  const [content, setContent] = useState('');
  const [files, setFiles] = useState<FileList | null>(null);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const encoded: Record<string, string> = {};
    for (const file of files ?? []) encoded[file.name] = await base64Of(file);
    onAdd(name.trim(), {
      description,
      content,
      ...(Object.keys(encoded).length > 0 ? { files: encoded } : {}),
    });
  };
  return (
    <form className="memory-editor" onSubmit={(e) => void submit(e)} data-testid="skill-form">
      <Field id={`${id}-name`} label="Name">
        {(control) => (
          <input
            {...control}
            className="input mono"
            value={name}
            onChange={(e) => setName(e.target.value)}
            data-testid="skill-name"
            required
          />
        )}
      </Field>
      <Field id={`${id}-description`} label="Description (when the model should use it)">
        {(control) => (
          <input
            {...control}
            className="input"
            value={description}
            onChange={(e) => setDescription(e.target.value)}
            data-testid="skill-description"
          />
        )}
      </Field>
      <Field id={`${id}-content`} label="SKILL.md (Markdown)">
        {(control) => (
          <textarea
            {...control}
            className="input mono"
            rows={6}
            value={content}
            onChange={(e) => setContent(e.target.value)}
            data-testid="skill-content"
          />
        )}
      </Field>
      <Field id={`${id}-files`} label="Files of the skill's folder">
        {(control) => (
          <input
            {...control}
            type="file"
            multiple
            onChange={(e) => setFiles(e.target.files)}
            data-testid="skill-files"
          />
        )}
      </Field>
      <div className="memory-actions">
        <button type="submit" className="button button-small button-primary" data-testid="skill-add">
          Add skill
        </button>
      </div>
    </form>
  );
}

/** One MCP server with what the sandbox last reported of it. */
function ServerRow({
  name,
  server,
  report,
  onRemove,
}: {
  name: string;
  server: McpServer;
  report: ExtensionStatus['mcp_servers'][number] | undefined;
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

/**
 * An agent's extensions: MCP servers (with their connection state and errors, live), skills, marketplaces and
 * plugins, each added and removed here, and the whole as JSON for what the forms do not cover. Every change is
 * saved at once and takes effect at the agent's next message.
 */
export function ExtensionsPanel({ agentId }: { agentId: string }) {
  const client = useQueryClient();
  const loaded = useQuery({ queryKey: keys.extensions(agentId), queryFn: () => api.extensions(agentId) });
  const [adding, setAdding] = useState<'server' | 'skill' | null>(null);
  const [json, setJson] = useState<string | null>(null);
  const save = useMutation({
    mutationFn: (next: AgentExtensions) => api.saveExtensions(agentId, next),
    onSuccess: () => {
      setAdding(null);
      setJson(null);
      void client.invalidateQueries({ queryKey: keys.extensions(agentId) });
    },
  });
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
  const change = (next: Partial<AgentExtensions>) => save.mutate({ ...current, ...next });
  const without = <T,>(map: Record<string, T>, name: string) =>
    Object.fromEntries(Object.entries(map).filter(([key]) => key !== name));

  return (
    <section className="card memory-panel" aria-labelledby="agent-extensions" data-testid="extensions-panel">
      <h2 id="agent-extensions" className="card-title">
        Extensions
      </h2>
      <p className="muted">Changes apply from the agent's next message.</p>
      {save.isError && (
        <ErrorNote error={save.error} prefix="Could not save" testId="extensions-save-error" />
      )}
      {status && status.errors.length > 0 && (
        <ul className="error-note" data-testid="extension-errors">
          {status.errors.map((error) => (
            <li key={error}>{error}</li>
          ))}
        </ul>
      )}

      <h3>MCP servers</h3>
      <ul className="memory-list">
        {Object.entries(servers).map(([name, server]) => (
          <ServerRow
            key={name}
            name={name}
            server={server}
            report={status?.mcp_servers.find((r) => r.name === name)}
            onRemove={() => change({ mcp_servers: without(servers, name) })}
          />
        ))}
      </ul>
      {adding === 'server' ? (
        <ServerForm onAdd={(name, server) => change({ mcp_servers: { ...servers, [name]: server } })} />
      ) : (
        <button
          type="button"
          className="button button-small"
          onClick={() => setAdding('server')}
          data-testid="server-new"
        >
          Add an MCP server
        </button>
      )}

      <h3>Skills</h3>
      <ul className="memory-list">
        {Object.entries(skills).map(([name, skill]) => (
          <li key={name} className="memory" data-testid="skill" data-name={name}>
            <span className="mono memory-key">{name}</span> <span className="muted">{skill.description}</span>
            <div className="memory-actions">
              <button
                type="button"
                className="button button-small button-danger-quiet"
                onClick={() => change({ skills: without(skills, name) })}
              >
                Remove
              </button>
            </div>
          </li>
        ))}
      </ul>
      {adding === 'skill' ? (
        <SkillForm onAdd={(name, skill) => change({ skills: { ...skills, [name]: skill } })} />
      ) : (
        <button
          type="button"
          className="button button-small"
          onClick={() => setAdding('skill')}
          data-testid="skill-new"
        >
          Add a skill
        </button>
      )}

      <h3>Marketplaces</h3>
      <ul className="memory-list">
        {marketplaces.map((m, index) => (
          <li key={m.source} className="memory" data-testid="marketplace">
            <span className="mono">{m.name ? `${m.name} (${m.source})` : m.source}</span>
            <button
              type="button"
              className="button button-small button-danger-quiet"
              onClick={() => change({ marketplaces: marketplaces.filter((_, i) => i !== index) })}
            >
              Remove
            </button>
          </li>
        ))}
      </ul>
      <AddByName
        placeholder="owner/repo, git URL or path"
        label="Add marketplace"
        testId="marketplace-source"
        onAdd={(source) => change({ marketplaces: [...marketplaces, { source }] })}
      />

      <h3>Plugins</h3>
      <ul className="memory-list">
        {plugins.map((p, index) => {
          const installed = status?.plugins.find((s) => s.name === p.name);
          return (
            <li key={p.name} className="memory" data-testid="plugin" data-name={p.name}>
              <span className="mono">{p.name}</span>{' '}
              <span className="muted">
                {installed
                  ? installed.enabled
                    ? 'installed, enabled'
                    : 'installed, disabled'
                  : 'not installed yet'}
              </span>
              <div className="memory-actions">
                <button
                  type="button"
                  className="button button-small"
                  onClick={() =>
                    change({
                      plugins: plugins.map((q, i) => (i === index ? { ...q, disabled: !q.disabled } : q)),
                    })
                  }
                >
                  {p.disabled ? 'Enable' : 'Disable'}
                </button>
                <button
                  type="button"
                  className="button button-small button-danger-quiet"
                  onClick={() => change({ plugins: plugins.filter((_, i) => i !== index) })}
                >
                  Remove
                </button>
              </div>
            </li>
          );
        })}
      </ul>
      <AddByName
        placeholder="plugin@marketplace"
        label="Add plugin"
        testId="plugin-name"
        onAdd={(name) => change({ plugins: [...plugins, { name }] })}
      />

      <h3>As JSON</h3>
      {json === null ? (
        <button
          type="button"
          className="button button-small"
          onClick={() => setJson(JSON.stringify(current, null, 2))}
          data-testid="extensions-json-edit"
        >
          Edit as JSON
        </button>
      ) : (
        <form
          onSubmit={(e) => {
            e.preventDefault();
            if (jsonError === null) save.mutate(JSON.parse(json) as AgentExtensions);
          }}
        >
          <textarea
            className="input mono"
            rows={14}
            value={json}
            onChange={(e) => setJson(e.target.value)}
            data-testid="extensions-json"
          />
          {jsonError && <p className="error-note">Not JSON: {jsonError}</p>}
          <div className="memory-actions">
            <button type="button" className="button button-small" onClick={() => setJson(null)}>
              Cancel
            </button>
            <button
              type="submit"
              className="button button-small button-primary"
              disabled={jsonError !== null}
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
