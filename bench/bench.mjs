/**
 * Praktor's benchmark: the real gateway against the test kit's fake model API (answering at once) and fake
 * Telegram API, all on 127.0.0.1. Prints a table and writes bench/results/<date>-<quick|full>.json.
 *
 *   npm run bench              full run (a few minutes)
 *   npm run bench -- --quick   smaller counts, under two minutes
 *   npm run bench -- --profile also writes a CPU profile of the gateway (bench/cpu-profile.mjs, preloaded)
 *   npm run bench -- --prewarm only the warm Telegram turn and the first message to a prewarmed agent (with --quick:
 *                              the quick counts); writes bench/results/<date>-prewarm.json
 *   npm run bench -- --memory  only agents' memory: recall at 1,000 / 10,000 / 100,000 memories and store
 *                              throughput (no gateway, about a minute); writes bench/results/<date>-memory.json
 *
 * Backup and restore throughput on 1 GB has a script of its own (it writes gigabytes): `npm run bench:backup`.
 */
import { mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  containersOf,
  defaultHandler,
  docker,
  dockerProblem,
  ensureTestImage,
  processesWorkingIn,
  removeInstallation,
  reply,
  startStack,
  testPrefix,
  withDocker,
} from '@praktor/testkit';
import WebSocket from 'ws';
import { benchDockerHosts } from './docker-hosts.mjs';
import { machine, ms, pssMb, rssMb, sleep, summarize } from './lib.mjs';
import { benchLocalEmbedder, benchMemory } from './memory.mjs';
import { benchModelProxy } from './model-proxy.mjs';
import { benchStore } from './store.mjs';
import { benchSwarm } from './swarm.mjs';

const HERE = dirname(fileURLToPath(import.meta.url));
const args = new Set(process.argv.slice(2));
const QUICK = args.has('--quick');
const PROFILE = args.has('--profile');
const PREWARM_ONLY = args.has('--prewarm');
const MEMORY_ONLY = args.has('--memory');
const MODE = QUICK ? 'quick' : 'full';

const COUNTS = QUICK
  ? {
      warmTelegram: 50,
      warmWeb: 50,
      proxySamples: 100,
      cold: 5,
      prewarmed: 5,
      reloads: 10,
      throughputPerChat: 10,
      storePrefill: 100_000,
      storeSamples: 1000,
      memorySamples: 200,
      memoryStoreSamples: 1000,
      swarms: 3,
    }
  : {
      warmTelegram: 200,
      warmWeb: 200,
      proxySamples: 500,
      cold: 20,
      prewarmed: 10,
      reloads: 30,
      throughputPerChat: 50,
      storePrefill: 100_000,
      storeSamples: 2000,
      memorySamples: 1000,
      memoryStoreSamples: 2000,
      swarms: 10,
    };

const CHATS = 20;
const FIRST_USER = 1001;
const USERS = Array.from({ length: CHATS }, (_, i) => FIRST_USER + i);
const TP_AGENTS = ['a1', 'a2', 'a3', 'a4', 'a5'];
/** Telegram paces each chat at one message a second; the next message of a chat waits this long after its answer. */
const SAME_CHAT_GAP_MS = 1050;
const TOKEN = /bench-[a-z]+-\d+/;

function log(line) {
  process.stderr.write(`[bench] ${line}\n`);
}

// --- The fake model: answers every main turn at once, noting when the first request of each message arrived. ---
const firstMainAt = new Map();
function handler(req) {
  if (req.kind !== 'main') return defaultHandler(req);
  const token = TOKEN.exec(req.lastUserText)?.[0];
  if (token && !firstMainAt.has(token)) firstMainAt.set(token, req.receivedAt);
  return reply.text(`ok ${token ?? ''}`);
}

function config({ telegramApiRoot, telegramToken }) {
  const agents = { tg: { description: 'Warm Telegram turns' }, web: { description: 'Warm web turns' } };
  agents.cold = { description: 'Cold starts' };
  for (const id of TP_AGENTS) agents[id] = { description: `Throughput agent ${id}` };
  return {
    telegram: { token: telegramToken, api_root: telegramApiRoot, allow_from: USERS },
    // Room for every agent at once, so that no agent is stopped to make room during a measurement.
    defaults: { model: 'claude-bench-model', idle_timeout: '30m', max_running: 10 },
    agents,
    // The plain path: the cost of AI routing is the classifier's own round trip, not measured here.
    router: { default_agent: 'tg', ai: false },
  };
}

// --- Warm agents and hot reload, each start on a gateway of its own. ---
/**
 * Starts a new gateway `n` times, waits until its default agent (warm by default) is up, then times its first
 * message over Telegram; on the last gateway, times reloads from writing praktor.yaml to the change in force.
 */
