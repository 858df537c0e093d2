import { type ReactNode, useEffect, useId, useRef } from 'react';
import { Icon } from './Icon';

/**
 * A modal dialog (the browser's own `<dialog>`: focus stays inside, the page behind is inert, focus returns
 * to where it was on closing). It is open while mounted; Escape and the close button call `onClose` unless
 * `busy`, and a click beside it does nothing, so typing is never lost to a stray click. The element marked
 * `data-autofocus` takes the focus on opening (else the first control does).
 */
export function Dialog({
  title,
  description,
  onClose,
  busy = false,
  size = 'normal',
  testId,
  children,
}: {
  title: ReactNode;
  description?: ReactNode;
  onClose: () => void;
  /** Closing is refused while true (a save is under way). */
  busy?: boolean;
  size?: 'normal' | 'small';
  testId?: string;
  children: ReactNode;
}) {
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  const descriptionId = useId();

  useEffect(() => {
    const dialog = ref.current;
    const opener = document.activeElement;
    if (dialog && !dialog.open) {
      dialog.showModal();
      // React's autoFocus runs before the dialog opens, when nothing in it can take the focus yet.
      dialog.querySelector<HTMLElement>('[data-autofocus]')?.focus();
    }
    return () => {
      dialog?.close();
      // Unmounting is not closing: the browser may not give the focus back, so this does.
      if (opener instanceof HTMLElement && opener.isConnected) opener.focus();
    };
  }, []);

  return (
    <dialog
      ref={ref}
      className={`dialog dialog-${size}`}
      aria-labelledby={titleId}
      aria-describedby={description ? descriptionId : undefined}
      data-testid={testId}
      onCancel={(e) => {
        // Escape: React decides when the dialog goes, by unmounting it.
        e.preventDefault();
        if (!busy) onClose();
      }}
    >
      <header className="dialog-head">
        <div className="dialog-heading">
          <h2 id={titleId} className="dialog-title">
            {title}
          </h2>
          {description && (
            <p id={descriptionId} className="muted dialog-description">
              {description}
            </p>
          )}
        </div>
        <button
          type="button"
          className="icon-button dialog-close"
          aria-label="Close"
          disabled={busy}
          onClick={onClose}
        >
          <Icon name="close" />
        </button>
      </header>
      {children}
    </dialog>
  );
}
