import type { DoctorCheck, DoctorReport } from '@praktor/protocol';

const PILL: Record<DoctorCheck['status'], { className: string; label: string }> = {
  ok: { className: 'pill-ok', label: 'OK' },
  warn: { className: 'pill-warn', label: 'Warning' },
  fail: { className: 'pill-danger', label: 'Problem' },
  skip: { className: 'pill-off', label: 'Not used' },
};

/**
 * The Health panel: the checks of `praktor doctor` as the running gateway finds them, each problem with its fix.
 * Read-only: fixing happens where the panel says (the configuration, the environment, the machine).
 */
export function HealthCard({ report }: { report: DoctorReport }) {
  return (
    <section className="card" aria-labelledby="health-title" data-testid="health-card" data-ok={report.ok}>
      <h2 id="health-title" className="card-title">
        Health
      </h2>
      <ul className="setup-list">
        {report.checks.map((check) => (
          <li
            key={check.id}
            className="setup-item"
            data-testid="health-item"
            data-id={check.id}
            data-status={check.status}
          >
            <span className={`pill ${PILL[check.status].className}`}>{PILL[check.status].label}</span>
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
