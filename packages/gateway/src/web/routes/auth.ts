/**
 * Logging in and out of Mission Control, and asking whether one is logged in.
 */
import { LoginRequest, StatusReply } from '@praktor/protocol';
import { HttpError } from '../http-error.js';
import { type Route, route } from '../route.js';

/** The login routes. */
export const authRoutes: Route[] = [
  route({
    method: 'POST',
    url: '/api/login',
    summary: 'Log in with the Mission Control password; sets the session cookie.',
    body: LoginRequest,
    response: StatusReply,
    public: true,
    handle({ body, request, reply }, { auth }) {
      if (auth.enabled) auth.login(request, reply, body.password);
      return { status: 'ok' };
    },
  }),
  route({
    method: 'POST',
    url: '/api/logout',
    summary: 'End the session and clear its cookie.',
    response: StatusReply,
    handle({ request, reply }, { auth }) {
      auth.endSession(request, reply);
      return { status: 'ok' };
    },
  }),
  route({
    method: 'GET',
    url: '/api/auth/check',
    summary: 'Whether the caller is logged in: 204 when no password is set, 200 when logged in, else 401.',
    response: StatusReply,
    public: true,
    handle({ request, reply }, { auth }) {
      if (!auth.enabled) return reply.code(204).send();
      if (!auth.authenticate(request)) throw new HttpError(401, 'authentication required');
      return { status: 'ok' };
    },
  }),
];
