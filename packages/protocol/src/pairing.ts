/**
 * Pairing as Mission Control and scripts see it: codes waiting for the owner's approval, and the Telegram users
 * let in through one.
 */
import { z } from 'zod';

/** A pairing code waiting for approval. Times are ms since the epoch. */
export const PairingRequestItem = z.object({
  code: z.string(),
  user_id: z.number().int(),
  name: z.string(),
  username: z.string().nullable(),
  chat_id: z.string(),
  created_at: z.number().int(),
  expires_at: z.number().int(),
});
export type PairingRequestItem = z.infer<typeof PairingRequestItem>;

/** A Telegram user let in through pairing; `approved_by` says where (`mission-control`, `cli`, a chat). */
export const PairedUserItem = z.object({
  user_id: z.number().int(),
  name: z.string(),
  username: z.string().nullable(),
  approved_at: z.number().int(),
  approved_by: z.string(),
});
export type PairedUserItem = z.infer<typeof PairedUserItem>;

/** `GET /api/pairing`: whether pairing is on, the codes waiting, and the users let in. */
export const PairingList = z.object({
  enabled: z.boolean(),
  pending: z.array(PairingRequestItem),
  approved: z.array(PairedUserItem),
});
export type PairingList = z.infer<typeof PairingList>;

/** `POST /api/pairing/{code}/approve`: the user let in. */
export const PairingApproveReply = z.object({ status: z.literal('approved'), user: PairedUserItem });
export type PairingApproveReply = z.infer<typeof PairingApproveReply>;
