import { type ReactNode, useEffect, useState } from 'react';
import { useNavigate } from 'react-router';
import { ConfirmDialog } from './ConfirmDialog';

/**
 * While `dirty`, leaving asks first: closing or reloading the tab gets the browser's own question, and following a
 * link inside Mission Control (the menu, a link on the page) gets a dialog naming `what` would be lost. Returns the
 * dialog to render (null when none is open).
 *
 * The app's router is a declarative `BrowserRouter`, which has no navigation blocker, so links are caught on their
 * way: a click on an in-app link is held while the dialog asks, and followed on "Leave".
 */
export function useLeaveGuard(dirty: boolean, what: string): ReactNode {
  const navigate = useNavigate();
  const [held, setHeld] = useState<string | null>(null);

  useEffect(() => {
    if (!dirty) return;
    const warn = (e: BeforeUnloadEvent) => e.preventDefault();
    const hold = (e: MouseEvent) => {
      if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
      const link = e.target instanceof Element ? e.target.closest('a[href]') : null;
      if (!(link instanceof HTMLAnchorElement) || link.target === '_blank') return;
      const url = new URL(link.href);
      if (url.origin !== window.location.origin) return;
      const path = `${url.pathname}${url.search}${url.hash}`;
      if (path === `${window.location.pathname}${window.location.search}${window.location.hash}`) return;
      e.preventDefault();
      e.stopPropagation();
      setHeld(path);
    };
    window.addEventListener('beforeunload', warn);
    // Capture: before the router's own click handler on the link.
    document.addEventListener('click', hold, true);
    return () => {
      window.removeEventListener('beforeunload', warn);
      document.removeEventListener('click', hold, true);
    };
  }, [dirty]);

  if (held === null) return null;
  return (
    <ConfirmDialog
      title="Leave without saving?"
      confirmLabel="Leave"
      pendingLabel="Leaving…"
      pending={false}
      error={null}
      onCancel={() => setHeld(null)}
      onConfirm={() => {
        setHeld(null);
        navigate(held);
      }}
    >
      <p>Your changes to {what} are not saved; leaving discards them.</p>
    </ConfirmDialog>
  );
}
