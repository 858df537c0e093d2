import type { PairedUserItem, PairingRequestItem } from '@praktor/protocol';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { api } from '../api/endpoints';
import { keys, usePairing } from '../api/queries';
import { ErrorNote } from '../components/ErrorNote';
import { PageHeader } from '../components/PageHeader';
import { formatFullTime, formatTime } from '../format';
import { usePageTitle } from '../usePageTitle';

function who(user: { name: string; username: string | null; user_id: number }) {
  return (
    <>
      <strong>{user.name || `User ${user.user_id}`}</strong>
      {user.username && <span className="muted"> @{user.username}</span>}
      <span className="muted"> · {user.user_id}</span>
    </>
  );
}

/**
 * Pairing: new Telegram users who asked for access with a code, to approve, and the users let in that way, to
 * revoke. Users on `telegram.allow_from` are the config file's to change.
 */
export function PairingPage() {
  usePageTitle('Pairing');
  const client = useQueryClient();
  const pairing = usePairing();
  const [status, setStatus] = useState<string | null>(null);
  const refresh = () => client.invalidateQueries({ queryKey: keys.pairing });
  const approve = useMutation({
    mutationFn: (request: PairingRequestItem) => api.approvePairing(request.code),
    onSuccess: (reply) => setStatus(`${reply.user.name || reply.user.user_id} can talk to the agents now.`),
    onSettled: refresh,
  });
  const revoke = useMutation({
    mutationFn: (user: PairedUserItem) => api.revokePairing(user.user_id),
    onSuccess: (_reply, user) => setStatus(`${user.name || user.user_id} can no longer talk to the agents.`),
    onSettled: refresh,
  });
  const data = pairing.data;
  return (
    <>
      <PageHeader
        title="Pairing"
        subtitle="New Telegram users get a code from the bot and ask you for access. Approve them here."
      />
      <p role="status" data-testid="pairing-status">
        {status}
      </p>
      {pairing.isPending && <p className="muted">Loading…</p>}
      {pairing.isError && <ErrorNote error={pairing.error} prefix="Could not load pairing" />}
      {approve.isError && <ErrorNote error={approve.error} prefix="Could not approve" />}
      {revoke.isError && <ErrorNote error={revoke.error} prefix="Could not revoke" />}
      {data && !data.enabled && (
        <p className="muted" data-testid="pairing-off">
          Pairing is off (<code>telegram.pairing</code>): unknown users get no code.
        </p>
      )}
      {data && (
        <section className="card" aria-labelledby="pairing-pending-title">
          <h2 id="pairing-pending-title" className="card-title">
            Waiting for approval
          </h2>
          {data.pending.length === 0 ? (
            <p className="muted">No one is waiting. Codes are valid for one hour.</p>
          ) : (
            <ul className="plain-list" data-testid="pairing-pending">
              {data.pending.map((request) => (
                <li key={request.code} data-testid="pairing-request">
                  {who(request)} · <code>{request.code}</code> ·{' '}
                  <time title={formatFullTime(request.created_at)}>{formatTime(request.created_at)}</time>{' '}
                  <button
                    type="button"
                    className="button button-small button-primary"
                    data-testid="pairing-approve"
                    disabled={approve.isPending}
                    onClick={() => approve.mutate(request)}
                  >
                    Approve
                  </button>
                </li>
              ))}
            </ul>
          )}
        </section>
      )}
      {data && (
        <section className="card" aria-labelledby="pairing-approved-title">
          <h2 id="pairing-approved-title" className="card-title">
            Let in by pairing
          </h2>
          {data.approved.length === 0 ? (
            <p className="muted">No one yet.</p>
          ) : (
            <ul className="plain-list" data-testid="pairing-approved">
              {data.approved.map((user) => (
                <li key={user.user_id} data-testid="paired-user">
                  {who(user)} · approved{' '}
                  <time title={formatFullTime(user.approved_at)}>{formatTime(user.approved_at)}</time> by{' '}
                  {user.approved_by}{' '}
                  <button
                    type="button"
                    className="button button-small button-danger-quiet"
                    data-testid="pairing-revoke"
                    disabled={revoke.isPending}
                    onClick={() => revoke.mutate(user)}
                  >
                    Revoke
                  </button>
                </li>
              ))}
            </ul>
          )}
        </section>
      )}
    </>
  );
}
