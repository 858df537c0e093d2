/**
 * Who may use Mission Control: a password (`web.auth`), login sessions kept in SQLite, Basic auth for scripts, and
 * the checks that keep other web pages from acting through the user's browser.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { WebSessionStore } from '../store/web-sessions.js';
import { HttpError } from './http-error.js';

/** The session cookie's name. */
export const SESSION_COOKIE = 'praktor_session';

/** A login lasts this long, in the database and in the browser alike. */
const SESSION_MS = 30 * 24 * 60 * 60_000;
const LOGIN_WINDOW_MS = 60_000;
const LOGIN_FAILURES_ALLOWED = 5;

function sha256(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}

/** Compares two secrets in time that does not depend on where they differ (hashing first evens out lengths). */
export function secretsEqual(a: string, b: string): boolean {
  return timingSafeEqual(sha256(a), sha256(b));
}

/** Beyond this many clients with failures on record, those whose failures have all expired are forgotten. */
const TRACKED_CLIENTS = 10_000;

/**
 * Counts failed password attempts (logins and Basic auth alike) per client and says when to stop listening to
 * one. Only failures count: a client that knows the password is never slowed down by its own use of the API.
 */
export class LoginThrottle {
  private readonly failures = new Map<string, number[]>();

  /** Seconds the client must wait before trying again, or 0 when it may try now. */
  retryAfter(client: string, now = Date.now()): number {
    const recent = this.recent(client, now);
    if (recent.length < LOGIN_FAILURES_ALLOWED) return 0;
    return Math.max(1, Math.ceil(((recent[0] as number) + LOGIN_WINDOW_MS - now) / 1000));
  }

  /** Records a failed attempt. */
  fail(client: string, now = Date.now()): void {
    this.failures.set(client, [...this.recent(client, now), now]);
    if (this.failures.size > TRACKED_CLIENTS)
      for (const known of this.failures.keys()) this.recent(known, now);
  }

  /** Forgets a client's failures after it logged in. */
  succeed(client: string): void {
    this.failures.delete(client);
  }

  private recent(client: string, now: number): number[] {
    const kept = (this.failures.get(client) ?? []).filter((at) => now - at < LOGIN_WINDOW_MS);
    if (kept.length === 0) this.failures.delete(client);
    return kept;
  }
}

/** What a request proved about itself. */
export type Identity = { kind: 'open' } | { kind: 'session'; tokenHash: string } | { kind: 'basic' } | null;

/** Authenticates requests against the configured password. */
export class Auth {
  private readonly throttle = new LoginThrottle();
  private readonly endListeners: ((tokenHash: string) => void)[] = [];

  /** @param password the password in force (`web.auth`, which a reload can change); empty: none needed */
  constructor(
    private readonly password: () => string,
    private readonly sessions: WebSessionStore,
  ) {}

  /** Whether a password is required at all. */
  get enabled(): boolean {
    return this.password() !== '';
  }

  /**
   * Ends every login session: after a new password, a browser logged in with the old one (perhaps the reason for
   * the change) must log in again.
   */
  endAllSessions(): void {
    for (const tokenHash of this.sessions.deleteAll()) {
      for (const listener of this.endListeners) listener(tokenHash);
    }
  }

  /** Checks a password attempt. */
  private passwordMatches(attempt: string): boolean {
    return this.enabled && secretsEqual(attempt, this.password());
  }

  /**
   * Checks a password attempt from the request's client against the throttle: throws 429 (with Retry-After)
   * while the client is over its budget of failures, whether or not the attempt is right, else records the
   * outcome. The client is `request.ip`, which names a proxy's client only for `web.trusted_proxies`.
   */
  private attempt(request: FastifyRequest, password: string): boolean {
    const wait = this.throttle.retryAfter(request.ip);
    if (wait > 0) {
      throw new HttpError(429, `too many attempts; try again in ${wait} s`, { 'retry-after': String(wait) });
    }
    if (!this.passwordMatches(password)) {
      this.throttle.fail(request.ip);
      return false;
    }
    this.throttle.succeed(request.ip);
    return true;
  }

  /** Logs in with `password`: starts a session, or throws 401 (wrong password) or 429 (too many attempts). */
  login(request: FastifyRequest, reply: FastifyReply, password: string): void {
    if (!this.attempt(request, password)) throw new HttpError(401, 'invalid password');
    this.startSession(request, reply);
  }

  /** Starts a session and sets its cookie. */
  private startSession(request: FastifyRequest, reply: FastifyReply): void {
    const token = randomBytes(32).toString('base64url');
    this.sessions.purgeExpired();
    this.sessions.create(sha256(token).toString('hex'), Date.now() + SESSION_MS);
    reply.setCookie(SESSION_COOKIE, token, {
      path: '/',
      httpOnly: true,
      sameSite: 'strict',
      // A proxy's X-Forwarded-Proto counts only from web.trusted_proxies (fastify's trustProxy).
      secure: request.protocol === 'https',
      maxAge: SESSION_MS / 1000,
    });
  }

  /** Ends the request's session, if it has one, and clears its cookie. */
  endSession(request: FastifyRequest, reply: FastifyReply): void {
    const token = request.cookies[SESSION_COOKIE];
    if (token) {
      const tokenHash = sha256(token).toString('hex');
      this.sessions.delete(tokenHash);
      for (const listener of this.endListeners) listener(tokenHash);
    }
    reply.clearCookie(SESSION_COOKIE, { path: '/' });
  }

  /** Calls `listener` with the hash of every session that is ended by logging out. */
  onSessionEnd(listener: (tokenHash: string) => void): void {
    this.endListeners.push(listener);
  }

  /** Whether a session (by hash) is still valid. */
  sessionValid(tokenHash: string): boolean {
    return this.sessions.expiresAt(tokenHash) !== null;
  }

  /**
   * Who the request is: anyone when no password is set, else a valid session cookie or Basic credentials (null:
   * neither). Basic credentials are a password attempt like a login: throttled the same way (429).
   */
  authenticate(request: FastifyRequest): Identity {
    if (!this.enabled) return { kind: 'open' };
    const token = request.cookies[SESSION_COOKIE];
    if (token) {
      const tokenHash = sha256(token).toString('hex');
      if (this.sessions.expiresAt(tokenHash) !== null) return { kind: 'session', tokenHash };
    }
    const header = request.headers.authorization;
    if (!header?.startsWith('Basic ')) return null;
    const decoded = Buffer.from(header.slice('Basic '.length), 'base64').toString('utf8');
    return this.attempt(request, decoded.slice(decoded.indexOf(':') + 1)) ? { kind: 'basic' } : null;
  }
}

/**
 * Whether a request comes from Mission Control's own pages: a browser sends `Origin` on WebSocket upgrades and on
 * writes, and it must name this server. Clients that send no Origin (scripts, curl) are not browsers acting for
 * someone else.
 */
export function sameOrigin(request: FastifyRequest): boolean {
  const origin = request.headers.origin;
  if (origin === undefined) return true;
  try {
    return new URL(origin).host === request.host;
  } catch {
    return false;
  }
}
