import type { ReactNode } from 'react';
import { Navigate, useLocation } from 'react-router';
import { useAuth } from '../api/queries';
import { ErrorNote } from '../components/ErrorNote';

/** Shows its children once the user may see Mission Control; sends them to the login page otherwise. */
export function RequireAuth({ children }: { children: ReactNode }) {
  const auth = useAuth();
  const location = useLocation();
  if (auth.data === 'required') return <Navigate to="/login" replace state={{ from: location.pathname }} />;
  if (auth.data !== undefined) return children;
  if (auth.isError) {
    return (
      <main className="splash">
        <ErrorNote error={auth.error} />
        <button type="button" className="button" onClick={() => void auth.refetch()}>
          Try again
        </button>
      </main>
    );
  }
  return (
    <main className="splash" aria-busy="true">
      <p className="muted">Connecting to Praktor…</p>
    </main>
  );
}
