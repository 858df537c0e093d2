/**
 * The runner's ways out, as Claude Code and the tools it runs see them: loopback ports inside the sandbox, whose
 * connections travel over the link as streams (see @praktor/protocol's link.ts).
 *
 * - The model API, always: the gateway forwards it and adds the credentials, which never enter the sandbox. Claude
 *   Code gets the port as `ANTHROPIC_BASE_URL`.
 * - The internet, when the sandbox has no network of its own (`PRAKTOR_NETWORK=gateway`): the gateway's proxy
 *   takes it anywhere but to the gateway's own machine. Programs get the port as `HTTPS_PROXY`/`HTTP_PROXY` (Node's
 *   own clients too, through `NODE_USE_ENV_PROXY`). With `PRAKTOR_NETWORK=none` there is no internet at all. Without
 *   the variable the sandbox uses its own network (a Docker network the user chose).
 * - The embeddings endpoint, for the agent's memory only: its URL is kept out of Claude Code's environment.
 */
import { createServer, type Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { StreamOpenMessage, StreamService } from '@praktor/protocol';
import type { LinkStreams } from '@praktor/protocol/link-streams';

/** Serves each connection to a free loopback port by piping it to what `upstream` opens; resolves with the port. */
function forward(upstream: () => Duplex): Promise<number> {
  // Without noDelay, Nagle's algorithm holds each small streamed piece of an answer until the client's delayed ACK
  // (about 40 ms on Linux): every streamed model turn would pay it.
  const server = createServer({ noDelay: true }, (client: Socket) => {
    const far = upstream();
    client.pipe(far).pipe(client);
    // Either side failing ends the pair; the client sees its connection close, as it would on a network.
    far.on('error', () => client.destroy());
    client.on('error', () => far.destroy());
    // A client gone, even cleanly, reads no more: the gateway is told, or its writer would wait for credit.
    client.on('close', () => far.destroy());
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
const PROXY_VARIABLES = ['HTTP_PROXY', 'HTTPS_PROXY', 'http_proxy', 'https_proxy'];

/** The ways out: variables for Claude Code and its tools, and the embeddings URL for the runner's own use. */
export interface GatewayRoutes {
  env: Record<string, string | undefined>;
  embeddingsUrl: string;
}

/**
 * Opens the ports and returns the variables that point Claude Code and its tools at them. `streams` carries the
 * connections; `announce` tells the gateway about each new one.
 */
export async function openGatewayRoutes(
  env: NodeJS.ProcessEnv,
  streams: LinkStreams,
  announce: (message: StreamOpenMessage) => void,
): Promise<GatewayRoutes> {
  let nextStream = 1;
  const overLink = (service: StreamService) =>
    forward(() => {
      const streamId = String(nextStream++);
      const stream = streams.create(streamId);
      announce({ type: 'stream_open', streamId, service });
      return stream;
    });
  const routes: Record<string, string | undefined> = {
    ANTHROPIC_BASE_URL: `http://127.0.0.1:${await overLink('model')}`,
  };
  const embeddingsUrl = `http://127.0.0.1:${await overLink('embeddings')}`;
  const network = env.PRAKTOR_NETWORK;
  if (network !== 'gateway' && network !== 'none') return { env: routes, embeddingsUrl };
  const proxy = network === 'gateway' ? `http://127.0.0.1:${await overLink('internet')}` : undefined;
  for (const name of PROXY_VARIABLES) routes[name] = proxy;
  routes.NO_PROXY = LOOPBACK;
  routes.no_proxy = LOOPBACK;
  routes.NODE_USE_ENV_PROXY = proxy ? '1' : undefined;
  return { env: routes, embeddingsUrl };
}
