/**
 * Agents on two Docker hosts, side by side in one gateway: `near` on the main daemon (local socket) and `far` on a
 * second daemon reached over TCP with mutual TLS on 127.0.0.1 (testkit's docker-host.ts). For each: cold starts
 * (agent stopped, container gone -> first model request) and warm turns (agent running -> answer recorded).
 */
import {
  docker,
  dockerProblem,
  ensureTestImage,
  removeInstallation,
  reply,
  startStack,
  startTestDockerHost,
  testDockerHostProblem,
  testPrefix,
} from '@praktor/testkit';
import { sleep, summarize } from './lib.mjs';

const USER = 1001;
const TOKEN = /bench-[a-z]+-\d+/;

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

async function until(check, what, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(5);
  }
}

/** Cold starts and warm turns of agent `id` of `stack`; `gone()` says its container is removed. */
async function measure(stack, firstMainAt, id, counts, gone) {
  const base = stack.praktor.webUrl;
  const answered = (token) => stack.telegram.sent.find((m) => m.text?.includes(token))?.at;
  const cold = [];
  for (let i = 0; i < counts.cold; i++) {
    await api(base, 'POST', `/api/agents/definitions/${id}/stop`);
    await until(() => (gone() ? true : undefined), `${id}'s container to be removed`, 30_000);
    const token = `bench-${id}cold-${i}`;
    const sentAt = Date.now();
    stack.telegram.sendText({ userId: USER, text: `@${id} question ${token}` });
    await until(() => answered(token), `the cold answer ${token}`, 120_000);
    cold.push(firstMainAt.get(token) - sentAt);
    // Telegram pacing: one message a second per chat.
    await sleep(1050);
  }
  const warm = [];
  for (let i = 0; i < counts.warm; i++) {
    const token = `bench-${id}warm-${i}`;
    const sentAt = Date.now();
    stack.telegram.sendText({ userId: USER, text: `@${id} question ${token}` });
    warm.push((await until(() => answered(token), `the warm answer ${token}`, 60_000)) - sentAt);
    await sleep(1050);
  }
  return {
    cold_to_first_model_request_ms: summarize(cold),
    first_start_ms: cold[0] ?? null,
    warm_to_reply_recorded_ms: summarize(warm),
  };
}

/** The figures, or `{ not_available }` saying why they cannot be had here. */
export async function benchDockerHosts(counts) {
  const problem = dockerProblem() ?? testDockerHostProblem();
  if (problem) return { not_available: problem };
  const image = ensureTestImage();
  const host = await startTestDockerHost('bench');
  const prefix = testPrefix('bench-hosts');
  const firstMainAt = new Map();
  let stack = null;
  try {
    await host.loadImage(image);
    stack = await startStack({
      handler: (req) => {
        const token = TOKEN.exec(req.lastUserText ?? '')?.[0];
        if (req.kind === 'main' && token && !firstMainAt.has(token)) firstMainAt.set(token, Date.now());
        return reply.text(`answer ${token ?? ''}`);
      },
      env: { PRAKTOR_LOG_LEVEL: 'info' },
      config: ({ telegramApiRoot, telegramToken }) => ({
        telegram: { token: telegramToken, api_root: telegramApiRoot, allow_from: [USER] },
        defaults: { runtime: 'docker', image, model: 'claude-bench-model', idle_timeout: '30m' },
        docker: { prefix, hosts: { remote: { url: host.url, tls: host.tls } } },
        agents: {
          near: { description: 'On the main daemon', host: 'local', prewarm: false },
          far: { description: 'On the second daemon, over TCP with TLS', host: 'remote', prewarm: false },
        },
        router: { default_agent: 'near', ai: false },
      }),
    });
    /** Whether `run` (the docker CLI of one daemon) shows no container of this installation. */
    const noContainers = (run) => () =>
      run(['ps', '--all', '--quiet', '--filter', `label=praktor.installation=${prefix}`]).trim() === '';
    return {
      what: "one gateway, agent near on the main daemon (Unix socket), agent far on a second daemon over TCP + mutual TLS on 127.0.0.1; cold: agent stopped and its container removed -> first model request (container created and started over that daemon's API, runner, Claude Code, session resume); warm: Telegram update injected -> reply recorded, agent running",
      image,
      local: await measure(stack, firstMainAt, 'near', counts, noContainers(docker)),
      remote: await measure(stack, firstMainAt, 'far', counts, noContainers(host.docker)),
    };
  } finally {
    await stack?.close();
    removeInstallation(prefix);
    const left = host
      .docker(['volume', 'ls', '--quiet', '--filter', `label=praktor.installation=${prefix}`])
      .split('\n')
      .filter(Boolean);
    if (left.length > 0) host.docker(['volume', 'rm', '--force', ...left]);
    await host.stop();
  }
}
