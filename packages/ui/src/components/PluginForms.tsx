import type { Marketplace } from '@praktor/protocol';
import { type FormEvent, useId, useState } from 'react';
import { splitMemberMessage } from '../api/field-message';
import { ErrorNote } from './ErrorNote';
import { Field } from './Field';

/**
 * The API's message about the list entry at `path`, at the form's field it names (one of `fields`); a message about
 * anything else is the form's as a whole.
 */
function fieldMessage(error: Error | null, path: string, fields: readonly string[]) {
  const answer = error ? splitMemberMessage(error.message, path) : null;
  const field = answer && fields.includes(answer.field) ? answer.field : null;
  return {
    at: (name: string) => (field === name ? answer?.message : undefined),
    rest: field === null ? error : null,
  };
}

/**
 * A marketplace to add: its source, and optionally the name plugins are installed from it by
 * (`plugin@name`). A source or name the agent has already is refused here. What was typed stays until the panel
 * gives the form a new key once the marketplace is saved, so a refused one can be corrected.
 */
export function MarketplaceForm({
  existing,
  error,
  pending,
  onAdd,
}: {
  existing: readonly Marketplace[];
  /** The API's answer to this form's last save. */
  error: Error | null;
  pending: boolean;
  onAdd: (marketplace: Marketplace) => void;
}) {
  const id = useId();
  const [source, setSource] = useState('');
  const [name, setName] = useState('');
  const api = fieldMessage(error, `marketplaces.${existing.length}`, ['source', 'name']);
  const sourceClash = existing.some((m) => m.source === source.trim())
    ? 'This marketplace is added already.'
    : undefined;
  const nameClash =
    name.trim() !== '' && existing.some((m) => m.name === name.trim())
      ? `A marketplace named "${name.trim()}" is added already.`
      : undefined;
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (sourceClash || nameClash) return;
    onAdd({ source: source.trim(), ...(name.trim() !== '' ? { name: name.trim() } : {}) });
  };
  return (
    <form className="memory-editor" onSubmit={submit} data-testid="marketplace-form">
      <Field
        id={`${id}-source`}
        label="Source (GitHub owner/repo, git URL or path, or a marketplace.json URL)"
        error={sourceClash ?? api.at('source')}
        errorTestId="marketplace-source-error"
      >
        {(control) => (
          <input
            {...control}
            className="input mono"
            value={source}
            onChange={(e) => setSource(e.target.value)}
            data-testid="marketplace-source"
            required
          />
        )}
      </Field>
      <Field
        id={`${id}-name`}
        label="Name (what plugins name after @)"
        optional
        error={nameClash ?? api.at('name')}
        errorTestId="marketplace-name-error"
      >
        {(control) => (
          <input
            {...control}
            className="input mono"
            value={name}
            onChange={(e) => setName(e.target.value)}
            data-testid="marketplace-name"
          />
        )}
      </Field>
      {api.rest && <ErrorNote error={api.rest} prefix="Could not save" testId="extensions-save-error" />}
      <div className="memory-actions">
        <button
          type="submit"
          className="button button-small"
          disabled={pending}
          data-testid="marketplace-add"
        >
          Add marketplace
        </button>
      </div>
    </form>
  );
}

/** A plugin to add, `plugin@marketplace`; one the agent has already is refused here. Kept until saved, as above. */
export function PluginForm({
  existing,
  error,
  pending,
  onAdd,
}: {
  existing: readonly string[];
  /** The API's answer to this form's last save. */
  error: Error | null;
  pending: boolean;
  onAdd: (name: string) => void;
}) {
  const id = useId();
  const [name, setName] = useState('');
  const api = fieldMessage(error, `plugins.${existing.length}`, ['name']);
  const clash = existing.includes(name.trim()) ? `The plugin "${name.trim()}" is added already.` : undefined;
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (clash) return;
    onAdd(name.trim());
  };
  return (
    <form className="memory-editor" onSubmit={submit} data-testid="plugin-form">
      <Field
        id={`${id}-name`}
        label="Plugin (plugin@marketplace)"
        error={clash ?? api.at('name')}
        errorTestId="plugin-name-error"
      >
        {(control) => (
          <input
            {...control}
            className="input mono"
            value={name}
            onChange={(e) => setName(e.target.value)}
            data-testid="plugin-name"
            required
          />
        )}
      </Field>
      {api.rest && <ErrorNote error={api.rest} prefix="Could not save" testId="extensions-save-error" />}
      <div className="memory-actions">
        <button type="submit" className="button button-small" disabled={pending} data-testid="plugin-add">
          Add plugin
        </button>
      </div>
    </form>
  );
}
