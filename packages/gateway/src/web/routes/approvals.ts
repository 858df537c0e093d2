/**
 * Approval requests: tool calls waiting for a person's yes, and the answers Mission Control gives them.
 */
import { ApprovalDecisionRequest, ApprovalItem } from '@praktor/protocol';
import { z } from 'zod';
import { HttpError } from '../http-error.js';
import { type Route, route } from '../route.js';
import { approvalItem } from '../views.js';

/** Who answers from Mission Control: whoever holds its password. */
const MISSION_CONTROL = 'mission-control';

/** The approval routes. */
export const approvalRoutes: Route[] = [
  route({
    method: 'GET',
    url: '/api/approvals',
    summary:
      'Approval requests, newest first: those waiting (`pending=true`, the default) or the latest 100.',
    query: z.object({ pending: z.enum(['true', 'false']).default('true') }),
    response: z.array(ApprovalItem),
    handle({ query }, deps) {
      return deps.store.approvals.latest(100, query.pending === 'true').map(approvalItem);
    },
  }),
  route({
    method: 'POST',
    url: '/api/approvals/:id',
    summary:
      'Answer a waiting request: `approve`, `deny`, or `always` (approve, and do not ask again in this session). ' +
      'Only the first answer counts: a request answered, timed out or expired already gives 409.',
    body: ApprovalDecisionRequest,
    response: ApprovalItem,
    handle({ params, body }, deps) {
      const outcome = deps.orchestrator.approvals.decide(params.id, body.answer, MISSION_CONTROL);
      if (outcome.ok) return approvalItem(outcome.approval);
      throw new HttpError(outcome.approval ? 409 : 404, outcome.reason);
    },
  }),
];
