/**
 * The configuration file: reloading it on request, as `SIGHUP` and a change to the file do.
 */
import { ConfigReloadReply } from '@praktor/protocol';
import { type Route, route } from '../route.js';

/** The configuration routes. */
export const configRoutes: Route[] = [
  route({
    method: 'POST',
    url: '/api/config/reload',
    summary:
      'Loads praktor.yaml again and takes the changes into use; a configuration with a problem is not used, and the ' +
      'reply names the key path that is wrong (the gateway keeps running on the last good one).',
    response: ConfigReloadReply,
    handle: (_input, deps) => deps.reloadConfig(),
  }),
];
