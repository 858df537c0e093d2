import { useEffect, useState } from 'react';
import { NavLink, Outlet, useLocation } from 'react-router';
import { useAuth } from '../api/queries';
import { useSignOut } from '../auth/session';
import { ThemeToggle } from '../theme/ThemeToggle';
import { ConfigProblem } from './ConfigProblem';
import { ConnectionIndicator } from './ConnectionIndicator';
import { ErrorNote } from './ErrorNote';
import { Icon, type IconName } from './Icon';
import { Notices } from './Notices';

const NAV: { to: string; label: string; icon: IconName; testId: string }[] = [
  { to: '/', label: 'Dashboard', icon: 'dashboard', testId: 'nav-dashboard' },
  { to: '/agents', label: 'Agents', icon: 'agents', testId: 'nav-agents' },
  { to: '/conversations', label: 'Conversations', icon: 'conversations', testId: 'nav-conversations' },
  { to: '/tasks', label: 'Tasks', icon: 'clock', testId: 'nav-tasks' },
  { to: '/swarms', label: 'Swarms', icon: 'agents', testId: 'nav-swarms' },
  { to: '/costs', label: 'Costs', icon: 'coins', testId: 'nav-costs' },
  { to: '/secrets', label: 'Secrets', icon: 'key', testId: 'nav-secrets' },
  { to: '/user', label: 'User', icon: 'user', testId: 'nav-user' },
  { to: '/pairing', label: 'Pairing', icon: 'key', testId: 'nav-pairing' },
];

/** "Praktor · Mission Control", set on two lines. */
export function Brand() {
  return (
    <span className="brand">
      <span className="brand-mark" aria-hidden="true">
        P
      </span>
      <span className="brand-text">
        <span className="brand-name">Praktor</span>
        <span className="visually-hidden"> · </span>
        <span className="brand-sub">Mission Control</span>
      </span>
    </span>
  );
}

function SignOut() {
  const signOut = useSignOut();
  return (
    <>
      <button
        type="button"
        className="icon-button"
        data-testid="sign-out"
        disabled={signOut.isPending}
        onClick={() => signOut.mutate()}
      >
        <Icon name="signOut" />
        <span className="icon-button-label">Sign out</span>
      </button>
      {signOut.isError && <ErrorNote error={signOut.error} prefix="Could not sign out" />}
    </>
  );
}

/** The frame of every signed-in page: the sidebar (behind a menu button on phones) and the page itself. */
export function Layout() {
  const auth = useAuth();
  const location = useLocation();
  const [menuOpen, setMenuOpen] = useState(false);

  // Following a link on a phone should show the page, not the menu that was used to get there.
  // biome-ignore lint/correctness/useExhaustiveDependencies: runs on every navigation on purpose
  useEffect(() => setMenuOpen(false), [location.pathname]);

  useEffect(() => {
    if (!menuOpen) return;
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape') setMenuOpen(false);
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [menuOpen]);

  return (
    <div className="shell" data-menu-open={menuOpen}>
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="topbar">
        <button
          type="button"
          className="icon-button menu-button"
          aria-expanded={menuOpen}
          aria-controls="sidebar"
          aria-label={menuOpen ? 'Close menu' : 'Open menu'}
          data-testid="menu-button"
          onClick={() => setMenuOpen((open) => !open)}
        >
          <Icon name={menuOpen ? 'close' : 'menu'} size={22} />
        </button>
        <Brand />
        <ConnectionIndicator />
      </header>
      <aside id="sidebar" className="sidebar">
        <div className="sidebar-brand">
          <Brand />
        </div>
        <nav aria-label="Main">
          <ul className="nav">
            {NAV.map((item) => (
              <li key={item.to}>
                <NavLink to={item.to} end={item.to === '/'} className="nav-link" data-testid={item.testId}>
                  <Icon name={item.icon} />
                  {item.label}
                </NavLink>
              </li>
            ))}
          </ul>
        </nav>
        <div className="sidebar-footer">
          <span className="sidebar-connection">
            <ConnectionIndicator testId="connection" />
          </span>
          <ThemeToggle />
          {auth.data === 'ok' && <SignOut />}
        </div>
      </aside>
      <button
        type="button"
        className="scrim"
        tabIndex={-1}
        aria-hidden="true"
        onClick={() => setMenuOpen(false)}
      />
      <main id="main" className="main" tabIndex={-1}>
        <ConfigProblem />
        <Outlet />
      </main>
      <Notices />
    </div>
  );
}
