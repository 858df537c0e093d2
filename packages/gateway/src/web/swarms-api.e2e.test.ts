/**
 * The swarms' API on a real gateway: launching and reading runs, the errors a bad graph gets (400 naming what is
 * wrong), members' spend and budgets, delete cancelling a running swarm, templates, the live feed, and the OpenAPI
 * document.
 */
import type { CostsResponse, SwarmRunDetail, SwarmRunView, WsEvent } from '@praktor/protocol';
import {
  callApi,
  eventually,
  type ModelRequest,
  reply,
  type Stack,
  startStack,
  TEST_USER_ID,
} from '@praktor/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';

const PASSWORD = 'swarms api password';
const basic = { authorization: `Basic ${Buffer.from(`any:${PASSWORD}`).toString('base64')}` };

let stack: Stack;
let base: string;

const call = (method: string, path: string, body?: unknown) =>
  callApi(base, method, path, { body, headers: basic }).then(({ status, json }) => ({ status, json }));

/** Answers at once with the role and the task; a task containing "slow" is answered after two minutes. */
function model(req: ModelRequest) {
  if (req.kind !== 'main') return reply.text('side call');
  const role = /You are "([^"]+)"/.exec(req.transcript)?.[1] ?? 'nobody';
  return reply.text(`${role} answers`, req.transcript.includes('slow') ? { delayMs: 120_000 } : {});
}

const pair = (task: string) => ({
  name: 'pair',
  task,
  lead_agent: 'editor',
  agents: [
    { agent_id: 'general', role: 'author', prompt: 'Write.' },
    { agent_id: 'coder', role: 'editor' },
  ],
  synapses: [{ from: 'author', to: 'editor' }],
});

function ended(id: string): Promise<SwarmRunDetail> {
  return eventually(
    `swarm ${id} to end`,
    async () => (await call('GET', `/api/swarms/${id}`)).json as SwarmRunDetail,
    (run) => run.status !== 'running',
    { timeoutMs: 90_000 },
  );
}

beforeAll(async () => {
  stack = await startStack({
    handler: model,
    config: ({ telegramApiRoot, telegramToken }) => ({
      telegram: { token: telegramToken, api_root: telegramApiRoot, allow_from: [TEST_USER_ID] },
      agents: { general: { prewarm: false }, coder: {}, capped: { budgets: { daily_usd: 0.000001 } } },
      router: { default_agent: 'general', ai: false },
      web: { auth: PASSWORD },
    }),
  });
  base = stack.praktor.webUrl;
});

afterAll(async () => {
  await stack?.close();
});

describe('POST /api/swarms', () => {
  it('launches a swarm and answers at once; the run ends with the lead’s answer as its result', async () => {
    const launched = await call('POST', '/api/swarms', pair('write a haiku'));
    expect(launched.status).toBe(201);
    const run: SwarmRunView = launched.json;
    expect(run.status).toBe('running');
    expect(run.members.map((m) => [m.role, m.agent_id, m.tier])).toEqual([
      ['author', 'general', 0],
      ['editor', 'coder', 1],
    ]);
    const done = await ended(run.id);
    expect(done.status).toBe('completed');
    expect(done.result).toBe('editor answers');
    expect(done.members.map((m) => [m.status, m.output])).toEqual([
      ['completed', 'author answers'],
      ['completed', 'editor answers'],
    ]);
    expect(done.completed_at).toBeGreaterThanOrEqual(done.created_at);
    const list: SwarmRunView[] = (await call('GET', '/api/swarms')).json;
    expect(list.map((r) => r.id)).toContain(run.id);
  });

  it('refuses a member whose agent is not configured, naming the role and the agent', async () => {
    const body = pair('x');
    body.agents[0] = { agent_id: 'poet', role: 'author', prompt: '' };
    const response = await call('POST', '/api/swarms', body);
    expect(response.status).toBe(400);
    expect(response.json.error).toContain('role "author" names agent "poet", which is not configured');
  });

  it('refuses a cyclic graph with the original’s message', async () => {
    const body = {
      ...pair('x'),
      lead_agent: '',
      synapses: [
        { from: 'author', to: 'editor' },
        { from: 'editor', to: 'author' },
      ],
    };
    const response = await call('POST', '/api/swarms', body);
    expect(response.status).toBe(400);
    expect(response.json.error).toBe('invalid swarm graph: directed graph contains a cycle');
  });

  it('refuses an empty task, naming the field', async () => {
    const response = await call('POST', '/api/swarms', pair('  '));
    expect(response.status).toBe(400);
    expect(response.json.error).toContain('task');
  });
});

