/**
 * The runner's ways out, as Claude Code and the tools it runs see them: loopback ports inside the sandbox.
 *
 * - The model API: every connection to its port travels over the link as a stream; the gateway forwards it to the
 *   model API and adds the credentials, which never enter the sandbox. Claude Code gets the port as
 *   `ANTHROPIC_BASE_URL`.
 * - The internet, in a confined local sandbox: that sandbox has a network of its own with only loopback in it
 *   (`PRAKTOR_ISOLATED_NETWORK`), and the gateway serves an HTTP proxy on a Unix socket inside it
 *   (`PRAKTOR_INTERNET_SOCKET`, absent when the agent may not use the network). Its port is given to programs as
 *   `HTTPS_PROXY`/`HTTP_PROXY`. Elsewhere (Docker) the sandbox's own network is used as it is.
 */
import { connect, createServer, type Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { StreamOpenMessage } from '@praktor/protocol';
import type { LinkStreams } from '@praktor/protocol/link-streams';

/** Serves each connection to a free loopback port by piping it to what `upstream` opens; resolves with the port. */
function forward(upstream: () => Duplex): Promise<number> {
  const server = createServer((client: Socket) => {
    const far = upstream();
    client.pipe(far).pipe(client);
    // Either side failing ends the pair; the client sees its connection close, as it would on a network.
    far.on('error', () => client.destroy());
    client.on('error', () => far.destroy());
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      if (address === null || typeof address === 'string') reject(new Error('no loopback port'));
      else resolve(address.port);
    });
  });
}

/** Loopback names no proxy must be asked for. */
const LOOPBACK = '127.0.0.1,localhost,::1';

/**
 * Opens the ports and returns the variables that point Claude Code at them. `streams` carries the model API's
 * connections; `announce` tells the gateway about each new one.
 */
export async function openGatewayRoutes(
  env: NodeJS.ProcessEnv,
  streams: LinkStreams,
  announce: (message: StreamOpenMessage) => void,
): Promise<Record<string, string | undefined>> {
  let nextStream = 1;
  const modelPort = await forward(() => {
    const streamId = String(nextStream++);
    const stream = streams.create(streamId);
    announce({ type: 'stream_open', streamId, service: 'model' });
    return stream;
  });
  const routes: Record<string, string | undefined> = { ANTHROPIC_BASE_URL: `http://127.0.0.1:${modelPort}` };
  if (!env.PRAKTOR_ISOLATED_NETWORK) return routes;
  const socket = env.PRAKTOR_INTERNET_SOCKET;
  const proxy = socket ? `http://127.0.0.1:${await forward(() => connect(socket))}` : undefined;
  for (const name of ['HTTP_PROXY', 'HTTPS_PROXY', 'http_proxy', 'https_proxy']) routes[name] = proxy;
  routes.NO_PROXY = LOOPBACK;
  routes.no_proxy = LOOPBACK;
  return routes;
}
