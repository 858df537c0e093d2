/**
 * The internet as a confined sandbox sees it: an HTTP proxy on a Unix socket that only that sandbox can reach.
 * HTTPS goes through `CONNECT` tunnels (the proxy sees the host name, never the content — except for hosts an
 * injected credential is declared for, see credential-injector.ts); plain HTTP is forwarded.
 * Every destination is judged by the agent's egress policy (egress-policy.ts) on its name, then resolved here and
 * judged on its addresses: this machine is refused unless explicitly allowed, so an agent cannot reach Mission
 * Control, the gateway's other ports, or any other local service through it. The address that was checked is the
 * address connected to: a second DNS answer cannot slip past the check.
 */
import { lookup } from 'node:dns/promises';
import { request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import { connect, isIP, type Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { type Destination, messageOf, normalHost } from '@praktor/protocol';
import type { Logger } from '../log.js';
import { type CredentialInjector, type Injection, injectionFor } from './credential-injector.js';
import type { EgressPolicy } from './egress-policy.js';
import { endToEnd } from './model-proxy.js';

/** A destination that was refused, and why. */
export class Refused extends Error {
  override name = 'Refused';
}

/** The address to connect to for `destination`, which `policy` must allow by name and by every address. */
async function resolveAllowed(destination: Destination, policy: EgressPolicy): Promise<string> {
  const target = `${destination.host}:${destination.port}`;
  const byName = policy.byName(destination);
  if (byName !== null) throw new Refused(`${target} ${byName}`);
  const name = normalHost(destination.host);
  const addresses = isIP(name) ? [name] : (await lookup(name, { all: true })).map((entry) => entry.address);
  const first = addresses[0];
  if (first === undefined) throw new Refused(`${target} has no address`);
  const why = policy.byAddresses(destination, addresses);
  if (why !== null) throw new Refused(`${target} (${addresses.join(', ')}) ${why}`);
  return first;
}

/** A refused destination, as reported to whoever shows refusals. Holds no request content. */
export interface Refusal {
  agentId: string;
  /** `host:port` as the agent asked for it. */
  target: string;
  reason: string;
}

/** What the internet proxy does with each request and tunnel of one sandbox. */
export interface InternetProxy {
  /** Plain HTTP requests in absolute form (`GET http://host/path`). */
  onRequest(request: IncomingMessage, response: ServerResponse): void;
  /** `CONNECT host:port` tunnels. */
  onConnect(request: IncomingMessage, client: Duplex, head: Buffer): void;
}

/** What one agent's internet proxy needs. */
export interface InternetProxyOptions {
  agentId: string;
  /** Asked anew for every destination, so a changed configuration applies at once. */
  policy: () => EgressPolicy;
  log: Logger;
  /** Told of each refusal, after it is logged. */
  onRefused: (refusal: Refusal) => void;
  /** The agent's injected credentials now, and what adds them; null: every tunnel is left untouched. */
  injections: { current: () => Injection[]; injector: CredentialInjector } | null;
}

/** An internet proxy for one agent that lets through what its policy allows, and logs and reports each refusal. */
export function internetProxy(opts: InternetProxyOptions): InternetProxy {
  const { agentId, policy, log, onRefused } = opts;
  const refuse = (target: string, err: unknown) => {
    const reason = messageOf(err);
    if (err instanceof Refused) {
      log.warn({ agent: agentId, target, reason }, 'outbound connection refused');
      onRefused({ agentId, target, reason });
    }
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
      resolveAllowed({ host: url.hostname, port: Number(url.port || 80) }, policy()).then(
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
      const destination = { host, port: Number(port) };
      resolveAllowed(destination, policy()).then(
        (address) => {
          const injection = opts.injections && injectionFor(opts.injections.current(), destination);
          if (opts.injections && injection) {
            client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
            opts.injections.injector.serve(client, head, { destination, address, injection });
            return;
          }
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
