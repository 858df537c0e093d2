/**
 * Pairing: who may talk to the Telegram bot besides `telegram.allow_from`. An unknown sender gets a short code
 * and asks the owner, who approves it (Mission Control, `praktor pair approve`, the API, or `/pair` in an allowed
 * chat); from then on the sender is let in, without a restart, until revoked.
 */
import { randomInt } from 'node:crypto';
import type { Config } from '../config/index.js';
import type { PairedUserRecord, PairingRequestRecord, PairingUser, Store } from '../store/index.js';

/** A code is valid this long. */
export const CODE_TTL_MS = 60 * 60_000;
/** At most this many codes wait for approval at once: a stranger cannot fill the owner's list. */
export const MAX_PENDING = 3;
/** A sender is sent their code again at most this often, so the bot cannot be used to spam. */
const NOTICE_INTERVAL_MS = 10 * 60_000;
/** Wrong codes tried within {@link GUESS_WINDOW_MS} before approving is refused for the rest of the window. */
const GUESSES_ALLOWED = 5;
const GUESS_WINDOW_MS = 10 * 60_000;
/** No 0/O, 1/I/L: a code read aloud or copied by hand comes out right. */
const ALPHABET = 'ABCDEFGHJKMNPQRSTUVWXYZ23456789';
const CODE_LENGTH = 8;

/** What an unknown sender is told, if anything. */
export type PairingAnswer =
  | { kind: 'code'; code: string; expiresAt: number }
  /** Told recently already (their code stands): say nothing, so that the bot cannot be used to spam. */
  | { kind: 'quiet' }
  /** {@link MAX_PENDING} codes wait already. */
  | { kind: 'full' };

/** Why an approval was refused. */
export class PairingError extends Error {
  override name = 'PairingError';

  /** @param reason `unknown` (no such code, or expired) or `throttled` (too many wrong codes lately) */
  constructor(
    message: string,
    readonly reason: 'unknown' | 'throttled',
  ) {
    super(message);
  }
}

/** Whether pairing is on: `telegram.pairing`, or, left out, when `allow_from` is empty. */
export function pairingEnabled(config: Config): boolean {
  return config.telegram.pairing ?? config.telegram.allow_from.length === 0;
}

/** Letting Telegram users in by code. */
export class Pairing {
  private readonly noticeSentAt = new Map<number, number>();
  private wrongGuesses: number[] = [];

  constructor(
    private readonly deps: { config: () => Config; store: Store },
    private readonly now: () => number = Date.now,
  ) {}

  /** Whether a Telegram user may talk to the agents: on `allow_from`, or paired. */
  allows(userId: number): boolean {
    return (
      this.deps.config().telegram.allow_from.includes(userId) || this.deps.store.pairings.isPaired(userId)
    );
  }

  /** Whether unknown senders get a code now. */
  get enabled(): boolean {
    return pairingEnabled(this.deps.config());
  }

  /** Answers an unknown sender writing from the private chat `chatId`: their code (a new one, or the one they have). */
  request(user: PairingUser, chatId: string): PairingAnswer {
    const now = this.now();
    for (const [userId, at] of this.noticeSentAt) {
      if (now - at >= NOTICE_INTERVAL_MS) this.noticeSentAt.delete(userId);
    }
    const pending = this.deps.store.pairings.pending(now);
    const own = pending.find((request) => request.userId === user.userId);
    if (now - (this.noticeSentAt.get(user.userId) ?? 0) < NOTICE_INTERVAL_MS) return { kind: 'quiet' };
    if (own) {
      this.noticeSentAt.set(user.userId, now);
      return { kind: 'code', code: own.code, expiresAt: own.expiresAt };
    }
    if (pending.length >= MAX_PENDING) {
      this.noticeSentAt.set(user.userId, now);
      return { kind: 'full' };
    }
    const request: PairingRequestRecord = {
      ...user,
      code: newCode(),
      chatId,
      createdAt: now,
      expiresAt: now + CODE_TTL_MS,
    };
    this.deps.store.pairings.addRequest(request);
    this.noticeSentAt.set(user.userId, now);
    return { kind: 'code', code: request.code, expiresAt: request.expiresAt };
  }

  /**
   * Lets in the sender of `code` (case and spaces do not matter). Throws {@link PairingError} for a code that is
   * not waiting, and for every code while too many wrong ones were tried lately.
   */
  approve(code: string, approvedBy: string): PairedUserRecord {
    const now = this.now();
    this.wrongGuesses = this.wrongGuesses.filter((at) => now - at < GUESS_WINDOW_MS);
    if (this.wrongGuesses.length >= GUESSES_ALLOWED) {
      const waitMin = Math.ceil(((this.wrongGuesses[0] as number) + GUESS_WINDOW_MS - now) / 60_000);
      throw new PairingError(`too many wrong pairing codes lately; try again in ${waitMin} min`, 'throttled');
    }
    const paired = this.deps.store.pairings.approve(normalise(code), approvedBy, now);
    if (paired) return paired;
    this.wrongGuesses.push(now);
    throw new PairingError(
      `no pairing code "${code}" is waiting (codes are valid for one hour; see praktor pair list)`,
      'unknown',
    );
  }

  /** Codes waiting for approval, oldest first. */
  pending(): PairingRequestRecord[] {
    return this.deps.store.pairings.pending(this.now());
  }

  /** Users let in through pairing. */
  paired(): PairedUserRecord[] {
    return this.deps.store.pairings.paired();
  }

  /** Takes a paired user's access away; returns whether they had it. `allow_from` is the config's to change. */
  revoke(userId: number): boolean {
    return this.deps.store.pairings.revoke(userId);
  }
}

function newCode(): string {
  let code = '';
  for (let i = 0; i < CODE_LENGTH; i++) code += ALPHABET[randomInt(ALPHABET.length)];
  return code;
}

function normalise(code: string): string {
  return code.replace(/[\s-]/g, '').toUpperCase();
}
