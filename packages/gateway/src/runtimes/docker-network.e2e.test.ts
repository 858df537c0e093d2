/**
 * The Docker runtime's default network, checked from inside an agent's container: it is Praktor's own bridge, not
 * the host's network, so nothing listening on the host's loopback — Mission Control, the gateway's other ports, any
 * local service — is reachable from an agent. (The other Docker suites use host networking, only so that the
 * containers reach the fake model API on 127.0.0.1.)
 */
import {
  containersOf,
  defaultStackConfig,
  docker,
  dockerInspect,
  ensureTestImage,
  removeInstallation,
  requireDocker,
  type Stack,
  startStack,
  TEST_IMAGE_TIMEOUT_MS,
  testPrefix,
} from '@praktor/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const missing = requireDocker('the Docker network suite');

/** Connects to the port on each loopback address and prints one line per attempt. */
const PROBE = `
const net = require('node:net');
const port = Number(process.argv[1]);
let left = 2;
for (const host of ['127.0.0.1', '::1']) {
  const socket = net.connect({ host, port });
  socket.setTimeout(3000);
  const done = (line) => { console.log(host + ' ' + line); socket.destroy(); if (--left === 0) process.exit(0); };
  socket.on('connect', () => done('CONNECTED'));
  socket.on('error', (err) => done('FAILED ' + err.code));
  socket.on('timeout', () => done('TIMEOUT'));
}
`;

describe.skipIf(missing !== null)('the Docker runtime’s default network', () => {
  let stack: Stack;
  const prefix = testPrefix('net');

  beforeAll(async () => {
    const image = ensureTestImage();
    stack = await startStack({
      config: (urls) => ({
        ...defaultStackConfig(urls),
        defaults: { model: 'claude-test', runtime: 'docker', image },
        docker: { prefix },
      }),
    });
    // Started from Mission Control: the runner waits in its container for its first message.
    const started = await fetch(`${stack.praktor.webUrl}/api/agents/definitions/general/start`, {
      method: 'POST',
    });
    expect(started.status).toBeLessThan(300);
  }, TEST_IMAGE_TIMEOUT_MS);

  afterAll(async () => {
    await stack?.close();
    removeInstallation(prefix);
  });

  it('is Praktor’s own bridge network, not the host’s', () => {
    const [container] = containersOf(prefix);
    expect(container).toBeDefined();
    const info = dockerInspect('container', container?.id ?? '') as { HostConfig: { NetworkMode: string } };
    expect(info.HostConfig.NetworkMode).toBe(`${prefix}-net`);
  });

  it('does not reach Mission Control or anything else on the host’s loopback', () => {
    const [container] = containersOf(prefix);
    const port = new URL(stack.praktor.webUrl).port;
    const out = docker(['exec', container?.id ?? '', 'node', '-e', PROBE, port]);
    expect(out).toMatch(/^127\.0\.0\.1 FAILED ECONNREFUSED$/m);
    expect(out).toMatch(/^::1 FAILED (ECONNREFUSED|EADDRNOTAVAIL)$/m);
  });
});
