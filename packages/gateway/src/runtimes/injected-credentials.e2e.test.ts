/**
 * Injected credentials on both runtimes, end to end: a vault secret declared for one host reaches an HTTPS test
 * server on this machine (its certificate from a test CA) as a header the gateway's proxy adds, only for that host;
 * the agent — driven by the fake model through Claude Code's real Bash tool — holds nothing but a placeholder in its
 * environment, any process's environment it can see, and its files.
 */
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  defaultStackConfig,
  type ModelRequest,
  reply,
  type Stack,
  startStack,
  TEST_IMAGE_TIMEOUT_MS,
} from '@praktor/testkit';
import forge from 'node-forge';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeOnEachRuntime, type WithRuntime } from './each-runtime.test-support.js';
import { probeOutput } from './probe.test-support.js';

// Two halves, joined only inside the probe, so that the command's own text (which Claude Code keeps in the agent's
// home) does not hold the token either.
const TOKEN_HEAD = 'ghp_injected';
const TOKEN_TAIL = '-never-in-a-sandbox-4c1d';
const TOKEN = TOKEN_HEAD + TOKEN_TAIL;
const PLACEHOLDER = 'praktor-adds-this-on-the-way-out';

/** A test CA and a certificate it signed for `localhost` and 127.0.0.1, made with node-forge. */
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
  // forge writes PEM with CRLF line ends; the Bash tool refuses a command with control characters in it.
  return {
    caPem: forge.pki.certificateToPem(ca).replace(/\r\n/g, '\n'),
    certPem: forge.pki.certificateToPem(server),
    keyPem: serverKeys.privateKey,
  };
}

/** Searches for the token where the agent could find it. */
const SEARCH = `T="${TOKEN_HEAD}""${TOKEN_TAIL}"
printenv | grep -qF "$T" && echo ENV_HAS_TOKEN || echo ENV_CLEAN
for f in /proc/[0-9]*/environ; do tr '\\0' '\\n' < "$f" 2>/dev/null; done | grep -qF "$T" && echo PROC_HAS_TOKEN || echo PROC_CLEAN
grep -rqF "$T" "$HOME" "$PRAKTOR_WORKSPACE" /etc/praktor-egress 2>/dev/null && echo FILES_HAVE_TOKEN || echo FILES_CLEAN
echo "SANDBOX_TOKEN=$API_TOKEN"
grep -c BEGIN "$SSL_CERT_FILE" | sed 's/^/BUNDLE_CERTS=/'`;

/** Calls the test server through the proxy, once by each name, trusting what each should be signed by. */
const CALL = `
const http = require('node:http');
const https = require('node:https');
const tls = require('node:tls');
const fs = require('node:fs');
const proxy = new URL(process.env.HTTPS_PROXY);
const port = Number(process.env.PROBE_PORT);
const say = (line) => console.log(line);
function call(label, host, ca) {
  return new Promise((done) => {
    const connect = http.request({ host: proxy.hostname, port: proxy.port, method: 'CONNECT', path: host + ':' + port });
    connect.on('connect', (answer, socket) => {
      if (answer.statusCode !== 200) { say(label + '_PROXY_' + answer.statusCode); socket.destroy(); return done(); }
      const secure = tls.connect({ socket, servername: host === 'localhost' ? host : undefined, ca });
      const request = https.request({ host, port, path: '/' + label, ca, createConnection: () => secure,
        headers: { authorization: 'Bearer made-up-by-the-agent' } }, (response) => {
        let body = '';
        response.on('data', (chunk) => { body += chunk; });
        response.on('end', () => {
          say(label + '_' + response.statusCode + ' issuer=' + secure.getPeerCertificate().issuer.CN + ' ' + body.trim());
          done();
        });
      });
      request.on('error', (err) => { say(label + '_ERROR ' + err.message); done(); });
      request.end();
    });
    connect.on('error', (err) => { say(label + '_PROXY_ERROR ' + err.message); done(); });
    connect.end();
  });
}
(async () => {
  const praktorCa = fs.readFileSync(process.env.NODE_EXTRA_CA_CERTS, 'utf8');
  const testCa = fs.readFileSync('/tmp/test-ca.pem', 'utf8');
  await call('MATCH', 'localhost', [praktorCa]);
  await call('OTHER', '127.0.0.1', [testCa]);
  say('CALLS_DONE');
})();
`;

