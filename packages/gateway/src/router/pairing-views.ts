/**
 * Pairing records as the API and the command line show them.
 */
import type { PairedUserItem, PairingRequestItem } from '@praktor/protocol';
import type { PairedUserRecord, PairingRequestRecord } from '../store/index.js';

/** A waiting code, as the API shows it. */
export function pairingRequestItem(request: PairingRequestRecord): PairingRequestItem {
  return {
    code: request.code,
    user_id: request.userId,
    name: request.name,
    username: request.username,
    chat_id: request.chatId,
    created_at: request.createdAt,
    expires_at: request.expiresAt,
  };
}

/** A paired user, as the API shows them. */
export function pairedUserItem(user: PairedUserRecord): PairedUserItem {
  return {
    user_id: user.userId,
    name: user.name,
    username: user.username,
    approved_at: user.approvedAt,
    approved_by: user.approvedBy,
  };
}
