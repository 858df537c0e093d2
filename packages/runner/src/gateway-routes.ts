/**
 * A confined local sandbox has a network namespace of its own with only loopback in it; its ways out are Unix
 * sockets the gateway serves (PRAKTOR_MODEL_SOCKET, PRAKTOR_INTERNET_SOCKET). Claude Code and the tools it runs
 * speak TCP, so each socket is offered on a loopback port here, and the variables that point programs at them are
 * returned: the model API's base URL, and the HTTP(S) proxy for the internet.
 */
import { connect, createServer, type Server } from 'node:net';

/** Serves `socketPath` on a free loopback port; resolves with the port. */
function forward(socketPath: string): Promise<number> {
  const server: Server = createServer((client) => {
    const upstream = connect(socketPath);
    client.pipe(upstream).pipe(client);
    // Either side going away ends the pair; the other side reports its own failure to its caller.
    upstream.on('error', () => client.destroy());
    client.on('error', () => upstream.destroy());
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
 * Opens the forwarders named in `env` and returns the variables for Claude Code: empty outside a confined sandbox.
 * Without an internet socket the agent has no network, and any proxy inherited from the gateway is removed.
 */
export async function openGatewayRoutes(env: NodeJS.ProcessEnv): Promise<Record<string, string | undefined>> {
  const model = env.PRAKTOR_MODEL_SOCKET;
  if (!model) return {};
  const routes: Record<string, string | undefined> = {
    ANTHROPIC_BASE_URL: `http://127.0.0.1:${await forward(model)}`,
  };
  const internet = env.PRAKTOR_INTERNET_SOCKET;
  const proxy = internet ? `http://127.0.0.1:${await forward(internet)}` : undefined;
  for (const name of ['HTTP_PROXY', 'HTTPS_PROXY', 'http_proxy', 'https_proxy']) routes[name] = proxy;
  routes.NO_PROXY = LOOPBACK;
  routes.no_proxy = LOOPBACK;
  return routes;
}