function describeInjection(runtime: string, withRuntime: WithRuntime) {
  describe(`injected credentials in the ${runtime} sandbox`, () => {
    let stack: Stack;
    let server: Server;
    let folder: string;
    let port = 0;
    const received: { path: string; authorization: string | null }[] = [];
    let report = '';

    beforeAll(async () => {
      const certs = testCertificates();
      folder = mkdtempSync(join(tmpdir(), 'praktor-injection-'));
      const caFile = join(folder, 'test-ca.pem');
      writeFileSync(caFile, certs.caPem);
      server = createServer({ cert: certs.certPem, key: certs.keyPem }, (req, res) => {
        received.push({ path: req.url ?? '', authorization: req.headers.authorization ?? null });
        res.end(`served ${req.url}`);
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      port = (server.address() as AddressInfo).port;
      stack = await startStack({
        env: { PRAKTOR_EGRESS_CA_FILE: caFile },
        config: (urls) => {
          const base = defaultStackConfig(urls);
          return withRuntime({
            ...base,
            vault: { passphrase: 'vault-passphrase-for-tests' },
            agents: {
              ...(base.agents as Record<string, unknown>),
              general: {
                description: 'General-purpose assistant',
                env: { API_TOKEN: 'secret:api_token' },
                egress: { allow: [`localhost:${port}`, `127.0.0.1:${port}`] },
              },
            },
          });
        },
        handler: (req: ModelRequest) => {
          if (req.kind !== 'main') return reply.text('side call');
          if (req.toolResults.length > 0) return reply.text('called');
          const command = [
            SEARCH,
            `cat > /tmp/test-ca.pem <<'CA'\n${certs.caPem}CA`,
            `cat > /tmp/call.cjs <<'CALL'\n${CALL}\nCALL`,
            `PROBE_PORT=${port} timeout 20 node /tmp/call.cjs`,
          ].join('\n');
          return reply.toolUse('Bash', { command, description: 'call the test server' });
        },
      });
      const created = await fetch(`${stack.praktor.webUrl}/api/secrets`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          name: 'api_token',
          value: TOKEN,
          agent_ids: ['general'],
          inject: { hosts: [`localhost:${port}`], header: 'Authorization: Bearer {value}' },
        }),
      });
      expect(created.status).toBe(201);
      report = await probeOutput(stack, 'call the test server');
    }, TEST_IMAGE_TIMEOUT_MS);

    afterAll(async () => {
      await stack?.close();
      server?.close();
      if (folder) rmSync(folder, { recursive: true, force: true });
    });

    it('ran the calls to their end', () => {
      expect(report).toContain('CALLS_DONE');
    });

    it('adds the header for the declared host, replacing the one the agent set', () => {
      expect(report).toContain('MATCH_200 issuer=Praktor egress CA served /MATCH');
      expect(received.find((r) => r.path === '/MATCH')?.authorization).toBe(`Bearer ${TOKEN}`);
    });

    it('tunnels any other host untouched: its own certificate, the agent’s own header', () => {
      expect(report).toContain('OTHER_200 issuer=Injection test CA served /OTHER');
      expect(received.find((r) => r.path === '/OTHER')?.authorization).toBe('Bearer made-up-by-the-agent');
    });

    it('gives the agent only a placeholder: not in its environment, any process’s, or its files', () => {
      expect(report).toContain('ENV_CLEAN');
      expect(report).toContain('PROC_CLEAN');
      expect(report).toContain('FILES_CLEAN');
      expect(report).toMatch(new RegExp(`^SANDBOX_TOKEN=${PLACEHOLDER}$`, 'm'));
    });

    it('gives the sandbox the installation CA merged with the usual roots', () => {
      const count = Number(/^BUNDLE_CERTS=(\d+)$/m.exec(report)?.[1] ?? 0);
      expect(count).toBeGreaterThan(100);
    });
  });
}

describeOnEachRuntime('the injected credentials suite', (runtime, withRuntime) =>
  describeInjection(runtime, withRuntime),
);
