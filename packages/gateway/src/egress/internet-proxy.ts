/**
 * The internet as a confined sandbox sees it: an HTTP proxy on a Unix socket that only that sandbox can reach.
 * HTTPS goes through `CONNECT` tunnels (the proxy sees the host name, never the content); plain HTTP is forwarded.
 * Every destination is resolved here and refused when it is this machine (see local-addresses.ts), so an agent
 * cannot reach Mission Control, the gateway's other ports, or any other local service through it. The address
 * that was checked is the address connected to: a second DNS answer cannot slip past the check.
 */
import { lookup } from 'node:dns/promises';
import { request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import { connect, isIP, type Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { messageOf } from '@praktor/protocol';
import type { Logger } from '../log.js';
import { endToEnd } from './model-proxy.js';

/** Decides whether an address may be reached; returns why not, or null. */
export type AddressPolicy = (address: string) => string | null;

/** A destination that was refused, and why. */
export class Refused extends Error {
  override name = 'Refused';
}

/** The address to connect to for `host`: every address it resolves to must pass `policy`. */
async function resolveAllowed(host: string, policy: AddressPolicy): Promise<string> {
  const name = host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
  const addresses = isIP(name) ? [name] : (await lookup(name, { all: true })).map((entry) => entry.address);
  for (const address of addresses) {
    const why = policy(address);
    if (why !== null) throw new Refused(`${host} (${address}) ${why}`);
  }
  const first = addresses[0];
  if (first === undefined) throw new Refused(`${host} has no address`);
  return first;
}

/** What the internet proxy does with each request and tunnel of one sandbox. */
export interface InternetProxy {
  /** Plain HTTP requests in absolute form (`GET http://host/path`). */
  onRequest(request: IncomingMessage, response: ServerResponse): void;
  /** `CONNECT host:port` tunnels. */
  onConnect(request: IncomingMessage, client: Duplex, head: Buffer): void;
}

/** An internet proxy for agent `agentId` that lets through what `policy` allows and logs what it refuses. */
export function internetProxy(agentId: string, policy: AddressPolicy, log: Logger): InternetProxy {
  const refuse = (target: string, err: unknown) => {
    const reason = messageOf(err);
    if (err instanceof Refused) log.warn({ agent: agentId, target, reason }, 'outbound connection refused');
    return reason;
  };
  return {
    onRequest(request, response) {
      let url: URL;
      try {
        url = new URL(request.url ?? '');
        if (url.protocol !== 'http:')
          throw new Error('only http:// is forwarded; HTTPS goes through CONNECT');
      } catch (err) {
        response.writeHead(400, { 'content-type': 'text/plain' }).end(`Praktor's proxy: ${messageOf(err)}\n`);
        return;
      }
      resolveAllowed(url.hostname, policy).then(
        (address) => {
          const outgoing = httpRequest(
            {
              host: address,
              port: url.port || 80,
              method: request.method,
              path: `${url.pathname}${url.search}`,
              headers: { ...endToEnd(request.headers), host: url.host },
            },
            (incoming) => {
              response.writeHead(incoming.statusCode ?? 502, endToEnd(incoming.headers));
              incoming.pipe(response);
            },
          );
          outgoing.on('error', (err) => {
            if (!response.headersSent)
              response.writeHead(502, { 'content-type': 'text/plain' }).end(`${messageOf(err)}\n`);
            else response.destroy();
          });
          request.pipe(outgoing);
        },
        (err) => {
          const reason = refuse(url.host, err);
          response
            .writeHead(403, { 'content-type': 'text/plain' })
            .end(`Praktor's proxy refused: ${reason}\n`);
        },
      );
    },

    onConnect(request, client, head) {
      const target = request.url ?? '';
      const match = /^(\[[^\]]+\]|[^:]+):(\d{1,5})$/.exec(target);
      if (!match) {
        client.end('HTTP/1.1 400 Bad Request\r\n\r\n');
        return;
      }
      const [, host = '', port = ''] = match;
      resolveAllowed(host, policy).then(
        (address) => {
          const upstream: Socket = connect(Number(port), address, () => {
            client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
            if (head.length > 0) upstream.write(head);
            upstream.pipe(client);
            client.pipe(upstream);
          });
          upstream.on('error', (err) => {
            if (upstream.connecting) client.end(`HTTP/1.1 502 Bad Gateway\r\n\r\n${messageOf(err)}\n`);
            else client.destroy();
          });
          client.on('error', () => upstream.destroy());
          client.on('close', () => upstream.destroy());
        },
        (err) => {
          const reason = refuse(target, err);
          client.end(
            `HTTP/1.1 403 Forbidden\r\ncontent-type: text/plain\r\n\r\nPraktor's proxy refused: ${reason}\n`,
          );
        },
      );
    },
  };
}
