/**
 * The model proxy's added latency. A warm turn without the proxy cannot be run any more (a sandbox has no network
 * of its own: Claude Code reaches the model only through it), so this measures what the proxy adds directly, in
 * this process: the same streamed model request sent straight to the fake model API, and sent the way Claude Code
 * sends it — to the runner's loopback port, over link streams (each message JSON-encoded, as on the real link),
 * through the gateway's model proxy (credentials added) to the fake. Requests alternate, so drift hits both alike.
 */
import { createServer } from 'node:http';
import pino from 'pino';
import { modelProxy } from '../packages/gateway/dist/egress/model-proxy.js';
import { LinkStreams } from '../packages/protocol/dist/link-streams.js';
import { openGatewayRoutes } from '../packages/runner/dist/gateway-routes.js';
import { startFakeAnthropic } from '../packages/testkit/dist/index.js';
import { summarize } from './lib.mjs';

const BODY = JSON.stringify({
  model: 'claude-bench',
  max_tokens: 64,
  stream: true,
  messages: [{ role: 'user', content: 'hello' }],
});

/** Sends one streamed model request to `base` and reads the whole answer; returns the milliseconds it took. */
async function turn(base) {
  const began = performance.now();
  const response = await fetch(`${base}/v1/messages`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'x-api-key': 'placeholder',
      'anthropic-version': '2023-06-01',
    },
    body: BODY,
  });
  await response.text();
  if (response.status !== 200) throw new Error(`the model request answered ${response.status}`);
  return performance.now() - began;
}

/** Times `samples` requests each way after `warmup` of each; the figures in ms and the added p50. */
export async function benchModelProxy({ samples, warmup }) {
  const fake = await startFakeAnthropic({});
  const log = pino({ level: 'silent' });
  const proxy = createServer(
    modelProxy(new URL(fake.url), { apiKey: 'sk-bench-real-key', bearer: null }, log),
  );
  // The two ends of a link, joined in this process through JSON text as the real link's JSONL would be.
  let gatewaySide;
  const runnerSide = new LinkStreams((message) => gatewaySide.receive(JSON.parse(JSON.stringify(message))));
  gatewaySide = new LinkStreams((message) => runnerSide.receive(JSON.parse(JSON.stringify(message))));
  const routes = await openGatewayRoutes({}, runnerSide, (open) => {
    proxy.emit('connection', gatewaySide.create(open.streamId));
  });
  const viaProxy = routes.ANTHROPIC_BASE_URL;
  try {
    for (let i = 0; i < warmup; i++) {
      await turn(fake.url);
      await turn(viaProxy);
    }
    const direct = [];
    const proxied = [];
    for (let i = 0; i < samples; i++) {
      direct.push(await turn(fake.url));
      proxied.push(await turn(viaProxy));
    }
    const a = summarize(direct, 2);
    const b = summarize(proxied, 2);
    return {
      what: 'one streamed POST /v1/messages, whole answer read: straight to the fake model API, and through the runner loopback port, link streams (JSON-encoded) and the gateway model proxy',
      direct_ms: a,
      through_proxy_ms: b,
      added_p50_ms: Number((b.p50 - a.p50).toFixed(2)),
      proxied_requests_with_real_key: fake.requests.filter(
        (r) => r.headers['x-api-key'] === 'sk-bench-real-key',
      ).length,
    };
  } finally {
    proxy.close();
    await fake.close();
  }
}
