/**
 * Injected credentials: for an HTTPS tunnel to a host that one of the agent's secrets is declared for, the proxy
 * answers the TLS itself (with a certificate from this installation's CA, which only such agents trust), adds the
 * secret's header to every request, and sends each on over a new TLS connection that verifies the real host as any
 * client would. The agent never holds the secret; the header it may have set itself is replaced.
 */

import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { isIP } from 'node:net';
import type { Duplex } from 'node:stream';
import { TLSSocket } from 'node:tls';
import { type Destination, type HostPattern, hostMatches, messageOf, normalHost } from '@praktor/protocol';
import type { Logger } from '../log.js';
import type { CertificateAuthority } from './certificate-authority.js';
import { endToEnd } from './model-proxy.js';

/** A header the proxy adds to an agent's HTTPS requests to `hosts`. */
export interface Injection {
  /** The secret's name, for the log (never its value). */
  secret: string;
  hosts: readonly HostPattern[];
  header: string;
  value: string;
}

/** The first of `injections` declared for `destination`, or undefined. */
export function injectionFor(
  injections: readonly Injection[],
  destination: Destination,
): Injection | undefined {
  return injections.find((injection) => injection.hosts.some((pattern) => hostMatches(pattern, destination)));
}

/** Where a terminated tunnel's requests go. */
interface Upstream {
  destination: Destination;
  /** The address the policy checked, connected to directly. */
  address: string;
  injection: Injection;
}

/** Terminates agents' TLS for injected hosts and forwards their requests with the credential added. */
export class CredentialInjector {
  private readonly upstreams = new WeakMap<object, Upstream>();
  private readonly server = createServer((request, response) => this.forward(request, response));

  constructor(
    private readonly ca: CertificateAuthority,
    /** Certificates the upstream may be signed by; undefined: Node's usual roots. */
    private readonly upstreamCa: string[] | undefined,
    private readonly agentId: string,
    private readonly log: Logger,
  ) {}

  /** Takes over `client`, whose `CONNECT` to `upstream.destination` was just accepted. */
  serve(client: Duplex, head: Buffer, upstream: Upstream): void {
    if (head.length > 0) client.unshift(head);
    const host = normalHost(upstream.destination.host);
    const tls = new TLSSocket(client, { isServer: true, secureContext: this.ca.contextFor(host) });
    tls.on('error', (err) =>
      this.log.warn({ agent: this.agentId, target: host, err: messageOf(err) }, 'TLS with the agent failed'),
    );
    this.upstreams.set(tls, upstream);
    this.log.info(
      {
        agent: this.agentId,
        target: `${host}:${upstream.destination.port}`,
        secret: upstream.injection.secret,
      },
      'injecting a credential',
    );
    this.server.emit('connection', tls);
  }

  private forward(request: IncomingMessage, response: ServerResponse): void {
    const upstream = this.upstreams.get(request.socket);
    if (!upstream) {
      response.writeHead(500).end();
      return;
    }
    const { destination, address, injection } = upstream;
    const headers = endToEnd(request.headers);
    for (const name of Object.keys(headers)) {
      if (name.toLowerCase() === injection.header.toLowerCase()) delete headers[name];
    }
    headers[injection.header] = injection.value;
    const outgoing = httpsRequest(
      {
        host: address,
        port: destination.port,
        // SNI carries names only; an address is checked against the certificate's IP entries by `host`.
        ...(isIP(normalHost(destination.host)) ? {} : { servername: normalHost(destination.host) }),
        method: request.method,
        path: request.url,
        headers,
        ...(this.upstreamCa ? { ca: this.upstreamCa } : {}),
        // One connection per request: the header goes only where the agent's tunnel pointed.
        agent: false,
      },
      (incoming) => {
        response.writeHead(incoming.statusCode ?? 502, endToEnd(incoming.headers));
        incoming.pipe(response);
      },
    );
    outgoing.on('error', (err) => {
      if (!response.headersSent)
        response.writeHead(502, { 'content-type': 'text/plain' }).end(`Praktor's proxy: ${messageOf(err)}\n`);
      else response.destroy();
    });
    request.pipe(outgoing);
  }
}
