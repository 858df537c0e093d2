import { useNotices } from '../live/LiveProvider';

/** Errors the gateway announced, stacked in a corner until they expire or are dismissed. */
export function Notices() {
  const { notices, dismiss } = useNotices();
  return (
    <section className="notices" aria-label="Notifications">
      {notices.map((n) => (
        <div key={n.id} className="notice" role="alert">
          <p>{n.text}</p>
          <button type="button" className="icon-button" aria-label="Dismiss" onClick={() => dismiss(n.id)}>
            ×
          </button>
        </div>
      ))}
    </section>
  );
}
