import { useState } from 'react';
import { Field } from './Field';
import { Markdown } from './Markdown';

/**
 * A Markdown text as a form field with Write and Preview: Preview shows it formatted as the chat does (HTML in it
 * shown as text, never rendered). The text area stays in the page while previewing, so the label keeps its control.
 */
export function MarkdownEditor({
  id,
  label,
  value,
  onChange,
  error,
  testId,
}: {
  id: string;
  label: string;
  value: string;
  onChange: (value: string) => void;
  error?: string | undefined;
  /** Prefix of the test ids: `<testId>` (the text area), `<testId>-write`, `<testId>-preview`, `<testId>-rendered`. */
  testId: string;
}) {
  const [preview, setPreview] = useState(false);
  const modes = (
    <fieldset className="segmented markdown-modes" aria-label={`${label}: write or preview`}>
      {(
        [
          [false, 'Write', 'write'],
          [true, 'Preview', 'preview'],
        ] as const
      ).map(([mode, name, suffix]) => (
        <button
          key={suffix}
          type="button"
          className="segment"
          aria-pressed={preview === mode}
          onClick={() => setPreview(mode)}
          data-testid={`${testId}-${suffix}`}
        >
          {name}
        </button>
      ))}
    </fieldset>
  );
  return (
    <Field id={id} label={label} aside={modes} error={error} errorTestId={`${testId}-error`}>
      {(control) => (
        <>
          <textarea
            {...control}
            className="input mono"
            rows={10}
            spellCheck={false}
            hidden={preview}
            value={value}
            onChange={(e) => onChange(e.target.value)}
            data-testid={testId}
          />
          {preview && (
            <div className="markdown-preview" data-testid={`${testId}-rendered`}>
              {value.trim() === '' ? (
                <p className="muted">Nothing to preview yet.</p>
              ) : (
                <Markdown text={value} />
              )}
            </div>
          )}
        </>
      )}
    </Field>
  );
}
