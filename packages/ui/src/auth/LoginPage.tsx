import { type FormEvent, useId, useState } from 'react';
import { Navigate, useLocation, useNavigate } from 'react-router';
import { ApiError } from '../api/client';
import { useAuth } from '../api/queries';
import { Brand } from '../components/Layout';
import { ThemeToggle } from '../theme/ThemeToggle';
import { usePageTitle } from '../usePageTitle';
import { useSignIn } from './session';

/** What to tell the user about a failed sign-in. */
function loginError(err: Error): string {
  if (!(err instanceof ApiError)) return err.message;
  if (err.isNetwork) return 'Could not reach Praktor. Check that the gateway is running, then try again.';
  if (err.status === 401) return 'Wrong password. Try again.';
  // The server's own words say how long to wait ("too many attempts; try again in 42 s").
  return err.message.charAt(0).toUpperCase() + err.message.slice(1);
}

/** The password form, shown when Mission Control is protected and the user is not signed in. */
export function LoginPage() {
  usePageTitle('Sign in');
  const auth = useAuth();
  const signIn = useSignIn();
  const navigate = useNavigate();
  const location = useLocation();
  const [password, setPassword] = useState('');
  const fieldId = useId();
  const errorId = useId();
  const from = (location.state as { from?: string } | null)?.from ?? '/';

  if (auth.data === 'off' || auth.data === 'ok') return <Navigate to={from} replace />;

  const submit = (e: FormEvent) => {
    e.preventDefault();
    signIn.mutate(password, {
      onSuccess: () => navigate(from, { replace: true }),
      onError: () => setPassword(''),
    });
  };

  return (
    <main className="login">
      <div className="login-theme">
        <ThemeToggle />
      </div>
      <form className="login-card card" onSubmit={submit} aria-labelledby="login-title">
        <div className="brand-large">
          <Brand />
        </div>
        <h1 id="login-title" className="login-title">
          Sign in
        </h1>
        <label htmlFor={fieldId} className="field-label">
          Password
        </label>
        <input
          id={fieldId}
          className="input"
          type="password"
          name="password"
          autoComplete="current-password"
          required
          // biome-ignore lint/a11y/noAutofocus: the page's only field; typing the password is all there is to do here
          autoFocus
          data-testid="login-password"
          value={password}
          onChange={(e) => setPassword(e.target.value)}
          aria-invalid={signIn.isError}
          aria-describedby={signIn.isError ? errorId : undefined}
        />
        {signIn.isError && (
          <p id={errorId} className="error-note" role="alert" data-testid="login-error">
            {loginError(signIn.error)}
          </p>
        )}
        <button
          type="submit"
          className="button button-primary button-block"
          data-testid="login-submit"
          disabled={signIn.isPending || password === ''}
        >
          {signIn.isPending ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
    </main>
  );
}
