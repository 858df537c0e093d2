import { useRefusals } from '../api/queries';
import { ErrorNote } from './ErrorNote';

/** The connections the gateway's internet proxy refused an agent since the gateway started, newest first. */
export function EgressRefusals({ agentId }: { agentId: string }) {
  const refusals = useRefusals(agentId);
  return (
    <section className="card" aria-labelledby="egress-refusals">
      <h2 id="egress-refusals" className="card-title">
        Refused connections
      </h2>
      {refusals.isError && <ErrorNote error={refusals.error} prefix="Could not load refused connections" />}
      {refusals.data?.length === 0 && (
        <p className="muted">None since the gateway started: everything this agent asked for was allowed.</p>
      )}
      {refusals.data && refusals.data.length > 0 && (
        <ul className="refusals" data-testid="egress-refusals">
          {refusals.data.map((r) => (
            <li key={`${r.at}-${r.target}-${r.reason}`}>
              <time dateTime={new Date(r.at).toISOString()}>{new Date(r.at).toLocaleTimeString()}</time>{' '}
              <code>{r.target}</code> — {r.reason}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
