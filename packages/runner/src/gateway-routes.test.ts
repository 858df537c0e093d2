import { connect } from 'node:net';
import type { Duplex } from 'node:stream';
import type { StreamOpenMessage } from '@praktor/protocol';
import { LinkStreams, STREAM_WINDOW_BYTES, type StreamMessage } from '@praktor/protocol/link-streams';
import { describe, expect, it } from 'vitest';
import { openGatewayRoutes } from './gateway-routes.js';

/** A runner's routes joined to a gateway end as the link joins them; `opened` gets the gateway's end of each stream. */
async function routes(opened: (stream: Duplex) => void) {
  const ends: { runner: LinkStreams; gateway: LinkStreams } = {} as never;
  ends.runner = new LinkStreams((m: StreamMessage) => queueMicrotask(() => ends.gateway.receive(m)));
  ends.gateway = new LinkStreams((m: StreamMessage) => queueMicrotask(() => ends.runner.receive(m)));
  const announce = (message: StreamOpenMessage) => opened(ends.gateway.create(message.streamId));
  return openGatewayRoutes({}, ends.runner, announce);
}

describe('the runner’s routes to the gateway', () => {
  it('drops the gateway’s end of a stream when its client hangs up in the middle of an answer', async () => {
    let gatewayEnd: Duplex | undefined;
    const { env } = await routes((stream) => {
      gatewayEnd = stream;
      stream.resume();
      stream.on('error', () => {});
      stream.write(Buffer.alloc(4 * STREAM_WINDOW_BYTES));
    });
    const client = connect(Number(new URL(env.ANTHROPIC_BASE_URL ?? '').port), '127.0.0.1');
    await new Promise((resolve) => client.once('data', resolve));
    client.destroy();
    const end = gatewayEnd as Duplex;
    if (!end.destroyed) await new Promise((resolve) => end.once('close', resolve));
    expect(end.destroyed).toBe(true);
  });
});
