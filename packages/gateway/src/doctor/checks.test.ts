import type { AddressInfo } from 'node:net';
import { createServer, type Server } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { unansweredLoopback } from './checks.js';

let server: Server | undefined;
afterEach(() => server?.close());

async function listening(): Promise<number> {
  server = createServer((socket) => socket.end());
  await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

async function closedPort(): Promise<number> {
  const port = await listening();
  await new Promise((resolve) => server?.close(resolve));
  server = undefined;
  return port;
}

describe('a loopback model API seen from a container', () => {
  it('is no problem when something answers at that address in the container', async () => {
    expect(await unansweredLoopback(`http://127.0.0.1:${await listening()}`)).toBeNull();
  });

  it('is a problem, with the fix, when nothing answers there', async () => {
    const port = await closedPort();
    const problem = await unansweredLoopback(`http://127.0.0.1:${port}/v1`);
    expect(problem?.detail).toBe(
      `ANTHROPIC_BASE_URL is http://127.0.0.1:${port}/v1, a loopback address, and the gateway runs in a container where nothing answers there: the model API must listen inside this container`,
    );
    expect(problem?.fix).toContain('host.docker.internal');
  });

  it('is no concern of this check when the address is not loopback', async () => {
    expect(await unansweredLoopback('https://api.anthropic.com')).toBeNull();
  });
});
