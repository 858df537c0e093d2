import type { ApprovalAnswer, ApprovalItem } from '@praktor/protocol';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api } from '../api/endpoints';
import { keys, useApprovals } from '../api/queries';
import { formatFullTime } from '../format';
import { ErrorNote } from './ErrorNote';

/** The answers a person can give, in the order they are offered; approving is the primary one. */
const ANSWERS: readonly { answer: ApprovalAnswer; label: string }[] = [
  { answer: 'approve', label: 'Approve' },
  { answer: 'deny', label: 'Deny' },
  { answer: 'always', label: 'Always for this session' },
];

/** One request: which tool, its full input (secrets masked by the gateway), and the three answers. */
function ApprovalRequest({ approval }: { approval: ApprovalItem }) {
  const client = useQueryClient();
  const decide = useMutation({
    mutationFn: (answer: ApprovalAnswer) => api.decideApproval(approval.id, answer),
    onSettled: () => client.invalidateQueries({ queryKey: keys.approvals }),
  });
  return (
    <li className="approval" data-testid="approval" data-approval-id={approval.id}>
      <p className="approval-title">
        <strong>{approval.agent_id}</strong>
        {approval.swarm && (
          <>
            , as <strong>{approval.swarm.role}</strong> in the swarm <strong>{approval.swarm.name}</strong>,
          </>
        )}{' '}
        asks to run <strong>{approval.tool_name}</strong>
        <span className="muted"> · answer by {formatFullTime(approval.expires_at)}</span>
      </p>
      <pre className="approval-input" data-testid="approval-input">
        {approval.input}
      </pre>
      <div className="approval-actions">
        {ANSWERS.map(({ answer, label }) => (
          <button
            key={answer}
            type="button"
            className={answer === 'approve' ? 'button button-small button-primary' : 'button button-small'}
            disabled={decide.isPending}
            onClick={() => decide.mutate(answer)}
          >
            {label}
          </button>
        ))}
      </div>
      {decide.isError && <ErrorNote error={decide.error} prefix="The answer was not taken" />}
    </li>
  );
}

/**
 * The tool calls waiting for a person's yes of one agent (its own and as a swarm member) or of one swarm run's
 * members; nothing when none waits.
 */
export function ApprovalRequests(of: { agentId: string } | { swarmRunId: string }) {
  const approvals = useApprovals();
  const mine = (approvals.data ?? []).filter(
    (a) =>
      a.state === 'pending' &&
      ('agentId' in of ? a.agent_id === of.agentId : a.swarm?.run_id === of.swarmRunId),
  );
  if (mine.length === 0) return null;
  return (
    <section className="approvals" aria-label="Waiting for your approval">
      <ol>
        {mine.map((approval) => (
          <ApprovalRequest key={approval.id} approval={approval} />
        ))}
      </ol>
    </section>
  );
}
