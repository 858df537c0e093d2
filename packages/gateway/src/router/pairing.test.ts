import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseConfig } from '../config/index.js';
import { Store } from '../store/index.js';
import { CODE_TTL_MS, MAX_PENDING, Pairing, PairingError } from './pairing.js';

let dir: string;
let store: Store;
let now: number;
let pairing: Pairing;

const config = (text: string) => parseConfig(text, { env: {}, source: 'praktor.yaml', cwd: '/srv' }).config;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'praktor-pairing-'));
  store = Store.open(dir);
  now = 1_700_000_000_000;
  const allowOne = config('telegram: { allow_from: [1] }');
  pairing = new Pairing({ config: () => allowOne, store }, () => now);
});

afterEach(() => {
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

const user = (userId: number) => ({ userId, name: `User ${userId}`, username: `user${userId}` });

function codeFor(userId: number): string {
  const answer = pairing.request(user(userId), String(userId));
  if (answer.kind !== 'code') throw new Error(`expected a code, got ${answer.kind}`);
  return answer.code;
}

/** The error `act` throws. */
function thrown(act: () => unknown): PairingError {
  try {
    act();
  } catch (err) {
    if (err instanceof PairingError) return err;
    throw err;
  }
  throw new Error('nothing was thrown');
}

describe('Pairing', () => {
  it('lets in users on allow_from and nobody else before an approval', () => {
    expect(pairing.allows(1)).toBe(true);
    expect(pairing.allows(2)).toBe(false);
  });

  it('is on by default only while allow_from is empty, and telegram.pairing decides when set', () => {
    const on = (text: string) => new Pairing({ config: () => config(text), store }).enabled;
    expect(on('telegram: {}')).toBe(true);
    expect(on('telegram: { allow_from: [1] }')).toBe(false);
    expect(on('telegram: { pairing: false }')).toBe(false);
    expect(on('telegram: { allow_from: [1], pairing: true }')).toBe(true);
  });

  it('gives an unknown user a code of eight unambiguous characters, valid for an hour', () => {
    const answer = pairing.request(user(2), '2');
    expect(answer).toEqual({
      kind: 'code',
      code: expect.stringMatching(/^[A-HJKMNP-Z2-9]{8}$/),
      expiresAt: now + CODE_TTL_MS,
    });
  });

  it('lets the user of an approved code in at once, and records who approved', () => {
    const code = codeFor(2);
    const paired = pairing.approve(code.toLowerCase(), 'cli');
    expect(paired).toMatchObject({ userId: 2, name: 'User 2', username: 'user2', approvedBy: 'cli' });
    expect(pairing.allows(2)).toBe(true);
    expect(pairing.pending()).toEqual([]);
  });

  it('says nothing to a user who asks again within ten minutes, then repeats the same code', () => {
    const code = codeFor(2);
    expect(pairing.request(user(2), '2')).toEqual({ kind: 'quiet' });
    now += 10 * 60_000;
    expect(pairing.request(user(2), '2')).toMatchObject({ kind: 'code', code });
  });

  it(`refuses a code to a user beyond ${MAX_PENDING} waiting`, () => {
    for (let id = 2; id < 2 + MAX_PENDING; id++) codeFor(id);
    expect(pairing.request(user(99), '99')).toEqual({ kind: 'full' });
    expect(pairing.pending().map((r) => r.userId)).toEqual([2, 3, 4]);
  });

  it('refuses an expired code, and forgets it', () => {
    const code = codeFor(2);
    now += CODE_TTL_MS;
    expect(thrown(() => pairing.approve(code, 'cli')).reason).toBe('unknown');
    expect(pairing.pending()).toEqual([]);
    expect(pairing.allows(2)).toBe(false);
  });

  it('refuses every code, the right one too, after five wrong guesses in ten minutes', () => {
    const code = codeFor(2);
    for (let i = 0; i < 5; i++)
      expect(thrown(() => pairing.approve(`WRONG${i}`, 'cli')).reason).toBe('unknown');
    expect(thrown(() => pairing.approve(code, 'cli')).reason).toBe('throttled');
    expect(pairing.allows(2)).toBe(false);
    now += 10 * 60_000;
    expect(pairing.approve(code, 'cli').userId).toBe(2);
  });

  it('takes a paired user’s access away on revoke', () => {
    pairing.approve(codeFor(2), 'cli');
    expect(pairing.revoke(2)).toBe(true);
    expect(pairing.allows(2)).toBe(false);
    expect(pairing.revoke(2)).toBe(false);
  });
});
