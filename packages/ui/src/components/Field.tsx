import type { ReactNode } from 'react';
import { describedBy, FieldNotes } from './FieldNotes';

/** What ties a control to its field's label and notes; spread onto the control. */
export interface FieldControl {
  id: string;
  'aria-invalid': true | undefined;
  'aria-describedby': string | undefined;
}

/**
 * A form field: its label, the control (given the attributes that tie it to label and notes), then its hint and
 * error (see {@link FieldNotes}), then anything `after`.
 */
export function Field({
  id,
  label,
  optional = false,
  aside,
  hint,
  error,
  errorTestId,
  errorFirst = false,
  after,
  children,
}: {
  /** The control's id; the notes' ids derive from it. */
  id: string;
  label: ReactNode;
  /** Marks the field optional beside its label. */
  optional?: boolean;
  /** Beside the label, e.g. a button that acts on the control. */
  aside?: ReactNode;
  hint?: ReactNode;
  error?: string | undefined;
  /** The error's test id, so tests find the message of one field; a field that shows no error needs none. */
  errorTestId?: string;
  /** Puts the error above the hint, for a hint so long that an error under it would be far from the control. */
  errorFirst?: boolean;
  after?: ReactNode;
  children: (control: FieldControl) => ReactNode;
}) {
  const labelElement = (
    <label htmlFor={id} className="field-label">
      {label}
      {optional && (
        <>
          {' '}
          <span className="field-optional">optional</span>
        </>
      )}
    </label>
  );
  const hintNotes = <FieldNotes id={id} testId={errorTestId} hint={hint} />;
  const errorNotes = <FieldNotes id={id} testId={errorTestId} error={error} />;
  return (
    <div className="field">
      {aside ? (
        <div className="field-label-row">
          {labelElement}
          {aside}
        </div>
      ) : (
        labelElement
      )}
      {children({
        id,
        'aria-invalid': error ? true : undefined,
        'aria-describedby': describedBy(id, Boolean(hint), error),
      })}
      {errorFirst ? errorNotes : hintNotes}
      {errorFirst ? hintNotes : errorNotes}
      {after}
    </div>
  );
}
