/**
 * The swarm overhead: a fan-out of five members against the fake model answering at once, launched through the API
 * on a gateway of its own. Each run's wall time is from the POST to the run stored as completed; the gateway's share
 * is told two ways: the CPU time the gateway process used during the run (utime + stime from /proc), and the time
 * outside every member (the run's wall time minus its longest member, from a place free to the member's end —
 * sandbox start, the runner's handshake and the model turn included in the member).
 */
import { readFileSync } from 'node:fs';
import { defaultHandler, reply, startStack } from '@praktor/testkit';
import { sleep, summarize } from './lib.mjs';

const MEMBERS = ['s1', 's2', 's3', 's4', 's5'];

/** CPU time `pid` has used so far, in ms (clock ticks of 10 ms, as Linux reports them). */
function cpuMs(pid) {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  // Fields 14 and 15 (utime, stime) of stat(5), counted after the command name.
  return (Number(fields[11]) + Number(fields[12])) * 10;
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

/** Runs `runs` fan-outs of five one after another; returns the figures. */
export async function benchSwarm({ runs }) {
  const stack = await startStack({
    handler: (req) => (req.kind === 'main' ? reply.text('member answer') : defaultHandler(req)),
    config: ({ telegramApiRoot, telegramToken }) => ({
      telegram: { token: telegramToken, api_root: telegramApiRoot, allow_from: [1001] },
      defaults: { model: 'claude-bench-model', max_running: MEMBERS.length },
      agents: Object.fromEntries(MEMBERS.map((id) => [id, { prewarm: false }])),
      router: { default_agent: MEMBERS[0], ai: false },
    }),
  });
  const base = stack.praktor.webUrl;
  const pid = stack.praktor.process.child.pid;
  const wall = [];
  const cpu = [];
  const outside = [];
  try {
    for (let i = 0; i < runs; i++) {
      const cpuBefore = cpuMs(pid);
      const began = Date.now();
      const run = await api(base, 'POST', '/api/swarms', {
        name: `bench ${i}`,
        task: `fan-out ${i}`,
        lead_agent: '',
        agents: MEMBERS.map((id) => ({ agent_id: id, role: id })),
        synapses: [],
      });
      let done = run;
      while (done.status === 'running') {
        await sleep(10);
        done = await api(base, 'GET', `/api/swarms/${run.id}`);
      }
      if (done.status !== 'completed') throw new Error(`swarm ${run.id} ended ${done.status}: ${done.error}`);
      const ended = Date.now();
      wall.push(ended - began);
      cpu.push(cpuMs(pid) - cpuBefore);
      const longest = Math.max(...done.members.map((m) => m.completed_at - m.started_at));
      outside.push(done.completed_at - done.created_at - longest);
    }
  } finally {
    await stack.close();
  }
  const cpuShare = cpu.reduce((a, b) => a + b, 0) / wall.reduce((a, b) => a + b, 0);
  return {
    what: `${runs} swarms, each a fan-out of ${MEMBERS.length} members (one agent each, a sandbox per member, no lead) against the fake model answering at once, one after another through POST /api/swarms; wall from the POST to the run seen completed (polled every 10 ms)`,
    units: 'ms',
    wall_ms: summarize(wall),
    gateway_cpu_ms: summarize(cpu),
    gateway_cpu_share: Number(cpuShare.toFixed(3)),
    outside_members_ms: summarize(outside),
  };
}