async function prewarmAndReload(n, reloads) {
  const firstMessage = [];
  const firstToModel = [];
  let reload = null;
  for (let i = 0; i < n; i++) {
    let yaml;
    const stack = await startStack({
      handler,
      config: ({ telegramApiRoot, telegramToken }) => {
        yaml = {
          telegram: { token: telegramToken, api_root: telegramApiRoot, allow_from: [FIRST_USER] },
          defaults: { model: 'claude-bench-model', idle_timeout: '30m' },
          agents: { pw: { description: 'Prewarmed' }, other: { description: 'Another agent' } },
          router: { default_agent: 'pw', ai: false },
        };
        return yaml;
      },
      env: { PRAKTOR_LOG_LEVEL: 'info' },
    });
    try {
      const base = stack.praktor.webUrl;
      await until(
        () =>
          stack.praktor.logs().some((l) => l.msg === 'agent started' && l.agent === 'pw') ? true : undefined,
        'the prewarmed agent to start',
        60_000,
        20,
      );
      const sentAt = sentIndex(stack.telegram);
      const token = `bench-prewarm-${i}`;
      const injectedAt = Date.now();
      stack.telegram.sendText({ userId: FIRST_USER, text: `first ${token}` });
      firstMessage.push((await until(() => sentAt(token), `answer ${token}`, 30_000)) - injectedAt);
      firstToModel.push(firstMainAt.get(token) - injectedAt);
      if (i === n - 1) {
        const samples = [];
        for (let r = 0; r < reloads; r++) {
          const id = `added${r}`;
          yaml.agents[id] = { description: `Added by reload ${r}` };
          const before = await api(base, 'GET', '/api/status');
          const writtenAt = Date.now();
          writeFileSync(join(stack.praktor.home, 'praktor.yaml'), JSON.stringify(yaml));
          await until(
            () =>
              stack.praktor.logs().some((l) => l.msg === 'config reloaded' && l.agents_added?.includes(id))
                ? true
                : undefined,
            `reload ${r}`,
            10_000,
          );
          samples.push(Date.now() - writtenAt);
          const after = await api(base, 'GET', '/api/status');
          if (after.config.loaded_at <= before.config.loaded_at)
            throw new Error('the reload did not take effect');
        }
        reload = summarize(samples);
      }
    } finally {
      await stack.close();
    }
  }
  return {
    prewarmed_first_message: {
      what: `a new gateway started ${n} times; once its default agent (warm by default) is up, one Telegram update injected at the fake -> answer recorded by the fake Telegram; compare with the warm Telegram turn`,
      units: 'ms',
      to_first_model_request_ms: summarize(firstToModel),
      to_reply_recorded_ms: summarize(firstMessage),
    },
    reload: {
      what: `praktor.yaml rewritten (an agent added) -> the gateway logs the new configuration in force (file watch, ${reloads} reloads; includes the 250 ms the watcher waits for writes to settle)`,
      units: 'ms',
      to_in_force_ms: reload,
    },
  };
}

