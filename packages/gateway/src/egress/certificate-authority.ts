/**
 * This installation's own certificate authority, which lets the internet proxy read and add to an agent's HTTPS
 * requests for the hosts an injected credential names — and only those (everything else is tunnelled untouched).
 * Sandboxes of agents with injected credentials trust it; nothing else does. Its key never leaves the data
 * directory (owner-only file); the certificates it issues for hosts live in memory only.
 */
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { join } from 'node:path';
import { createSecureContext, rootCertificates, type SecureContext } from 'node:tls';
import forge from 'node-forge';
import { ensurePrivateDir, type Tightened } from '../private-files.js';

const DAY_MS = 86_400_000;
/** How long a host certificate is valid; one is issued again when less than a day remains. */
const HOST_CERT_DAYS = 90;
const CA_YEARS = 10;
const CA_NAME = 'Praktor egress CA';

/** A fresh RSA key pair, made by Node (fast, native) and handed to forge in PEM. */
function rsaKeyPair(): { privatePem: string; publicPem: string } {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', {
    modulusLength: 2048,
    privateKeyEncoding: { type: 'pkcs1', format: 'pem' },
    publicKeyEncoding: { type: 'spki', format: 'pem' },
  });
  return { privatePem: privateKey, publicPem: publicKey };
}

/** A random positive serial number, as hex. */
function serial(): string {
  return `01${randomBytes(15).toString('hex')}`;
}

/** The CA's certificate and key, made new. */
function createCa(): { certPem: string; keyPem: string } {
  const keys = rsaKeyPair();
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.publicKeyFromPem(keys.publicPem);
  cert.serialNumber = serial();
  const now = Date.now();
  cert.validity.notBefore = new Date(now - DAY_MS);
  cert.validity.notAfter = new Date(now + CA_YEARS * 365 * DAY_MS);
  const name = [
    { name: 'commonName', value: CA_NAME },
    { name: 'organizationName', value: 'Praktor' },
  ];
  cert.setSubject(name);
  cert.setIssuer(name);
  cert.setExtensions([
    { name: 'basicConstraints', cA: true, pathLenConstraint: 0, critical: true },
    { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
    { name: 'subjectKeyIdentifier' },
  ]);
  cert.sign(forge.pki.privateKeyFromPem(keys.privatePem), forge.md.sha256.create());
  return { certPem: forge.pki.certificateToPem(cert), keyPem: keys.privatePem };
}

/** The installation's CA: loaded from `dir`, or made there the first time. */
export class CertificateAuthority {
  private readonly cert: forge.pki.Certificate;
  private readonly key: forge.pki.rsa.PrivateKey;
  /** One key for every host certificate: it never leaves the gateway's memory. */
  private readonly hostKeys = rsaKeyPair();
  private readonly issued = new Map<string, { context: SecureContext; notAfter: number }>();

  private constructor(
    /** The CA certificate (PEM), which sandboxes are given to trust. */
    readonly certificatePem: string,
    keyPem: string,
    /** What was narrowed to the owner when the folder was opened, for the log. */
    readonly tightened: Tightened | null,
  ) {
    this.cert = forge.pki.certificateFromPem(certificatePem);
    this.key = forge.pki.privateKeyFromPem(keyPem);
  }

  /** Opens the CA kept in `dir` (made private), creating it when there is none. */
  static open(dir: string): CertificateAuthority {
    const tightened = ensurePrivateDir(dir);
    const certFile = join(dir, 'ca.pem');
    const keyFile = join(dir, 'ca-key.pem');
    if (!existsSync(certFile) || !existsSync(keyFile)) {
      const made = createCa();
      // The key first, owner-only from its creation; a certificate without its key is made again next time.
      writeFileSync(keyFile, made.keyPem, { mode: 0o600 });
      writeFileSync(certFile, made.certPem, { mode: 0o644 });
    }
    return new CertificateAuthority(readFileSync(certFile, 'utf8'), readFileSync(keyFile, 'utf8'), tightened);
  }

  /** The CA certificate after the system's roots: a bundle for tools that trust only the file they are given. */
  bundle(): string {
    return `${[...rootCertificates, this.certificatePem.trim()].join('\n')}\n`;
  }

  /** A TLS context that presents a certificate for `host` (a name or an IP address) signed by this CA. */
  contextFor(host: string): SecureContext {
    const cached = this.issued.get(host);
    if (cached && cached.notAfter - Date.now() > DAY_MS) return cached.context;
    const cert = forge.pki.createCertificate();
    cert.publicKey = forge.pki.publicKeyFromPem(this.hostKeys.publicPem);
    cert.serialNumber = serial();
    const now = Date.now();
    const notAfter = now + HOST_CERT_DAYS * DAY_MS;
    cert.validity.notBefore = new Date(now - DAY_MS);
    cert.validity.notAfter = new Date(notAfter);
    cert.setSubject([{ name: 'commonName', value: host }]);
    cert.setIssuer(this.cert.subject.attributes);
    const altName = isIP(host) ? { type: 7, ip: host } : { type: 2, value: host };
    cert.setExtensions([
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
      { name: 'extKeyUsage', serverAuth: true },
      { name: 'subjectAltName', altNames: [altName] },
      { name: 'authorityKeyIdentifier', keyIdentifier: this.cert.generateSubjectKeyIdentifier().getBytes() },
    ]);
    cert.sign(this.key, forge.md.sha256.create());
    const context = createSecureContext({
      key: this.hostKeys.privatePem,
      cert: `${forge.pki.certificateToPem(cert)}${this.certificatePem}`,
    });
    this.issued.set(host, { context, notAfter });
    return context;
  }
}
