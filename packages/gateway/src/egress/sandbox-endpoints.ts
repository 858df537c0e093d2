/**
 * The way to the internet out of a confined local sandbox: a Unix socket in a folder that is shown inside that
 * sandbox only (at {@link ENDPOINTS_PATH}), served by the gateway's internet proxy, present only when the agent may
 * use the network. The sandbox has a network namespace of its own with nothing but loopback in it, so this socket
 * and the link (which carries the model API) are its only routes anywhere.
 */
import { chownSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Logger } from '../log.js';
import { internetProxy } from './internet-proxy.js';
import { isLocalAddress } from './local-addresses.js';

/** Where the sockets' folder appears inside the sandbox. */
export const ENDPOINTS_PATH = '/run/praktor';

/** The open endpoints of one sandbox. */
export interface SandboxEndpoints {
  /** The folder on the gateway's machine holding the sockets (shown at {@link ENDPOINTS_PATH}). */
  readonly dir: string;
  /** Variables that tell the runner its network is its own, and where the socket is, as a path inside the sandbox. */
  readonly env: Record<string, string>;
  /** Stops serving and removes the folder. */
  close(): Promise<void>;
}

/** What to open for one sandbox. */
export interface EndpointOptions {
  agentId: string;
  /** Whether the agent may reach the internet. */
  internet: boolean;
  /** The user the sandbox runs as, when that is not the gateway's own. */
  owner: { uid: number; gid: number } | null;
  log: Logger;
}

const LOCAL = 'is on this machine, and agents may not reach local services';

/** Opens the endpoints of one sandbox. Rejects with a clear message when a socket cannot be made. */
export async function openEndpoints(opts: EndpointOptions): Promise<SandboxEndpoints> {
  // A short private folder: socket paths are limited to about 100 bytes.
  const dir = mkdtempSync(join(tmpdir(), 'praktor-net-'));
  const servers: Server[] = [];
  const listen = async (name: string, server: Server): Promise<string> => {
    servers.push(server);
    const path = join(dir, name);
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(path, () => {
        server.off('error', reject);
        resolve();
      });
    });
    if (opts.owner) chownSync(path, opts.owner.uid, opts.owner.gid);
    return `${ENDPOINTS_PATH}/${name}`;
  };
  const close = async () => {
    await Promise.all(
      servers.map(
        (server) =>
          new Promise<void>((resolve) => {
            server.closeAllConnections();
            server.close(() => resolve());
          }),
      ),
    );
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    if (opts.owner) chownSync(dir, opts.owner.uid, opts.owner.gid);
    const env: Record<string, string> = { PRAKTOR_ISOLATED_NETWORK: '1' };
    if (opts.internet) {
      const proxy = internetProxy(
        opts.agentId,
        (address) => (isLocalAddress(address) ? LOCAL : null),
        opts.log,
      );
      const server = createServer(proxy.onRequest);
      server.on('connect', proxy.onConnect);
      env.PRAKTOR_INTERNET_SOCKET = await listen('internet.sock', server);
    }
    return { dir, env, close };
  } catch (err) {
    await close();
    throw err;
  }
}
