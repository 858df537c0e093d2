import type { ApprovalAnswer, ApprovalItem } from '@praktor/protocol';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api } from '../api/endpoints';
import { keys, useApprovals } from '../api/queries';
import { formatFullTime } from '../format';
import { ErrorNote } from './ErrorNote';

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
        <strong>{approval.agent_id}</strong> asks to run <strong>{approval.tool_name}</strong>
        <span className="muted"> · answer by {formatFullTime(approval.expires_at)}</span>
      </p>
      <pre className="approval-input" data-testid="approval-input">
        {approval.input}
      </pre>
      <div className="approval-actions">
        <button
          type="button"
          className="button button-small button-primary"
          disabled={decide.isPending}
          onClick={() => decide.mutate('approve')}
        >
          Approve
        </button>
        <button
          type="button"
          className="button button-small"
          disabled={decide.isPending}
          onClick={() => decide.mutate('deny')}
        >
          Deny
        </button>
        <button
          type="button"
          className="button button-small"
          disabled={decide.isPending}
          onClick={() => decide.mutate('always')}
        >
          Always for this session
        </button>
      </div>
      {decide.isError && <ErrorNote error={decide.error} prefix="The answer was not taken" />}
    </li>
  );
}

/** The agent's tool calls waiting for a person's yes; nothing when none waits. */
export function ApprovalRequests({ agentId }: { agentId: string }) {
  const approvals = useApprovals();
  const mine = (approvals.data ?? []).filter((a) => a.agent_id === agentId && a.state === 'pending');
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
