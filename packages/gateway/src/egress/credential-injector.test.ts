/**
 * The internet proxy with injected credentials, against a real HTTPS server on loopback whose certificate comes
 * from a test CA: the declared host gets the header through a certificate of the installation's CA; another host
 * is tunnelled untouched.
 */
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer as createHttpServer, request } from 'node:http';
import { createServer as createHttpsServer, request as httpsRequest } from 'node:https';
import { type AddressInfo, createServer as createTcpServer, type Server as TcpServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Duplex } from 'node:stream';
import { connect as tlsConnect } from 'node:tls';
import { type HostPattern, parseHostPattern } from '@praktor/protocol';
import forge from 'node-forge';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CertificateAuthority } from './certificate-authority.js';
import { CredentialInjector } from './credential-injector.js';
import { internetProxy } from './internet-proxy.js';

const log = pino({ level: 'silent' });

/** A test CA and a certificate it signed for `localhost` and 127.0.0.1. */
function testCertificates(): { caPem: string; certPem: string; keyPem: string } {
  const keyPair = () =>
    generateKeyPairSync('rsa', {
      modulusLength: 2048,
      privateKeyEncoding: { type: 'pkcs1', format: 'pem' },
      publicKeyEncoding: { type: 'spki', format: 'pem' },
    });
  const caKeys = keyPair();
  const serverKeys = keyPair();
  const caKey = forge.pki.privateKeyFromPem(caKeys.privateKey);
  const certificate = (publicPem: string, subject: string, serial: string) => {
    const cert = forge.pki.createCertificate();
    cert.publicKey = forge.pki.publicKeyFromPem(publicPem);
    cert.serialNumber = serial;
    cert.validity.notBefore = new Date(Date.now() - 86_400_000);
    cert.validity.notAfter = new Date(Date.now() + 86_400_000);
    cert.setSubject([{ name: 'commonName', value: subject }]);
    cert.setIssuer([{ name: 'commonName', value: 'Injection test CA' }]);
    return cert;
  };
  const ca = certificate(caKeys.publicKey, 'Injection test CA', '01');
  ca.setExtensions([
    { name: 'basicConstraints', cA: true, critical: true },
    { name: 'keyUsage', keyCertSign: true, critical: true },
  ]);
  ca.sign(caKey, forge.md.sha256.create());
  const server = certificate(serverKeys.publicKey, 'localhost', '02');
  server.setExtensions([
    { name: 'extKeyUsage', serverAuth: true },
    {
      name: 'subjectAltName',
      altNames: [
        { type: 2, value: 'localhost' },
        { type: 7, ip: '127.0.0.1' },
      ],
    },
  ]);
  server.sign(caKey, forge.md.sha256.create());
  return {
    caPem: forge.pki.certificateToPem(ca),
    certPem: forge.pki.certificateToPem(server),
    keyPem: serverKeys.privateKey,
  };
}

const pattern = (text: string): HostPattern => parseHostPattern(text) as HostPattern;

describe('injected credentials in the internet proxy', () => {
  let folder: string;
  let ca: CertificateAuthority;
  let certs: ReturnType<typeof testCertificates>;
  let upstream: ReturnType<typeof createHttpsServer>;
  let proxy: TcpServer;
  let upstreamPort = 0;
  let proxyPort = 0;
  const received: { path: string; authorization: string | null }[] = [];

  beforeAll(async () => {
    folder = mkdtempSync(join(tmpdir(), 'praktor-ca-'));
    ca = CertificateAuthority.open(folder);
    certs = testCertificates();
    upstream = createHttpsServer({ cert: certs.certPem, key: certs.keyPem }, (req, res) => {
      received.push({ path: req.url ?? '', authorization: req.headers.authorization ?? null });
      res.end(`served ${req.url}`);
    });
    await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
    upstreamPort = (upstream.address() as AddressInfo).port;
    const handlers = internetProxy({
      agentId: 'tester',
      policy: () => ({ byName: () => null, byAddresses: () => null }),
      log,
      onRefused: () => {},
      injections: {
        current: () => [
          {
            secret: 'token',
            hosts: [pattern(`localhost:${upstreamPort}`)],
            header: 'Authorization',
            value: 'Bearer real',
          },
        ],
        injector: new CredentialInjector(ca, [certs.caPem], 'tester', log),
      },
    });
    const http = createHttpServer(handlers.onRequest);
    http.on('connect', handlers.onConnect);
    // Sandboxes' streams reach the proxy as plain duplex streams (over the link), not sockets: so do these.
    proxy = createTcpServer((socket) => {
      const stream = new Duplex({
        read() {},
        write(chunk, _encoding, done) {
          socket.write(chunk, done);
        },
        final(done) {
          socket.end(done);
        },
      });
      socket.on('data', (chunk) => stream.push(chunk));
      socket.on('end', () => stream.push(null));
      http.emit('connection', stream);
    });
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
    proxyPort = (proxy.address() as AddressInfo).port;
  });

  afterAll(() => {
    upstream.close();
    proxy.close();
    rmSync(folder, { recursive: true, force: true });
  });

  /** GETs `path` on `host` through the proxy, trusting `trusted`; the answer and who signed the certificate seen. */
  function call(host: string, path: string, trusted: string): Promise<{ body: string; issuer: string }> {
    return new Promise((resolve, reject) => {
      const connect = request({
        host: '127.0.0.1',
        port: proxyPort,
        method: 'CONNECT',
        path: `${host}:${upstreamPort}`,
      });
      connect.on('connect', (_answer, socket) => {
        const secure = tlsConnect({
          socket,
          ca: [trusted],
          ...(host === 'localhost' ? { servername: host } : {}),
        });
        const req = httpsRequest(
          {
            host,
            port: upstreamPort,
            path,
            ca: [trusted],
            createConnection: () => secure,
            headers: { authorization: 'Bearer fake' },
          },
          (res) => {
            let body = '';
            res.on('data', (chunk) => {
              body += chunk;
            });
            res.on('end', () => resolve({ body, issuer: String(secure.getPeerCertificate().issuer.CN) }));
          },
        );
        req.on('error', reject);
        req.end();
      });
      connect.on('error', reject);
      connect.end();
    });
  }

  it('adds the header for the declared host, over a certificate of the installation CA', async () => {
    const answer = await call('localhost', '/match', ca.certificatePem);
    expect(answer).toEqual({ body: 'served /match', issuer: 'Praktor egress CA' });
    expect(received.at(-1)).toEqual({ path: '/match', authorization: 'Bearer real' });
  });

  it('tunnels another host untouched', async () => {
    const answer = await call('127.0.0.1', '/other', certs.caPem);
    expect(answer).toEqual({ body: 'served /other', issuer: 'Injection test CA' });
    expect(received.at(-1)).toEqual({ path: '/other', authorization: 'Bearer fake' });
  });
});