describe('spend and budgets', () => {
  it('counts a member’s spend as its agent’s, and refuses a swarm once that agent’s budget is used up', async () => {
    const body = {
      ...pair('spend a little'),
      agents: [
        { agent_id: 'capped', role: 'author', prompt: 'Write.' },
        { agent_id: 'coder', role: 'editor' },
      ],
    };
    const first = await call('POST', '/api/swarms', body);
    expect(first.status).toBe(201);
    expect((await ended(first.json.id)).status).toBe('completed');
    const costs: CostsResponse = (await call('GET', '/api/costs?group=agent')).json;
    expect(costs.groups.find((group) => group.key === 'capped')?.cost_usd).toBeGreaterThan(0);
    const second = await call('POST', '/api/swarms', body);
    expect(second.status).toBe(400);
    expect(second.json.error).toContain('capped');
    expect(second.json.error).toContain('is used up');
  });
});

describe('DELETE /api/swarms/{id}', () => {
  it('cancels a running swarm, stopping its sandboxes, and removes it', async () => {
    const run: SwarmRunView = (await call('POST', '/api/swarms', pair('slow work'))).json;
    await eventually(
      'the author to be working',
      async () =>
        stack.anthropic.requests.filter((r) => r.kind === 'main' && r.transcript.includes('slow work')),
      (requests) => requests.length > 0,
      { timeoutMs: 60_000 },
    );
    const deleted = await call('DELETE', `/api/swarms/${run.id}`);
    expect(deleted.status).toBe(200);
    expect((await call('GET', `/api/swarms/${run.id}`)).status).toBe(404);
    await eventually(
      'no sandbox left',
      async () => stack.praktor.leftovers(),
      (left) => left.length === 0,
      {
        timeoutMs: 10_000,
      },
    );
    expect((await call('DELETE', `/api/swarms/${run.id}`)).status).toBe(404);
  });
});

describe('templates', () => {
  it('saves, lists, replaces and deletes a template, refusing a taken name and a bad graph', async () => {
    const created = await call('POST', '/api/swarms/templates', {
      name: 'Write and edit',
      request: pair('t'),
    });
    expect(created.status).toBe(201);
    const id = created.json.id;
    expect(
      (await call('POST', '/api/swarms/templates', { name: 'Write and edit', request: pair('t') })).json
        .error,
    ).toBe('a template named "Write and edit" already exists');
    const bad = { ...pair('t'), lead_agent: 'nobody' };
    const refused = await call('POST', '/api/swarms/templates', { name: 'Bad', request: bad });
    expect(refused.status).toBe(400);
    expect(refused.json.error).toBe('invalid swarm graph: lead agent "nobody" is not a member of the swarm');
    const replaced = await call('PUT', `/api/swarms/templates/${id}`, {
      name: 'Renamed',
      request: pair('t2'),
    });
    expect(replaced.status).toBe(200);
    expect((await call('GET', '/api/swarms/templates')).json.map((t: { name: string }) => t.name)).toEqual([
      'Renamed',
    ]);
    expect((await call('DELETE', `/api/swarms/templates/${id}`)).status).toBe(200);
    expect((await call('DELETE', `/api/swarms/templates/${id}`)).status).toBe(404);
  });
});

describe('the live feed', () => {
  it('streams each member’s output and announces the run’s changes', async () => {
    const socket = new WebSocket(`${base.replace('http', 'ws')}/api/ws`, { headers: basic });
    const events: WsEvent[] = [];
    socket.on('message', (data) => events.push(JSON.parse(String(data))));
    await new Promise((resolve, reject) => {
      socket.on('open', resolve);
      socket.on('error', reject);
    });
    try {
      const run: SwarmRunView = (await call('POST', '/api/swarms', pair('live one'))).json;
      await ended(run.id);
      await eventually(
        'the run’s end on the feed',
        async () => events.filter((e) => e.type === 'swarm_run' && e.run.id === run.id),
        (seen) => seen.some((e) => e.type === 'swarm_run' && e.run.status === 'completed'),
      );
      const output = events
        .filter((e) => e.type === 'swarm_output' && e.run_id === run.id && e.role === 'author')
        .map((e) => (e.type === 'swarm_output' ? e.text : ''))
        .join('');
      expect(output).toBe('author answers');
    } finally {
      socket.close();
    }
  });
});

describe('the OpenAPI document', () => {
  it('describes the swarm routes', async () => {
    const paths = Object.keys((await call('GET', '/api/openapi.json')).json.paths);
    expect(paths).toEqual(
      expect.arrayContaining([
        '/api/swarms',
        '/api/swarms/{id}',
        '/api/swarms/{id}/cancel',
        '/api/swarms/templates',
        '/api/swarms/templates/{id}',
      ]),
    );
  });
});
