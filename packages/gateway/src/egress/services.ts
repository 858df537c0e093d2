/**
 * What the gateway serves on the streams agents' runners open over their links: the model API (credentials added on
 * the way out), the embeddings endpoint agents' memories use, and, for sandboxes with no network of their own, the
 * internet through the gateway's proxy, which never lets an agent reach this machine unless its egress policy names
 * the destination exactly; the policy's allow and deny lists apply to everything else. An agent whose `network` is
 * `none` gets no internet, whatever its runner asks. Beside them, the files agents send, handed to the file tool.
 */
import { createServer, type Server } from 'node:http';
import type { Duplex } from 'node:stream';
import type { StreamService } from '@praktor/protocol';
import type { Logger } from '../log.js';
import type { CertificateAuthority } from './certificate-authority.js';
import { CredentialInjector, type Injection } from './credential-injector.js';
import { type EgressRules, egressPolicy } from './egress-policy.js';
import { type EmbeddingsEndpoint, embeddingsProxy } from './embeddings-proxy.js';
import { internetProxy, type Refusal } from './internet-proxy.js';
import { isLocalAddress } from './local-addresses.js';
import { type ModelCredentials, modelProxy } from './model-proxy.js';

/** What the services need to know. */
export interface EgressOptions {
  /** The model API's base URL. */
  modelApi: URL;
  credentials: ModelCredentials;
  /** The agent's `network` as configured now (`none`: no internet). */
  networkOf: (agentId: string) => string | null;
  /** The agent's egress lists as configured now. */
  egressOf: (agentId: string) => EgressRules;
  /** Told of every destination the internet proxy refused (after it is logged). */
  onRefused: (refusal: Refusal) => void;
  /** The credentials the proxy adds to the agent's HTTPS requests, as its vault holds them now. */
  injectionsOf: (agentId: string) => Injection[];
  /** Signs the certificates the proxy shows agents for hosts it injects credentials into. */
  ca: CertificateAuthority;
  /** Certificates an upstream of an injected host may be signed by; undefined: Node's usual roots. */
  upstreamCa: string[] | undefined;
  /** Where agents' memories get their vectors, as configured now (null: none). */
  embeddings: () => EmbeddingsEndpoint | null;
  /** Takes the stream `streamId` carrying a file the agent sends (see orchestrator/sent-files.ts). */
  onFile: (agentId: string, streamId: string, stream: Duplex) => void;
  log: Logger;
}

/** Serves the stream `streamId` an agent's runner opened to `service`. */
export type ServeStream = (agentId: string, service: StreamService, stream: Duplex, streamId: string) => void;

/** The gateway's egress: one model proxy for all agents, one internet proxy per agent (its log names the agent). */
export function egressServices(opts: EgressOptions): ServeStream {
  const model = createServer(modelProxy(opts.modelApi, opts.credentials, opts.log));
  const embeddings = createServer(embeddingsProxy(opts.embeddings, opts.log));
  const internet = new Map<string, Server>();
  const internetFor = (agentId: string): Server => {
    let server = internet.get(agentId);
    if (!server) {
      const policy = () => egressPolicy(opts.egressOf(agentId), isLocalAddress);
      const proxy = internetProxy({
        agentId,
        policy,
        log: opts.log,
        onRefused: opts.onRefused,
        injections: {
          current: () => opts.injectionsOf(agentId),
          injector: new CredentialInjector(opts.ca, opts.upstreamCa, agentId, opts.log),
        },
      });
      server = createServer(proxy.onRequest);
      server.on('connect', proxy.onConnect);
      internet.set(agentId, server);
    }
    return server;
  };
  return (agentId, service, stream, streamId) => {
    if (service === 'file') {
      opts.onFile(agentId, streamId, stream);
    } else if (service === 'model') {
      model.emit('connection', stream);
    } else if (service === 'embeddings') {
      embeddings.emit('connection', stream);
    } else if (opts.networkOf(agentId) === 'none') {
      opts.log.warn({ agent: agentId }, 'an agent without network asked for the internet; refused');
      stream.destroy(new Error('this agent may not use the network (network: none)'));
    } else {
      internetFor(agentId).emit('connection', stream);
    }
  };
}
