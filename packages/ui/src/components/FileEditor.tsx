import type { FileContent } from '@praktor/protocol';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { type KeyboardEvent, useId, useState } from 'react';
import { ErrorNote } from './ErrorNote';
import { useLeaveGuard } from './useLeaveGuard';

/** What a {@link FileEditor} edits. */
export interface EditableFile {
  /** The file's name as shown, e.g. `AGENT.md`. */
  name: string;
  queryKey: readonly unknown[];
  load: () => Promise<FileContent>;
  save: (content: string) => Promise<unknown>;
  /** Prefix of the test ids: `<testId>-textarea`, `<testId>-save`, `<testId>-status`. */
  testId: string;
}

/**
 * A Markdown file of the gateway in a text area: Save (or Ctrl/⌘+S) writes it, "Saved" confirms, an unsaved
 * edit is flagged, and leaving the page with one (a link, the menu, closing the tab) asks first.
 */
export function FileEditor({ file, hint }: { file: EditableFile; hint?: string }) {
  const client = useQueryClient();
  const loaded = useQuery({ queryKey: file.queryKey, queryFn: file.load });
  // null while the text on screen is the text on the server.
  const [draft, setDraft] = useState<string | null>(null);
  const [savedAt, setSavedAt] = useState<number | null>(null);
  const fieldId = useId();
  const hintId = useId();

  const save = useMutation({
    mutationFn: (content: string) => file.save(content),
    onSuccess: (_reply, content) => {
      client.setQueryData<FileContent>(file.queryKey, { content });
      setDraft((current) => (current === content ? null : current));
      setSavedAt(Date.now());
    },
  });

  const server = loaded.data?.content;
  const text = draft ?? server ?? '';
  const dirty = draft !== null && draft !== server;

  const leaveDialog = useLeaveGuard(dirty, file.name);

  const submit = () => {
    if (!save.isPending && loaded.data) save.mutate(text);
  };
  const onKeyDown = (e: KeyboardEvent) => {
    if ((e.ctrlKey || e.metaKey) && e.key === 's') {
      e.preventDefault();
      submit();
    }
  };

  let status: string | null = null;
  if (save.isPending) status = 'Saving…';
  else if (dirty) status = 'Unsaved changes';
  else if (savedAt !== null && !save.isError) status = 'Saved';

  return (
    <section className="card editor" aria-labelledby={`${fieldId}-title`}>
      <div className="editor-head">
        <h2 id={`${fieldId}-title`} className="card-title">
          <label htmlFor={fieldId}>{file.name}</label>
        </h2>
        <span
          className={`editor-status ${dirty ? 'editor-status-dirty' : ''}`}
          role="status"
          data-testid={`${file.testId}-status`}
        >
          {status}
        </span>
      </div>
      {hint && (
        <p id={hintId} className="muted editor-hint">
          {hint}
        </p>
      )}
      {loaded.isError ? (
        <ErrorNote error={loaded.error} prefix={`Could not load ${file.name}`} />
      ) : (
        <textarea
          id={fieldId}
          className="input editor-text"
          data-testid={`${file.testId}-textarea`}
          aria-describedby={hint ? hintId : undefined}
          spellCheck={false}
          disabled={!loaded.data}
          placeholder={loaded.data ? `${file.name} is empty.` : 'Loading…'}
          value={text}
          onChange={(e) => {
            setDraft(e.target.value);
            save.reset();
          }}
          onKeyDown={onKeyDown}
        />
      )}
      {save.isError && (
        <ErrorNote
          error={save.error}
          prefix={`Could not save ${file.name}`}
          testId={`${file.testId}-error`}
        />
      )}
      <div className="editor-actions">
        <button
          type="button"
          className="button"
          disabled={!dirty || save.isPending}
          onClick={() => setDraft(null)}
        >
          Discard changes
        </button>
        <button
          type="button"
          className="button button-primary"
          data-testid={`${file.testId}-save`}
          disabled={!loaded.data || save.isPending}
          onClick={submit}
        >
          {save.isPending ? 'Saving…' : 'Save'}
        </button>
      </div>
      {leaveDialog}
    </section>
  );
}
