import type { ReactNode } from 'react';

/**
 * A form field's hint and error under it, each with an id derived from the control's, so the control can name
 * them in its `aria-describedby` (see {@link describedBy}).
 */
export function FieldNotes({
  id,
  hint,
  error,
  testId,
}: {
  id: string;
  hint?: ReactNode;
  error?: string | undefined;
  /** The error's test id, so tests find the message of one field; notes that show no error need none. */
  testId?: string | undefined;
}) {
  return (
    <>
      {hint && (
        <p id={`${id}-hint`} className="field-hint muted">
          {hint}
        </p>
      )}
      {error && (
        <p id={`${id}-error`} className="field-error" data-testid={testId}>
          {error}
        </p>
      )}
    </>
  );
}

/** The ids the control `id` is described by, given whether its {@link FieldNotes} show a hint and an error. */
export function describedBy(id: string, hint: boolean, error: string | undefined): string | undefined {
  return [hint ? `${id}-hint` : '', error ? `${id}-error` : ''].filter(Boolean).join(' ') || undefined;
}
