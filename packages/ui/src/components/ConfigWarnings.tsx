/**
 * What praktor.yaml holds that Praktor ignored (a mistyped key, with the key probably meant), as the start banner
 * lists it: shown on the Dashboard, since a log line at start is easy to miss. Nothing when there is nothing.
 */
export function ConfigWarnings({ warnings }: { warnings: readonly string[] }) {
  if (warnings.length === 0) return null;
  return (
    <section
      className="card config-warnings"
      aria-labelledby="config-warnings-title"
      data-testid="config-warnings"
    >
      <h2 id="config-warnings-title" className="card-title">
        In the configuration
      </h2>
      <p className="muted">Praktor ignored these; fix praktor.yaml and restart Praktor.</p>
      <ul className="config-warning-list">
        {warnings.map((warning) => (
          <li key={warning} data-testid="config-warning">
            {warning}
          </li>
        ))}
      </ul>
    </section>
  );
}
