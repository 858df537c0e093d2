/**
 * The user's profile, USER.md: one file every agent reads.
 */
import { FileContent, StatusReply } from '@praktor/protocol';
import { readUserProfile, writeUserProfile } from '../../workspace-files.js';
import { type Route, route, throughRuntime } from '../route.js';

/** The profile's routes. */
export const userProfileRoutes: Route[] = [
  route({
    method: 'GET',
    url: '/api/user-profile',
    summary: 'The user’s profile, USER.md, read by every agent.',
    response: FileContent,
    handle: (_input, deps) => ({ content: readUserProfile(deps.config().dataDir) }),
  }),
  route({
    method: 'PUT',
    url: '/api/user-profile',
    summary: 'Replace USER.md; every agent’s next message uses it.',
    body: FileContent,
    response: StatusReply,
    async handle({ body }, deps) {
      writeUserProfile(deps.config().dataDir, body.content);
      await throughRuntime('USER.md is saved, but running agents could not be given it', () =>
        deps.publishSharedFiles(),
      );
      return { status: 'saved' };
    },
  }),
];
