import type { McpServer } from '@praktor/protocol';
import { type FormEvent, useId, useState } from 'react';
import { splitMemberMessage } from '../api/field-message';
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

/** A map as the `NAME=value` lines {@link parsePairs} reads back. */
const pairLines = (pairs: Record<string, string> | undefined) =>
  Object.entries(pairs ?? {})
    .map(([key, value]) => `${key}=${value}`)
    .join('\n');

type FormField = 'name' | 'type' | 'target' | 'args' | 'pairs';

/** The form field that shows the API's message about each member of a server. */
const FIELD_OF: Record<string, FormField> = {
  '': 'name',
  type: 'type',
  command: 'target',
  url: 'target',
  args: 'args',
  env: 'pairs',
  headers: 'pairs',
};

/**
 * An MCP server's common fields, for a new server or to edit one (prefilled from `initial`; a new name renames it).
 * A name another server has is refused here rather than replacing that server; the API's refusal of what was sent
 * is shown at the field it names.
 */
export function McpServerForm({
  initial,
  taken,
  error,
  pending,
  onSave,
  onCancel,
}: {
  initial?: { name: string; server: McpServer };
  /** The names of the agent's other servers. */
  taken: readonly string[];
  /** The API's answer to this form's last save. */
  error: Error | null;
  pending: boolean;
  onSave: (name: string, server: McpServer) => void;
  onCancel: () => void;
}) {
  const id = useId();
  const server = initial?.server;
  const [name, setName] = useState(initial?.name ?? '');
  const [type, setType] = useState<McpServer['type']>(server?.type ?? 'stdio');
  const [target, setTarget] = useState(server ? (server.type === 'stdio' ? server.command : server.url) : '');
  const [args, setArgs] = useState(server?.type === 'stdio' ? (server.args ?? []).join('\n') : '');
  const [pairs, setPairs] = useState(pairLines(server?.type === 'stdio' ? server.env : server?.headers));
  const [sent, setSent] = useState('');

  const trimmed = name.trim();
  const clash = taken.includes(trimmed)
    ? `A server named "${trimmed}" exists already: edit that one, or choose another name.`
    : undefined;
  const answer = error ? splitMemberMessage(error.message, `mcp_servers.${sent}`) : null;
  const fieldOf = answer ? FIELD_OF[answer.field] : undefined;
  const errorAt = (field: FormField) => (fieldOf === field ? answer?.message : undefined);

  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (clash) return;
    const extra = parsePairs(pairs);
    const has = Object.keys(extra).length > 0;
    const argv = args.split('\n').filter((line) => line !== '');
    setSent(trimmed);
    onSave(
      trimmed,
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
      <Field id={`${id}-name`} label="Name" error={clash ?? errorAt('name')} errorTestId="server-name-error">
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
      <Field id={`${id}-type`} label="Type" error={errorAt('type')} errorTestId="server-type-error">
        {(control) => (
          <select
            {...control}
            className="input"
            value={type}
            onChange={(e) => setType(e.target.value as McpServer['type'])}
            data-testid="server-type"
          >
            <option value="stdio">stdio (a command in the sandbox)</option>
            <option value="http">http (a URL)</option>
          </select>
        )}
      </Field>
      <Field
        id={`${id}-target`}
        label={type === 'stdio' ? 'Command' : 'URL'}
        error={errorAt('target')}
        errorTestId="server-target-error"
      >
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
        <Field
          id={`${id}-args`}
          label="Arguments (one per line, passed as they are)"
          error={errorAt('args')}
          errorTestId="server-args-error"
        >
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
        error={errorAt('pairs')}
        errorTestId="server-pairs-error"
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
      {error && !fieldOf && (
        <ErrorNote error={error} prefix="Could not save" testId="extensions-save-error" />
      )}
      <div className="memory-actions">
        <button type="button" className="button button-small" onClick={onCancel} data-testid="server-cancel">
          Cancel
        </button>
        <button
          type="submit"
          className="button button-small button-primary"
          disabled={pending}
          data-testid="server-save"
        >
          {initial ? 'Save server' : 'Add server'}
        </button>
      </div>
    </form>
  );
}
