/**
 * The ways out of a sandbox, tried as an attacker would, on both runtimes: the fake model makes the agent run a
 * probe through Claude Code's real Bash tool, and the test reads what the probe reported. Each finding of the
 * security review that concerns the sandbox is reproduced here and must do no harm: the host's Unix sockets
 * (Docker's among them), Mission Control and the gateway's other ports (directly and through the gateway's own
 * proxy), root-only files, the configuration file with its credentials, and credentials the model might still get
 * hold of.
 */
import { existsSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { networkInterfaces } from 'node:os';
import { join } from 'node:path';
import {
  containersOf,
  defaultStackConfig,
  dockerInspect,
  type ModelRequest,
  reply,
  type Stack,
  startStack,
  TEST_IMAGE_TIMEOUT_MS,
  TEST_USER_ID,
} from '@praktor/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeOnEachRuntime, type WithRuntime } from './each-runtime.test-support.js';
import { probeOutput } from './probe.test-support.js';

const WEB_PASSWORD = 'correct-horse-battery';
const VAULT_PASSPHRASE = 'vault-passphrase-for-tests';

/** Tries each way out and prints one line per attempt. Runs with the sandbox's node. */
const PROBE = `
const net = require('node:net');
const http = require('node:http');
const fs = require('node:fs');
const env = process.env;
const say = (line) => console.log(line);
function connect(label, options) {
  return new Promise((done) => {
    const socket = net.connect(options);
    socket.setTimeout(3000);
    socket.on('connect', () => { say(label + '_CONNECTED'); socket.destroy(); done(); });
    socket.on('error', (err) => { say(label + '_FAILED ' + err.code); done(); });
    socket.on('timeout', () => { say(label + '_TIMEOUT'); socket.destroy(); done(); });
  });
}
function viaProxy(label, host, port) {
  return new Promise((done) => {
    const proxy = new URL(env.HTTPS_PROXY);
    const request = http.request({ host: proxy.hostname, port: proxy.port, method: 'CONNECT', path: host + ':' + port });
    request.on('connect', (response, socket) => { say(label + '_PROXY_' + response.statusCode); socket.destroy(); done(); });
    request.on('error', (err) => { say(label + '_PROXY_ERROR ' + err.code); done(); });
    request.end();
  });
}
(async () => {
  say('UID=' + process.getuid());
  try { fs.readFileSync('/etc/shadow'); say('SHADOW_READ'); } catch (err) { say('SHADOW_' + err.code); }
  try { say('CONFIG_BYTES=' + fs.readFileSync(env.PROBE_CONFIG).length); } catch (err) { say('CONFIG_' + err.code); }
  say('PROXY=' + (env.HTTPS_PROXY ? 'set' : 'unset'));
  await connect('DOCKER', { path: '/var/run/docker.sock' });
  await connect('CANARY', { path: env.PROBE_CANARY });
  await connect('WEB', { host: '127.0.0.1', port: Number(env.PROBE_WEB_PORT) });
  await viaProxy('WEB', '127.0.0.1', env.PROBE_WEB_PORT);
  await viaProxy('LOCALHOST', 'localhost', env.PROBE_WEB_PORT);
  await viaProxy('V6', '[::1]', env.PROBE_WEB_PORT);
  await viaProxy('MAPPED', '[::ffff:127.0.0.1]', env.PROBE_WEB_PORT);
  await viaProxy('METADATA', '169.254.169.254', 80);
  if (env.PROBE_HOST_IP) await viaProxy('HOST_IP', env.PROBE_HOST_IP, env.PROBE_WEB_PORT);
  say('PROBE_DONE');
})();
`;

/** An address of one of this machine's own interfaces other than loopback, if it has one. */
function ownAddress(): string | null {
  for (const list of Object.values(networkInterfaces())) {
    for (const entry of list ?? []) if (!entry.internal && entry.family === 'IPv4') return entry.address;
  }
  return null;
}

/** The escape suite for one runtime; `config` adds the runtime's settings to the stack's configuration. */
function describeEscape(runtime: string, config: WithRuntime, more: () => void) {
  describe(`escaping the ${runtime} sandbox`, () => {
    let stack: Stack;
    let canary: Server;
    const canaryPath = `/run/praktor-canary-${process.pid}-${runtime}.sock`;
    let report = '';

    beforeAll(async () => {
      // A host Unix socket the test owns: if the sandbox could see the host's /run, it could connect to it.
      rmSync(canaryPath, { force: true });
      canary = createServer((socket) => socket.end('canary\n'));
      await new Promise<void>((resolve) => canary.listen(canaryPath, resolve));
      stack = await startStack({
        config: (urls) =>
          config({
            ...defaultStackConfig(urls),
            web: { auth: WEB_PASSWORD },
            vault: { passphrase: VAULT_PASSPHRASE },
          }),
        handler: (req: ModelRequest) => {
          if (req.kind !== 'main') return reply.text('side call');
          if (req.lastUserText === 'escape') {
            const hostIp = ownAddress();
            const env = [
              `PROBE_CONFIG=${join(stack.praktor.home, 'praktor.yaml')}`,
              `PROBE_CANARY=${canaryPath}`,
              `PROBE_WEB_PORT=${new URL(stack.praktor.webUrl).port}`,
              ...(hostIp ? [`PROBE_HOST_IP=${hostIp}`] : []),
            ].join(' ');
            const command = `cat > /tmp/probe.cjs <<'PROBE'\n${PROBE}\nPROBE\n${env} node /tmp/probe.cjs`;
            return reply.toolUse('Bash', { command, description: 'try the ways out' });
          }
          if (req.toolResults.length > 0) {
            // A model that got hold of every credential anyway tries to hand them to the chat.
            return reply.text(
              `probe done. token ${stack.telegram.token}, password ${WEB_PASSWORD}, vault ${VAULT_PASSPHRASE}`,
            );
          }
          return reply.text('nothing to do');
        },
      });
      report = await probeOutput(stack, 'escape');
    }, TEST_IMAGE_TIMEOUT_MS);

    afterAll(async () => {
      await stack?.close();
      canary?.close();
    });

    it('ran the probe to its end', () => {
      expect(report).toContain('PROBE_DONE');
    });

    it('shows the sandbox no host Unix socket: not Docker’s, not any other in /run', () => {
      expect(existsSync(canaryPath)).toBe(true);
      expect(report).toContain('CANARY_FAILED ENOENT');
      expect(report).toContain('DOCKER_FAILED ENOENT');
    });

    it('cannot reach Mission Control on loopback: the sandbox has no network of its own', () => {
      expect(report).toContain('WEB_FAILED ECONNREFUSED');
    });

    it('cannot reach this machine through the gateway’s internet proxy, by any name', () => {
      expect(report).toContain('PROXY=set');
      for (const label of ['WEB', 'LOCALHOST', 'V6', 'MAPPED', 'METADATA'])
        expect(report).toContain(`${label}_PROXY_403`);
      if (ownAddress()) expect(report).toContain('HOST_IP_PROXY_403');
    });

    it('logs every refused connection with the agent that tried', () => {
      const refused = stack.praktor.logs().filter((line) => line.msg === 'outbound connection refused');
      expect(refused.length).toBeGreaterThanOrEqual(5);
      expect(refused.every((line) => line.agent === 'general')).toBe(true);
    });

    it('runs the agent as an unprivileged user, so root-only files stay closed', () => {
      if (process.getuid?.() === 0) expect(report).toContain('UID=10321');
      expect(report).toMatch(/SHADOW_(EACCES|ENOENT)/);
    });

    it('cannot read the configuration file, which holds credentials', () => {
      expect(report).toMatch(/CONFIG_BYTES=0|CONFIG_ENOENT|CONFIG_EACCES/);
    });

    it('masks every credential the gateway knows in what the agent writes to the chat', () => {
      const answer = stack.telegram.messagesIn(TEST_USER_ID).at(-1)?.text ?? '';
      expect(answer).toContain('probe done');
      for (const secret of [stack.telegram.token, WEB_PASSWORD, VAULT_PASSPHRASE])
        expect(answer).not.toContain(secret);
      expect(answer).toContain('[REDACTED]');
    });

    more();
  });
}

describeOnEachRuntime('the sandbox escape suite', (runtime, withRuntime, prefix) =>
  describeEscape(runtime, withRuntime, () => {
    if (prefix === null) return;
    it('gives the container no network of its own by default: the link is its only way out', () => {
      const [container] = containersOf(prefix);
      const info = dockerInspect('container', container?.id ?? '') as { HostConfig: { NetworkMode: string } };
      expect(info.HostConfig.NetworkMode).toBe('none');
    });
  }),
);
