/**
 * Who may use Mission Control: a password (`web.auth`), login sessions kept in SQLite, Basic auth for scripts, and
 * the checks that keep other web pages from acting through the user's browser.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { WebSessionStore } from '../store/web-sessions.js';

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

/** Whether `host` is a loopback address, where a password is optional. */
export function isLoopbackHost(host: string): boolean {
  return host === '127.0.0.1' || host === '::1' || host === 'localhost' || host.startsWith('127.');
}

/** Counts failed logins per client and says when to stop listening to one. */
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
  readonly throttle = new LoginThrottle();
  private readonly endListeners: ((tokenHash: string) => void)[] = [];

  constructor(
    private readonly password: string,
    private readonly sessions: WebSessionStore,
  ) {}

  /** Whether a password is required at all. */
  get enabled(): boolean {
    return this.password !== '';
  }

  /** Checks a password attempt. */
  passwordMatches(attempt: string): boolean {
    return this.enabled && secretsEqual(attempt, this.password);
  }

  /** Starts a session and sets its cookie. */
  startSession(request: FastifyRequest, reply: FastifyReply): void {
    const token = randomBytes(32).toString('base64url');
    this.sessions.purgeExpired();
    this.sessions.create(sha256(token).toString('hex'), Date.now() + SESSION_MS);
    reply.setCookie(SESSION_COOKIE, token, {
      path: '/',
      httpOnly: true,
      sameSite: 'strict',
      secure: isHttps(request),
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

  /** Who the request is: anyone when no password is set, else a valid session cookie or Basic credentials. */
  identify(request: FastifyRequest): Identity {
    if (!this.enabled) return { kind: 'open' };
    const token = request.cookies[SESSION_COOKIE];
    if (token) {
      const tokenHash = sha256(token).toString('hex');
      if (this.sessions.expiresAt(tokenHash) !== null) return { kind: 'session', tokenHash };
    }
    const header = request.headers.authorization;
    if (header?.startsWith('Basic ')) {
      const decoded = Buffer.from(header.slice('Basic '.length), 'base64').toString('utf8');
      const password = decoded.slice(decoded.indexOf(':') + 1);
      if (this.passwordMatches(password)) return { kind: 'basic' };
    }
    return null;
  }
}

/** Whether the browser reached us over HTTPS (directly or through a proxy that says so). */
function isHttps(request: FastifyRequest): boolean {
  return request.protocol === 'https' || request.headers['x-forwarded-proto'] === 'https';
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
    return new URL(origin).host === request.headers.host;
  } catch {
    return false;
  }
}

/**
 * Without a password, only loopback names are accepted as the Host: a page on another domain that re-points its
 * name at 127.0.0.1 (DNS rebinding) is then refused instead of reading everything.
 */
export function loopbackHostHeader(request: FastifyRequest): boolean {
  const host = request.headers.host ?? '';
  const name = host.startsWith('[') ? host.slice(1, host.indexOf(']')) : host.split(':')[0];
  return name !== undefined && isLoopbackHost(name);
}
