import type { MemoryItem } from '@praktor/protocol';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useId, useState } from 'react';
import { api } from '../api/endpoints';
import { keys } from '../api/queries';
import { formatAgo, formatFullTime } from '../format';
import { useNow } from '../useNow';
import { ErrorNote } from './ErrorNote';
import { Field } from './Field';

/** A memory being added (key editable) or changed (key fixed). */
interface Draft {
  key: string;
  content: string;
  tags: string;
  isNew: boolean;
}

function MemoryEditor({ agentId, draft, onDone }: { agentId: string; draft: Draft; onDone: () => void }) {
  const client = useQueryClient();
  const [value, setValue] = useState(draft);
  const id = useId();
  const save = useMutation({
    mutationFn: () => api.saveMemory(agentId, value.key.trim(), { content: value.content, tags: value.tags }),
    onSuccess: () => {
      void client.invalidateQueries({ queryKey: keys.memories(agentId) });
      onDone();
    },
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    save.mutate();
  };
  return (
    <form className="memory-editor" onSubmit={submit} data-testid="memory-editor">
      {draft.isNew && (
        <Field id={`${id}-key`} label="Key">
          {(control) => (
            <input
              {...control}
              className="input mono"
              value={value.key}
              onChange={(e) => setValue({ ...value, key: e.target.value })}
              placeholder="favourite-coffee"
              data-testid="memory-key-input"
              required
            />
          )}
        </Field>
      )}
      <Field id={`${id}-content`} label="Content">
        {(control) => (
          <textarea
            {...control}
            className="input"
            rows={3}
            value={value.content}
            onChange={(e) => setValue({ ...value, content: e.target.value })}
            data-testid="memory-content-input"
            required
          />
        )}
      </Field>
      <Field id={`${id}-tags`} label="Tags">
        {(control) => (
          <input
            {...control}
            className="input"
            value={value.tags}
            onChange={(e) => setValue({ ...value, tags: e.target.value })}
            placeholder="preferences, food"
            data-testid="memory-tags-input"
          />
        )}
      </Field>
      {save.isError && <ErrorNote error={save.error} prefix="Could not save" testId="memory-save-error" />}
      <div className="memory-actions">
        <button type="button" className="button button-small" onClick={onDone} disabled={save.isPending}>
          Cancel
        </button>
        <button
          type="submit"
          className="button button-small button-primary"
          disabled={save.isPending}
          data-testid="memory-save"
        >
          {save.isPending ? 'Saving…' : 'Save'}
        </button>
      </div>
    </form>
  );
}

function MemoryRow({ agentId, memory, now }: { agentId: string; memory: MemoryItem; now: number }) {
  const client = useQueryClient();
  const [editing, setEditing] = useState(false);
  const remove = useMutation({
    mutationFn: () => api.deleteMemory(agentId, memory.key),
    onSuccess: () => void client.invalidateQueries({ queryKey: keys.memories(agentId) }),
  });
  if (editing) {
    return (
      <li className="memory" data-testid="memory" data-key={memory.key}>
        <div className="mono memory-key">{memory.key}</div>
        <MemoryEditor
          agentId={agentId}
          draft={{ key: memory.key, content: memory.content, tags: memory.tags, isNew: false }}
          onDone={() => setEditing(false)}
        />
      </li>
    );
  }
  return (
    <li className="memory" data-testid="memory" data-key={memory.key}>
      <div className="memory-head">
        <span className="mono memory-key">{memory.key}</span>
        {memory.tags && <span className="muted memory-tags">{memory.tags}</span>}
      </div>
      <p className="memory-content" data-testid="memory-content">
        {memory.content}
      </p>
      <p className="muted memory-meta" data-testid="memory-meta">
        Changed <time title={formatFullTime(memory.updated_at)}>{formatAgo(memory.updated_at, now)}</time>
        {' · '}
        {memory.last_accessed === null
          ? 'never recalled'
          : `recalled ${memory.access_count}×, last ${formatAgo(memory.last_accessed, now)}`}
      </p>
      {remove.isError && <ErrorNote error={remove.error} prefix="Could not delete" />}
      <div className="memory-actions">
        <button type="button" className="button button-small" onClick={() => setEditing(true)}>
          Edit
        </button>
        <button
          type="button"
          className="button button-small button-danger-quiet"
          disabled={remove.isPending}
          data-testid="memory-delete"
          onClick={() => {
            if (window.confirm(`Delete the memory "${memory.key}"?`)) remove.mutate();
          }}
        >
          Delete
        </button>
      </div>
    </li>
  );
}

/**
 * An agent's memories: search, add, edit, delete, with counts and last use. The memory lives in the agent's
 * sandbox, so it is opened on request (a stopped agent is started); it follows the agent's own changes live.
 */
export function MemoryPanel({ agentId }: { agentId: string }) {
  const [open, setOpen] = useState(false);
  const [query, setQuery] = useState('');
  const [adding, setAdding] = useState(false);
  const now = useNow(30_000);
  const memories = useQuery({
    queryKey: [...keys.memories(agentId), query.trim()],
    queryFn: () => api.memories(agentId, query.trim()),
    enabled: open,
    placeholderData: (previous) => previous,
  });

  return (
    <section className="card memory-panel" aria-labelledby="agent-memory" data-testid="memory-panel">
      <div className="editor-head">
        <h2 id="agent-memory" className="card-title">
          Memory
        </h2>
        {memories.data && (
          <span className="muted" data-testid="memory-count">
            {query.trim()
              ? `${memories.data.memories.length} of ${memories.data.total} match`
              : `${memories.data.total} ${memories.data.total === 1 ? 'memory' : 'memories'}`}
          </span>
        )}
      </div>
      {!open ? (
        <>
          <p className="muted">
            What the agent remembers between conversations. Opening it starts a stopped agent.
          </p>
          <button type="button" className="button" onClick={() => setOpen(true)} data-testid="memory-open">
            Show memories
          </button>
        </>
      ) : (
        <>
          <div className="memory-toolbar">
            <input
              className="input"
              type="search"
              placeholder="Search memories"
              aria-label="Search memories"
              value={query}
              onChange={(e) => setQuery(e.target.value)}
              data-testid="memory-search"
            />
            <button type="button" className="button" onClick={() => setAdding(true)} data-testid="memory-add">
              Add memory
            </button>
          </div>
          {adding && (
            <MemoryEditor
              agentId={agentId}
              draft={{ key: '', content: '', tags: '', isNew: true }}
              onDone={() => setAdding(false)}
            />
          )}
          {memories.isError && <ErrorNote error={memories.error} prefix="Could not load the memory" />}
          {memories.isPending && <p className="muted">Opening the memory…</p>}
          {memories.data && memories.data.memories.length === 0 && (
            <p className="muted" data-testid="memory-empty">
              {query.trim() ? 'No memory matches.' : 'No memories yet.'}
            </p>
          )}
          <ul className="memory-list">
            {memories.data?.memories.map((memory) => (
              <MemoryRow key={memory.key} agentId={agentId} memory={memory} now={now} />
            ))}
          </ul>
          {memories.data && !query.trim() && memories.data.total > memories.data.memories.length && (
            <p className="muted" data-testid="memory-more">
              The {memories.data.memories.length} most recently changed are shown; search to find the other{' '}
              {memories.data.total - memories.data.memories.length}.
            </p>
          )}
        </>
      )}
    </section>
  );
}
