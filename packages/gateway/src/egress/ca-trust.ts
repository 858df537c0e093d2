/**
 * Who trusts whom around injected credentials: a sandbox whose agent has an injected credential is given this
 * installation's CA (alone, and merged with the usual roots for tools that read one bundle), and the proxy trusts
 * the real hosts as Node does — plus, when `PRAKTOR_EGRESS_CA_FILE` names one, an extra CA (for a test server or a
 * company CA in front of the internet).
 */
import { readFileSync } from 'node:fs';
import { rootCertificates } from 'node:tls';
import type { CertificateAuthority } from './certificate-authority.js';

/** Where the CA goes inside a sandbox: a folder of its own, which no image has. */
const CA_FILE = '/etc/praktor-egress/ca.pem';
const BUNDLE_FILE = '/etc/praktor-egress/ca-bundle.pem';

/** A file to place in a sandbox, in the shape the runtimes take (`secret` names it in their messages). */
export interface TrustFile {
  secret: string;
  target: string;
  mode: number;
  content: Buffer;
}

/** The files that let a sandbox trust `ca`. */
export function caTrustFiles(ca: CertificateAuthority): TrustFile[] {
  return [
    { secret: 'the egress CA', target: CA_FILE, mode: 0o644, content: Buffer.from(ca.certificatePem) },
    { secret: 'the egress CA bundle', target: BUNDLE_FILE, mode: 0o644, content: Buffer.from(ca.bundle()) },
  ];
}

/** The variables that point the usual tools at those files: OpenSSL (curl, git, Python's ssl), Node, requests. */
export function caTrustEnvironment(): Record<string, string> {
  return { SSL_CERT_FILE: BUNDLE_FILE, REQUESTS_CA_BUNDLE: BUNDLE_FILE, NODE_EXTRA_CA_CERTS: CA_FILE };
}

/**
 * The CAs the proxy trusts for upstreams of injected hosts: Node's roots plus the file `PRAKTOR_EGRESS_CA_FILE`
 * names; undefined (Node's roots alone) when it names none. A file that cannot be read stops the start.
 */
export function upstreamCa(env: NodeJS.ProcessEnv): string[] | undefined {
  const file = env.PRAKTOR_EGRESS_CA_FILE;
  if (!file) return undefined;
  let pem: string;
  try {
    pem = readFileSync(file, 'utf8');
  } catch (err) {
    throw new Error(
      `PRAKTOR_EGRESS_CA_FILE names ${file}, which cannot be read: ${(err as NodeJS.ErrnoException).code ?? err}`,
    );
  }
  if (!pem.includes('-----BEGIN CERTIFICATE-----')) {
    throw new Error(`PRAKTOR_EGRESS_CA_FILE names ${file}, which holds no PEM certificate`);
  }
  return [...rootCertificates, pem];
}
