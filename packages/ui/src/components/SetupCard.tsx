import type { SetupCheck } from '@praktor/protocol';

/**
 * What Praktor still needs to work, with the one step that fixes each: shown on the Dashboard while something
 * required is missing, and gone once it is all there. Optional pieces (Telegram) are listed with it, never alone.
 */
export function SetupCard({ checks }: { checks: SetupCheck[] }) {
  if (!checks.some((c) => c.required && !c.ok)) return null;
  return (
    <section className="card setup-card" aria-labelledby="setup-title" data-testid="setup-card">
      <h2 id="setup-title" className="card-title">
        Setup
      </h2>
      <p className="muted">Praktor needs this before agents can answer.</p>
      <ul className="setup-list">
        {checks.map((check) => (
          <li
            key={check.id}
            className="setup-item"
            data-testid="setup-item"
            data-id={check.id}
            data-ok={check.ok}
          >
            <span className={`pill ${check.ok ? 'pill-ok' : check.required ? 'pill-danger' : 'pill-off'}`}>
              {check.ok ? 'Done' : check.required ? 'Needed' : 'Optional'}
            </span>
            <div>
              <p className="setup-label">
                <strong>{check.label}</strong> — {check.detail}
              </p>
              {check.fix && <p className="setup-fix">To fix: {check.fix}.</p>}
            </div>
          </li>
        ))}
      </ul>
    </section>
  );
}
