/**
 * Pairing: the codes unknown Telegram users got, approving one, and the users let in (and taking access away).
 */
import { PairingApproveReply, PairingList, StatusReply } from '@praktor/protocol';
import { PairingError } from '../../router/pairing.js';
import { pairedUserItem, pairingRequestItem } from '../../router/pairing-views.js';
import { HttpError } from '../http-error.js';
import { type Route, route } from '../route.js';

/** The pairing routes. */
export const pairingRoutes: Route[] = [
  route({
    method: 'GET',
    url: '/api/pairing',
    summary: 'Whether pairing is on, the codes waiting for approval (oldest first), and the users let in.',
    response: PairingList,
    handle: (_input, deps) => ({
      enabled: deps.pairing.enabled,
      pending: deps.pairing.pending().map(pairingRequestItem),
      approved: deps.pairing.paired().map(pairedUserItem),
    }),
  }),
  route({
    method: 'POST',
    url: '/api/pairing/:code/approve',
    summary:
      'Lets in the Telegram user who got this code; their next message reaches the agents. 404 for a code that ' +
      'is not waiting, 429 after too many wrong codes.',
    response: PairingApproveReply,
    handle({ params }, deps) {
      try {
        return {
          status: 'approved',
          user: pairedUserItem(deps.pairing.approve(params.code, 'mission-control')),
        };
      } catch (err) {
        if (err instanceof PairingError)
          throw new HttpError(err.reason === 'throttled' ? 429 : 404, err.message);
        throw err;
      }
    },
  }),
  route({
    method: 'DELETE',
    url: '/api/pairing/users/:userId',
    summary:
      'Takes a paired Telegram user’s access away (users on telegram.allow_from are the config’s to remove).',
    response: StatusReply,
    handle({ params }, deps) {
      const userId = Number(params.userId);
      if (!Number.isSafeInteger(userId))
        throw new HttpError(400, `userId: "${params.userId}" is not a user id`);
      if (!deps.pairing.revoke(userId)) throw new HttpError(404, `user ${userId} is not paired`);
      return { status: 'revoked' };
    },
  }),
];