async function api(base, method, path, body) {
  const response = await fetch(`${base}${path}`, {
    method,
    headers: body !== undefined ? { 'content-type': 'application/json' } : {},
    body: body !== undefined ? JSON.stringify(body) : undefined,
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${text}`);
  return text ? JSON.parse(text) : null;
}

/** Waits until `check` returns something other than undefined, polling every `everyMs`. */
async function until(check, what, timeoutMs, everyMs = 2) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(everyMs);
  }
}

/** Indexes the fake Telegram's sent messages by the benchmark token they carry, as they arrive. */
function sentIndex(telegram) {
  const byToken = new Map();
  let seen = 0;
  return (token) => {
    for (; seen < telegram.sent.length; seen++) {
      const message = telegram.sent[seen];
      const found = TOKEN.exec(message.text)?.[0];
      if (found && !byToken.has(found)) byToken.set(found, message.at);
    }
    return byToken.get(token);
  };
}

/** The live feed: when each answer (by the id of the message it answers) was seen `sent`, on this side. */
function openLive(base) {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(`${base.replace('http', 'ws')}/api/ws`, { headers: { origin: base } });
    const answeredAt = new Map();
    socket.on('message', (data) => {
      const now = Date.now();
      const event = JSON.parse(String(data));
      if (event.type === 'message' && event.message.state === 'sent' && event.message.in_reply_to !== null) {
        if (!answeredAt.has(event.message.in_reply_to)) answeredAt.set(event.message.in_reply_to, now);
      }
    });
    socket.once('open', () => resolve({ socket, answeredAt }));
    socket.once('error', reject);
  });
}

/** Sum of VmRSS and of PSS over the processes working in the agent's folder (runner, Claude Code, bwrap). */
function sandboxMemory(dataDir, workspace) {
  const found = processesWorkingIn(join(dataDir, 'agents', workspace));
  let rss = 0;
  let pss = 0;
  for (const p of found) {
    rss += rssMb(p.pid) ?? 0;
    pss += pssMb(p.pid) ?? 0;
  }
  const each = found.map((p) => ({
    command: p.command.split(' ').slice(0, 2).join(' ').slice(-60),
    rss_mb: Number((rssMb(p.pid) ?? 0).toFixed(1)),
  }));
  return { processes: found.length, rss_mb: Number(rss.toFixed(1)), pss_mb: Number(pss.toFixed(1)), each };
}

// --- 1. Warm turns over Telegram. ---
async function warmTelegram(stack, sentAt, n) {
  const { telegram } = stack;
  // Start the agent first; this turn is not counted.
  const warm = 'bench-tgwarm-0';
  telegram.sendText({ userId: FIRST_USER, text: `hello ${warm}` });
  await until(() => sentAt(warm), 'the warm-up answer', 60_000);
  const lastAnswer = new Map([[FIRST_USER, Date.now()]]);
  const toModel = [];
  const total = [];
  for (let i = 0; i < n; i++) {
    const user = USERS[i % CHATS];
    const wait = (lastAnswer.get(user) ?? 0) + SAME_CHAT_GAP_MS - Date.now();
    if (wait > 0) await sleep(wait);
    const token = `bench-tg-${i}`;
    const injectedAt = Date.now();
    telegram.sendText({ userId: user, text: `question ${token}` });
    const answeredAt = await until(() => sentAt(token), `Telegram answer ${token}`, 30_000);
    lastAnswer.set(user, answeredAt);
    toModel.push(firstMainAt.get(token) - injectedAt);
    total.push(answeredAt - injectedAt);
  }
  return {
    what: `Telegram update injected at the fake -> first model request at the fake -> answer recorded by the fake Telegram (sendMessage); agent already running; one message in flight, ${CHATS} chats in turn, >= ${SAME_CHAT_GAP_MS} ms between messages of one chat; the fake model answers at once`,
    units: 'ms',
    to_first_model_request_ms: summarize(toModel),
    to_reply_recorded_ms: summarize(total),
  };
}

// --- 1b. Warm turns over the web chat. ---
async function warmWeb(stack, live, n) {
  const base = stack.praktor.webUrl;
  const post = (token) =>
    api(base, 'POST', '/api/agents/definitions/web/messages', { text: `question ${token}` });
  const warm = await post('bench-webwarm-0');
  await until(() => live.answeredAt.get(warm.message.id), 'the web warm-up answer', 60_000);
  const toModel = [];
  const total = [];
  for (let i = 0; i < n; i++) {
    const token = `bench-web-${i}`;
    const postedAt = Date.now();
    const { message } = await post(token);
    const answeredAt = await until(() => live.answeredAt.get(message.id), `web answer ${token}`, 30_000);
    toModel.push(firstMainAt.get(token) - postedAt);
    total.push(answeredAt - postedAt);
  }
  return {
    what: 'POST /api/agents/definitions/web/messages sent -> first model request at the fake -> the answer message event with state "sent" received on /api/ws; agent already running; one message in flight',
    units: 'ms',
    to_first_model_request_ms: summarize(toModel),
    to_answer_event_ms: summarize(total),
  };
}

// --- 2. Cold starts. ---
/**
 * Stops agent `cold` (POST .../stop, timed), waits until `gone()` says nothing of its sandbox is left, then
 * messages it and times the message -> first model request, `n` times. Run 1 is the agent's first start ever.
 */
async function coldLoop(stack, live, n, gone, tokenPrefix) {
  const base = stack.praktor.webUrl;
  const toModel = [];
  const total = [];
  const stops = [];
  for (let i = 0; i < n; i++) {
    const stopAt = Date.now();
    await api(base, 'POST', '/api/agents/definitions/cold/stop');
    if (i > 0) stops.push(Date.now() - stopAt);
    await until(() => (gone() ? true : undefined), 'the cold agent to leave nothing behind', 15_000, 20);
    const { agent_status: status } = await api(base, 'GET', '/api/agents/definitions/cold');
    if (status !== 'stopped') throw new Error(`cold agent is ${status} after stop`);
    const token = `bench-${tokenPrefix}-${i}`;
    const postedAt = Date.now();
    const { message } = await api(base, 'POST', '/api/agents/definitions/cold/messages', {
      text: `question ${token}`,
    });
    const answeredAt = await until(() => live.answeredAt.get(message.id), `cold answer ${token}`, 60_000);
    toModel.push(firstMainAt.get(token) - postedAt);
    total.push(answeredAt - postedAt);
  }
  return {
    units: 'ms',
    to_first_model_request_ms: summarize(toModel),
    to_answer_event_ms: summarize(total),
    first_run_ms: toModel[0] ?? null,
    stop_ms: summarize(stops),
  };
}

async function coldStartsLocal(stack, live, n) {
  const { workspace } = await api(stack.praktor.webUrl, 'GET', '/api/agents/definitions/cold');
  const agentDir = join(stack.praktor.dataDir, 'agents', workspace);
  return {
    what: "web chat message to an agent with no sandbox (stopped with POST .../stop, no process left) -> first model request at the fake: sandbox start, runner, Claude Code start, session resume. Run 1 is the agent's first start ever; later runs resume its conversation. stop_ms: POST .../stop of the running agent until it answers (sandbox gone)",
    ...(await coldLoop(stack, live, n, () => processesWorkingIn(agentDir).length === 0, 'cold')),
  };
}

/** Sum of VmRSS and PSS over the processes of a container (seen from the host). */
function containerMemory(name) {
  const pids = docker(['top', name, '-eo', 'pid']).split('\n').slice(1).map(Number).filter(Boolean);
  let rss = 0;
  let pss = 0;
  for (const pid of pids) {
    rss += rssMb(pid) ?? 0;
    pss += pssMb(pid) ?? 0;
  }
  return { processes: pids.length, rss_mb: Number(rss.toFixed(1)), pss_mb: Number(pss.toFixed(1)) };
}

/**
 * The same cold starts with the agent in a Docker container, on a gateway of its own (the test image, host
 * networking), and the memory of one idle agent container.
 */
async function coldStartsDocker(n) {
  const problem = dockerProblem();
  if (problem) return { not_available: problem };
  const image = ensureTestImage();
  const prefix = testPrefix('bench');
  const stack = await startStack({
    handler,
    env: { PRAKTOR_LOG_LEVEL: 'info' },
    config: ({ telegramApiRoot, telegramToken }) =>
      withDocker(
        {
          telegram: { token: telegramToken, api_root: telegramApiRoot, allow_from: USERS },
          defaults: { model: 'claude-bench-model', idle_timeout: '30m' },
          agents: { cold: { description: 'Cold starts in Docker' } },
          router: { default_agent: 'cold' },
        },
        { prefix, image },
      ),
  });
  current = stack;
  const live = await openLive(stack.praktor.webUrl);
  try {
    const figures = await coldLoop(stack, live, n, () => containersOf(prefix).length === 0, 'dockercold');
    await sleep(1000);
    return {
      what: 'the same as the local runtime, with the agent in a container (the default hardening, host networking): container created and started, runner, Claude Code start, session resume from the home volume. stop_ms: POST .../stop until the container is removed',
      image,
      ...figures,
      container_memory: {
        what: 'sum over the processes of the idle agent container (docker-init, runner, Claude Code), seen from the host',
        ...containerMemory(`${prefix}-agent-cold`),
      },
    };
  } finally {
    live.socket.close();
    await stack.close();
    removeInstallation(prefix);
  }
}

/** Times GET /api/status round trips, one after another, until `stop()` says so. */
function probeLag(base, gapMs) {
  const samples = [];
  let running = true;
  const done = (async () => {
    while (running) {
      const start = performance.now();
      await api(base, 'GET', '/api/status');
      samples.push(performance.now() - start);
      await sleep(gapMs);
    }
  })();
  return {
    async stop() {
      running = false;
      await done;
      return samples;
    },
  };
}

// --- 3. Throughput. ---
async function throughput(stack, sentAt, perChat) {
  const { telegram } = stack;
  const base = stack.praktor.webUrl;
  // Start the five agents first, so the run measures warm agents.
  await Promise.all(TP_AGENTS.map((id) => api(base, 'POST', `/api/agents/definitions/${id}/start`)));
  // Let the Telegram pacing of the chats used before run out.
  await sleep(SAME_CHAT_GAP_MS);
  const lag = probeLag(base, 20);
  const injected = new Map();
  let seq = 0;
  const startedAt = Date.now();
  for (let k = 0; k < perChat; k++) {
    for (let c = 0; c < CHATS; c++) {
      const agent = TP_AGENTS[(c + k) % TP_AGENTS.length];
      const token = `bench-tp-${seq++}`;
      injected.set(token, Date.now());
      telegram.sendText({ userId: USERS[c], text: `@${agent} question ${token}` });
    }
  }
  const total = injected.size;
  const deadline = startedAt + 60_000 + total * 400;
  const latency = [];
  const toModel = [];
  let lastAnswer = 0;
  let lastModel = 0;
  const pending = new Set(injected.keys());
  while (pending.size > 0 && Date.now() < deadline) {
    for (const token of pending) {
      const at = sentAt(token);
      if (at === undefined) continue;
      pending.delete(token);
      latency.push(at - injected.get(token));
      toModel.push(firstMainAt.get(token) - injected.get(token));
      lastAnswer = Math.max(lastAnswer, at);
      lastModel = Math.max(lastModel, firstMainAt.get(token));
    }
    await sleep(20);
  }
  const lagSamples = await lag.stop();
  const seconds = (lastAnswer - startedAt) / 1000;
  const ceiling = Math.min(CHATS, 25);
  return {
    result: {
      what: `${total} Telegram messages injected at once across ${CHATS} chats and ${TP_AGENTS.length} agents (by @agent prefix), agents already running; answers counted at the fake Telegram`,
      messages: total,
      answered: total - pending.size,
      lost: pending.size,
      units: 'messages/second; latency in ms from injection to the answer recorded (includes queueing)',
      messages_per_second: Number((latency.length / seconds).toFixed(2)),
      telegram_pacing_ceiling_per_second: ceiling,
      pacing_note: `Praktor sends at most 1 message/s per chat and 25/s overall (Telegram's limits): ${CHATS} chats cap delivery at ${ceiling}/s`,
      model_side_messages_per_second: Number((toModel.length / ((lastModel - startedAt) / 1000)).toFixed(2)),
      latency_ms: summarize(latency),
      to_first_model_request_ms: summarize(toModel),
      seconds: Number(seconds.toFixed(1)),
    },
    lag: {
      what: 'event-loop lag seen from outside: round-trip time of GET /api/status (which also reads the database), one at a time every 20 ms, during the throughput run; an upper bound on the gateway event loop lag',
      units: 'ms',
      status_round_trip_ms: summarize(lagSamples),
    },
  };
}

function baselineStatus(base, count) {
  return (async () => {
    const samples = [];
    for (let i = 0; i < count; i++) {
      const start = performance.now();
      await api(base, 'GET', '/api/status');
      samples.push(performance.now() - start);
      await sleep(20);
    }
    return summarize(samples);
  })();
}

// --- The table. ---
function table(results) {
  const r = results.figures;
  const rows = [];
  const add = (figure, value, goal = '') => rows.push([figure, value, goal]);
  const pct = (s) => `p50 ${ms(s.p50)} / p95 ${ms(s.p95)} / p99 ${ms(s.p99)}`;
  add('Warm turn, Telegram: inject -> 1st model request', pct(r.warm_telegram.to_first_model_request_ms));
  add(
    'Warm turn, Telegram: inject -> reply recorded',
    pct(r.warm_telegram.to_reply_recorded_ms),
    'p95 < 100 ms',
  );
  add('Warm turn, web: POST -> 1st model request', pct(r.warm_web.to_first_model_request_ms));
  add(
    'Model request: straight to the model API',
    `p50 ${ms(r.model_proxy.direct_ms.p50)} / p95 ${ms(r.model_proxy.direct_ms.p95)}`,
  );
  add(
    'Model request: through link + model proxy',
    `p50 ${ms(r.model_proxy.through_proxy_ms.p50)} / p95 ${ms(r.model_proxy.through_proxy_ms.p95)} (added p50 ${ms(r.model_proxy.added_p50_ms)})`,
    'added p50 < 2 ms',
  );
  add('Warm turn, web: POST -> answer event (sent)', pct(r.warm_web.to_answer_event_ms), 'p95 < 100 ms');
  const cold = r.cold_start.local.to_first_model_request_ms;
  add(`Cold start, local runtime (${cold.count} starts)`, `p50 ${ms(cold.p50)} / p95 ${ms(cold.p95)}`);
  const first = r.warm_start.prewarmed_first_message.to_reply_recorded_ms;
  const warmP95 = r.warm_telegram.to_reply_recorded_ms.p95;
  add(
    `First message to a prewarmed agent after start (${first.count} starts)`,
    `p50 ${ms(first.p50)} / p95 ${ms(first.p95)} (${(first.p95 / warmP95).toFixed(2)}x warm p95)`,
    'p95 within 1.5x warm turn',
  );
  const reloadMs = r.warm_start.reload.to_in_force_ms;
  add(
    `Reload: file written -> in force (${reloadMs.count} reloads)`,
    `p50 ${ms(reloadMs.p50)} / p95 ${ms(reloadMs.p95)}`,
  );
  const stop = r.cold_start.local.stop_ms;
  add('Stop, local runtime', `p50 ${ms(stop.p50)} / p95 ${ms(stop.p95)}`);
  const dockerCold = r.cold_start.docker;
  if (dockerCold.not_available) {
    add('Cold start, Docker runtime', `not available: ${dockerCold.not_available}`, 'p95 < 1.5 s');
  } else {
    const d = dockerCold.to_first_model_request_ms;
    add(
      `Cold start, Docker runtime (${d.count} starts)`,
      `p50 ${ms(d.p50)} / p95 ${ms(d.p95)} (first start ${ms(dockerCold.first_run_ms)})`,
      'p95 < 1.5 s',
    );
    add(
      'Stop, Docker runtime (container removed)',
      `p50 ${ms(dockerCold.stop_ms.p50)} / p95 ${ms(dockerCold.stop_ms.p95)}`,
    );
    const mem = dockerCold.container_memory;
    add('RSS per agent container', `${mem.rss_mb} MB RSS (${mem.pss_mb} MB PSS), ${mem.processes} processes`);
  }
  const hosts = r.docker_hosts;
  if (hosts.not_available) {
    add('Docker hosts: local and remote', `not available: ${hosts.not_available}`);
  } else {
    for (const [where, label] of [
      ['local', 'local daemon'],
      ['remote', 'remote daemon (TCP + TLS)'],
    ]) {
      const h = hosts[where];
      const c = h.cold_to_first_model_request_ms;
      const w = h.warm_to_reply_recorded_ms;
      add(`Cold start, ${label} (${c.count} starts)`, `p50 ${ms(c.p50)} / p95 ${ms(c.p95)}`);
      add(`Warm turn, ${label}: inject -> reply recorded`, `p50 ${ms(w.p50)} / p95 ${ms(w.p95)}`);
    }
  }
  const tp = r.throughput;
  add(
    `Throughput: ${tp.messages} msgs, ${CHATS} chats, ${TP_AGENTS.length} agents`,
    `${tp.answered}/${tp.messages} answered, ${tp.messages_per_second} msg/s (ceiling ${tp.telegram_pacing_ceiling_per_second}/s), ${tp.seconds} s`,
    'no loss',
  );
  add('Throughput latency (incl. queueing)', pct(tp.latency_ms));
  add('Throughput, model side: msg/s reaching the model', `${tp.model_side_messages_per_second} msg/s`);
  const f = r.footprint;
  add('Gateway RSS, idle (no agent running)', `${f.gateway_rss_idle_mb} MB`, '< 120 MB');
  add('Gateway RSS, after throughput', `${f.gateway_rss_after_throughput_mb} MB`);
  add(
    'RSS per agent sandbox (mean of 5)',
    `${f.sandbox_rss_mb_mean} MB RSS (${f.sandbox_pss_mb_mean} MB PSS), ${f.sandbox_processes} processes`,
  );
  add('GET /api/status round trip during run (lag proxy)', pct(r.event_loop_lag.status_round_trip_ms));
  const sw = r.swarm;
  add(
    'Swarm fan-out of 5 (instant model), wall',
    `${pct(sw.wall_ms)}; gateway CPU ${Math.round(sw.gateway_cpu_share * 100)}% of wall, outside members p50 ${sw.outside_members_ms.p50} ms`,
  );
  const s = r.store;
  add(
    `Store: receive + route at ${s.stored_before} stored`,
    `p50 ${s.per_message_us.p50} us / p99 ${s.per_message_us.p99} us / mean ${s.per_message_us.mean} us`,
  );
  for (const row of memoryRows(r.memory)) add(...row);
  const widths = [0, 1, 2].map((i) => Math.max(...rows.map((row) => row[i].length), 6));
  const line = (row) => row.map((cell, i) => cell.padEnd(widths[i])).join(' | ');
  const m = results.machine;
  return [
    `Praktor benchmark (${results.mode}), ${results.date}`,
    `Machine: ${m.cores} cores (${m.cpu_model}), ${m.memory_mb} MB memory, Node ${m.node}, Linux ${m.kernel}, local sandbox: ${m.local_sandbox}`,
    '',
    line(['Figure', 'Result', 'Goal']),
    line(widths.map((w) => '-'.repeat(w))),
    ...rows.map(line),
  ].join('\n');
}

/** `--prewarm`: the warm Telegram turn and the first message to a prewarmed agent, the pair the goal compares. */
async function prewarmOnly() {
  const began = Date.now();
  const results = {
    mode: `${MODE}-prewarm`,
    date: new Date().toISOString(),
    machine: machine(),
    counts: COUNTS,
  };
  const stack = await startStack({ handler, config, env: { PRAKTOR_LOG_LEVEL: 'info' } });
  current = stack;
  let warm;
  try {
    log(`warm Telegram turns: ${COUNTS.warmTelegram}`);
    warm = await warmTelegram(stack, sentIndex(stack.telegram), COUNTS.warmTelegram);
  } finally {
    await stack.close();
  }
  log(`prewarmed first messages: ${COUNTS.prewarmed}`);
  const start = await prewarmAndReload(COUNTS.prewarmed, 1);
  results.figures = {
    warm_telegram: warm,
    warm_start: { prewarmed_first_message: start.prewarmed_first_message },
  };
  results.seconds = Math.round((Date.now() - began) / 1000);
  const pct = (s) => `p50 ${ms(s.p50)} / p95 ${ms(s.p95)} / p99 ${ms(s.p99)}`;
  const first = start.prewarmed_first_message;
  process.stdout.write(
    [
      '',
      `Warm turn, Telegram: inject -> 1st model request    ${pct(warm.to_first_model_request_ms)}`,
      `Warm turn, Telegram: inject -> reply recorded       ${pct(warm.to_reply_recorded_ms)}`,
      `Prewarmed first message: inject -> 1st model request ${pct(first.to_first_model_request_ms)}`,
      `Prewarmed first message: inject -> reply recorded    ${pct(first.to_reply_recorded_ms)} (${(first.to_reply_recorded_ms.p95 / warm.to_reply_recorded_ms.p95).toFixed(2)}x warm p95; goal 1.5x)`,
      '',
    ].join('\n'),
  );
  const outDir = join(HERE, 'results');
  mkdirSync(outDir, { recursive: true });
  const file = join(outDir, `${results.date.slice(0, 10)}-prewarm.json`);
  writeFileSync(file, `${JSON.stringify(results, null, 2)}\n`);
  process.stdout.write(`Wrote ${file} (${results.seconds} s)\n`);
}

const MEMORY_SIZES = [1_000, 10_000, 100_000];

/** The memory rows of the table: recall per size against its goal, and store throughput. */
function memoryRows(memory) {
  const rows = Object.entries(memory.recall_ms).map(([size, recall]) => [
    `Memory recall at ${Number(size).toLocaleString('en')} memories (FTS)`,
    `p50 ${recall.wall_ms.p50} ms / p95 ${recall.wall_ms.p95} ms (CPU p95 ${recall.cpu_ms.p95} ms)`,
    size === '100000' ? 'p95 < 10 ms' : '',
  ]);
  const local = memory.local_embedder;
  rows.push([
    'Memory recall at 1,000 memories, local embedder (tiny model)',
    `p50 ${local.recall_ms.wall_ms.p50} ms / p95 ${local.recall_ms.wall_ms.p95} ms (CPU p95 ${local.recall_ms.cpu_ms.p95} ms)`,
    '',
  ]);
  rows.push([
    'Memory store, one at a time',
    `${memory.store_per_second}/s (p50 ${memory.store_us.p50} us / p95 ${memory.store_us.p95} us)`,
    '',
  ]);
  return rows;
}

/** `--memory`: agents' memory alone, which needs no gateway, so it can be measured again in a minute. */
async function memoryOnly() {
  const began = Date.now();
  const results = {
    mode: `${MODE}-memory`,
    date: new Date().toISOString(),
    machine: machine(),
    counts: COUNTS,
  };
  log(`memory: recall at 1,000 / 10,000 / 100,000 memories, ${COUNTS.memorySamples} samples each`);
  const memory = await benchMemory({
    sizes: MEMORY_SIZES,
    samples: COUNTS.memorySamples,
    storeSamples: COUNTS.memoryStoreSamples,
  });
  results.figures = { memory };
  results.seconds = Math.round((Date.now() - began) / 1000);
  const rows = memoryRows(memory);
  process.stdout.write(`\n${rows.map((row) => row.filter(Boolean).join(' | ')).join('\n')}\n\n`);
  const outDir = join(HERE, 'results');
  mkdirSync(outDir, { recursive: true });
  const file = join(outDir, `${results.date.slice(0, 10)}-memory.json`);
  writeFileSync(file, `${JSON.stringify(results, null, 2)}\n`);
  process.stdout.write(`Wrote ${file} (${results.seconds} s)\n`);
}

async function main() {
  const began = Date.now();
  const results = {
    mode: MODE,
    date: new Date().toISOString(),
    machine: machine(),
    counts: COUNTS,
    figures: {},
  };
  const fig = results.figures;
  const profileDir = PROFILE ? mkdtempSync(join(tmpdir(), 'praktor-bench-prof-')) : null;
  log(
    `${MODE} run on ${results.machine.cores} cores, ${results.machine.memory_mb} MB, Node ${process.version}`,
  );

  const env = { PRAKTOR_LOG_LEVEL: 'info' };
  if (profileDir) {
    env.NODE_OPTIONS = `--import=${join(HERE, 'cpu-profile.mjs')}`;
    env.PRAKTOR_BENCH_PROFILE_DIR = profileDir;
  }
  const stack = await startStack({ handler, config, env });
  current = stack;
  const sentAt = sentIndex(stack.telegram);
  const pid = stack.praktor.process.child.pid;
  const base = stack.praktor.webUrl;
  let live;
  try {
    await sleep(3000);
    const idle = rssMb(pid);
    const idleStatus = await baselineStatus(base, 50);
    log(`idle gateway RSS ${idle.toFixed(1)} MB`);
    live = await openLive(base);

    log(`warm Telegram turns: ${COUNTS.warmTelegram}`);
    fig.warm_telegram = await warmTelegram(stack, sentAt, COUNTS.warmTelegram);
    log(`warm web turns: ${COUNTS.warmWeb}`);
    fig.warm_web = await warmWeb(stack, live, COUNTS.warmWeb);
    log(`cold starts: ${COUNTS.cold}`);
    fig.cold_start = { local: await coldStartsLocal(stack, live, COUNTS.cold) };
    log(`throughput: ${COUNTS.throughputPerChat * CHATS} messages`);
    const tp = await throughput(stack, sentAt, COUNTS.throughputPerChat);
    fig.throughput = tp.result;
    fig.event_loop_lag = { ...tp.lag, idle_status_round_trip_ms: idleStatus };
    await sleep(1000);
    const sandboxes = [];
    for (const id of TP_AGENTS) {
      const { workspace } = await api(base, 'GET', `/api/agents/definitions/${id}`);
      sandboxes.push({ agent: id, ...sandboxMemory(stack.praktor.dataDir, workspace) });
    }
    const mean = (key) =>
      Number((sandboxes.reduce((sum, s) => sum + s[key], 0) / sandboxes.length).toFixed(1));
    fig.footprint = {
      what: 'VmRSS from /proc/<pid>/status: the gateway 3 s after start with no agent running, and 1 s after the throughput run (8 agents running); per sandbox, the sum over the processes working in the agent folder (bwrap, runner, Claude Code) of VmRSS, and of PSS (shared pages split), with the agent idle after the throughput run',
      units: 'MiB',
      gateway_rss_idle_mb: Number(idle.toFixed(1)),
      gateway_rss_after_throughput_mb: Number(rssMb(pid).toFixed(1)),
      sandbox_rss_mb_mean: mean('rss_mb'),
      sandbox_pss_mb_mean: mean('pss_mb'),
      sandbox_processes: sandboxes[0]?.processes ?? 0,
      sandboxes,
    };
  } finally {
    live?.socket.close();
    await stack.close();
  }

  log(`prewarmed first messages: ${COUNTS.prewarmed}, reloads: ${COUNTS.reloads}`);
  fig.warm_start = await prewarmAndReload(COUNTS.prewarmed, COUNTS.reloads);

  log(`cold starts in Docker: ${COUNTS.cold}`);
  fig.cold_start.docker = await coldStartsDocker(COUNTS.cold);

  log(`agents on two Docker hosts: ${COUNTS.cold} cold starts and ${COUNTS.cold} warm turns each`);
  fig.docker_hosts = await benchDockerHosts({ cold: COUNTS.cold, warm: COUNTS.cold });

  log(`model proxy: ${COUNTS.proxySamples} requests each way`);
  fig.model_proxy = await benchModelProxy({ samples: COUNTS.proxySamples, warmup: 20 });

  log(`swarms: ${COUNTS.swarms} fan-outs of 5`);
  fig.swarm = await benchSwarm({ runs: COUNTS.swarms });

  log(`store: ${COUNTS.storePrefill} stored, ${COUNTS.storeSamples} timed`);
  fig.store = benchStore({ prefill: COUNTS.storePrefill, samples: COUNTS.storeSamples });
  log('memory: recall at 1,000 / 10,000 / 100,000 memories, store throughput');
  fig.memory = await benchMemory({
    sizes: MEMORY_SIZES,
    samples: COUNTS.memorySamples,
    storeSamples: COUNTS.memoryStoreSamples,
  });
  log('memory: recall at 1,000 memories with the local embedder');
  fig.memory.local_embedder = await benchLocalEmbedder({ size: 1_000, samples: COUNTS.memorySamples });
  results.seconds = Math.round((Date.now() - began) / 1000);
  if (profileDir) {
    results.cpu_profiles = readdirSync(profileDir).map((f) => join(profileDir, f));
  }

  const text = table(results);
  process.stdout.write(`\n${text}\n\n`);
  const outDir = join(HERE, 'results');
  mkdirSync(outDir, { recursive: true });
  const file = join(outDir, `${results.date.slice(0, 10)}-${MODE}.json`);
  writeFileSync(file, `${JSON.stringify(results, null, 2)}\n`);
  process.stdout.write(`Wrote ${file} (${results.seconds} s)\n`);
  if (profileDir) process.stdout.write(`CPU profiles: ${profileDir}\n`);
  process.stdout.write(BACKUP_BENCH);
}

/** Said at the end of every run: backup throughput is measured apart, on 1 GB of files. */
const BACKUP_BENCH =
  'Backup and restore throughput (1 GB of mixed files, peak memory): npm run bench:backup (bench/backup.mjs)\n';

/** The running stack, for the watchdog to stop. */
let current = null;

const watchdog = setTimeout(
  () => {
    log('the benchmark ran past its time limit; stopping the gateway and giving up');
    current?.praktor.process.child.kill('SIGTERM');
    setTimeout(() => process.exit(2), 10_000).unref();
  },
  (QUICK ? 4 : 20) * 60_000,
);
watchdog.unref();

(PREWARM_ONLY ? prewarmOnly() : MEMORY_ONLY ? memoryOnly() : main()).then(
  () => process.exit(0),
  (err) => {
    log(`failed: ${err.stack ?? err}`);
    process.exit(1);
  },
);
