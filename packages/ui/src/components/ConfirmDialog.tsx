import type { ReactNode } from 'react';
import { Dialog } from './Dialog';
import { ErrorNote } from './ErrorNote';

/** Asks before something that cannot be undone; Cancel has the focus, so Enter alone changes nothing. */
export function ConfirmDialog({
  title,
  children,
  confirmLabel,
  pendingLabel,
  pending,
  error,
  onConfirm,
  onCancel,
}: {
  title: ReactNode;
  children: ReactNode;
  confirmLabel: string;
  pendingLabel: string;
  pending: boolean;
  error: Error | null;
  onConfirm: () => void;
  onCancel: () => void;
}) {
  return (
    <Dialog title={title} onClose={onCancel} busy={pending} size="small" testId="confirm-dialog">
      <div className="dialog-body">
        {children}
        {error && <ErrorNote error={error} testId="confirm-error" />}
      </div>
      <footer className="dialog-foot">
        <button
          type="button"
          className="button"
          data-testid="confirm-cancel"
          disabled={pending}
          onClick={onCancel}
          data-autofocus
        >
          Cancel
        </button>
        <button
          type="button"
          className="button button-danger"
          data-testid="confirm-ok"
          disabled={pending}
          onClick={onConfirm}
        >
          {pending ? pendingLabel : confirmLabel}
        </button>
      </footer>
    </Dialog>
  );
}
