/**
 * The store benchmark: record and route one message (no agent, no gateway process) with the gateway's own Store
 * class and router, in this process, on a temporary data directory that already holds `prefill` messages.
 * It mirrors what the inbox does for a Telegram message: receive (with its update id, which is checked for a
 * duplicate), pick the agent, record the route.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { route } from '../packages/gateway/dist/router/router.js';
import { Store } from '../packages/gateway/dist/store/index.js';
import { summarize } from './lib.mjs';

const AGENTS = ['a1', 'a2', 'a3', 'a4', 'a5'];

function recordAndRoute(store, n) {
  const text = n % 2 === 0 ? `@a${(n % 5) + 1} stored message ${n}` : `stored message ${n}`;
  const chatId = String(1001 + (n % 20));
  const { message } = store.messages.receive({
    channel: 'telegram',
    chatId,
    sender: `user:${chatId}`,
    text,
    externalId: String(n),
  });
  const chosen = route(message.text, { agents: AGENTS, defaultAgent: 'a1', repliedToAgent: null });
  store.messages.route(message.id, chosen.agentId, chosen.text);
}

/** Fills a store with `prefill` messages, then times `samples` more one by one. */
export function benchStore({ prefill, samples }) {
  const dir = mkdtempSync(join(tmpdir(), 'praktor-bench-store-'));
  const store = Store.open(dir);
  try {
    const fillStart = performance.now();
    for (let n = 0; n < prefill; n++) recordAndRoute(store, n);
    const fillMs = performance.now() - fillStart;
    const times = [];
    for (let i = 0; i < samples; i++) {
      const start = performance.now();
      recordAndRoute(store, prefill + i);
      times.push((performance.now() - start) * 1000);
    }
    return {
      what: `receive (with duplicate check on the update id) + route() + record the route, one message at a time, with ${prefill} messages already stored; in-process, SQLite WAL on a temp dir`,
      units: 'microseconds per message',
      stored_before: prefill,
      per_message_us: summarize(times, 1),
      prefill_seconds: Number((fillMs / 1000).toFixed(1)),
      prefill_us_per_message: Number(((fillMs * 1000) / Math.max(1, prefill)).toFixed(1)),
    };
  } finally {
    store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
