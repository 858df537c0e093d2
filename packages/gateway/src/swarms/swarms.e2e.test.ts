/**
 * Swarms on a real gateway, real runners and the real SDK, against the fake model and the fake Telegram: a pipeline
 * from the chat, a fan-out that overlaps, collaborators that read each other during the run, a gateway killed in the
 * middle of a run, and a cancel from the API.
 */
import type { SwarmRunDetail, SwarmRunView } from '@praktor/protocol';
import {
  callApi,
  eventually,
  type FakeEmbeddings,
  type ModelRequest,
  reply,
  type Stack,
  startFakeEmbeddings,
  startStack,
  TEST_USER_ID,
} from '@praktor/testkit';
import { afterEach, describe, expect, it } from 'vitest';

const PASSWORD = 'swarm test password';
const basic = { authorization: `Basic ${Buffer.from(`any:${PASSWORD}`).toString('base64')}` };
const SEND = 'mcp__praktor-swarm__swarm_chat_send';
const READ = 'mcp__praktor-swarm__swarm_chat_read';

let stack: Stack | undefined;
afterEach(async () => {
  await stack?.close();
  stack = undefined;
});

function config(agents: string[], defaults: Record<string, unknown> = {}) {
  return ({ telegramApiRoot, telegramToken }: { telegramApiRoot: string; telegramToken: string }) => ({
    telegram: { token: telegramToken, api_root: telegramApiRoot, allow_from: [TEST_USER_ID] },
    defaults: { model: 'claude-swarm-model', max_running: 5, ...defaults },
    agents: Object.fromEntries(agents.map((id) => [id, { prewarm: false }])),
    router: { default_agent: agents[0], ai: false },
    web: { auth: PASSWORD },
  });
}

/** The role a model request works for, read from the prompt every member is given. */
function roleOf(req: ModelRequest): string | null {
  return /You are "([^"]+)" in a swarm/.exec(req.transcript)?.[1] ?? null;
}

function mainRequestsOf(role: string): ModelRequest[] {
  return (stack?.anthropic.requests ?? []).filter((r) => r.kind === 'main' && roleOf(r) === role);
}

const api = (method: string, path: string, body?: unknown) =>
  callApi(`${stack?.praktor.webUrl}`, method, path, { body, headers: basic }).then(({ status, json }) => ({
    status,
    json,
  }));

async function launch(body: Record<string, unknown>): Promise<SwarmRunView> {
  const response = await api('POST', '/api/swarms', { name: 'test swarm', ...body });
  if (response.status !== 201) throw new Error(`launch failed: ${JSON.stringify(response.json)}`);
  return response.json;
}

async function run(id: string): Promise<SwarmRunDetail> {
  return (await api('GET', `/api/swarms/${id}`)).json;
}

function ended(id: string, timeoutMs = 90_000): Promise<SwarmRunDetail> {
  return eventually(
    `swarm ${id} to end`,
    () => run(id),
    (detail) => detail.status !== 'running',
    {
      timeoutMs,
    },
  );
}

const fanOut = (roles: string[]) => ({
  lead_agent: '',
  agents: roles.map((role) => ({ agent_id: role, role })),
  synapses: [],
});

describe('a pipeline launched from Telegram', () => {
  it('runs researcher, writer and reviewer in order, each given its predecessor’s output, and sends the result', async () => {
    const answers: Record<string, string> = {
      researcher: 'FINDINGS: otters hold hands while sleeping.',
      writer: 'DRAFT: An essay on otters holding hands.',
      reviewer: 'REVIEWED: the essay on otters, approved.',
    };
    // Each member looks up both agents' secrets first, to show that it got its own agent's and not the other's.
    const lookUp = 'for k in RESEARCH_KEY WRITE_KEY; do echo "$k=$(printenv $k)"; done';
    const base = config(['researcher', 'writer', 'reviewer']);
    stack = await startStack({
      config: (urls) => {
        const started = base(urls);
        return {
          ...started,
          vault: { passphrase: 'swarm vault passphrase' },
          agents: {
            ...started.agents,
            researcher: {
              prewarm: false,
              model: 'claude-research-model',
              env: { RESEARCH_KEY: 'secret:research' },
            },
            writer: { prewarm: false, model: 'claude-writing-model', env: { WRITE_KEY: 'secret:write' } },
          },
        };
      },
      handler: (req) => {
        const role = req.kind === 'main' ? roleOf(req) : null;
        if (role === null) return reply.text('side call');
        if (role !== 'reviewer' && req.toolResults.length === 0) {
          return reply.toolUse('Bash', { command: lookUp, description: 'look up the keys' });
        }
        return reply.text(answers[role] ?? 'no such role');
      },
    });
    const secrets = [
      await api('POST', '/api/secrets', {
        name: 'research',
        value: 'RESEARCH-SECRET-1',
        agent_ids: ['researcher'],
      }),
      await api('POST', '/api/secrets', { name: 'write', value: 'WRITE-SECRET-2', agent_ids: ['writer'] }),
    ];
    expect(secrets.map((s) => s.status)).toEqual([201, 201]);
    stack.telegram.sendText({
      userId: TEST_USER_ID,
      text: '@swarm researcher>writer>reviewer: write about otters',
    });

    const result = await stack.telegram.waitFor(
      () => stack?.telegram.messagesIn(TEST_USER_ID).find((m) => m.text.includes('Swarm Result')),
      120_000,
    );
    expect(result.text).toContain(answers.reviewer);
    const [researcher, writer, reviewer] = ['researcher', 'writer', 'reviewer'].map(mainRequestsOf);
    expect(researcher?.length).toBeGreaterThan(0);
    expect(writer?.[0]?.transcript).toContain(answers.researcher);
    expect(reviewer?.[0]?.transcript).toContain(answers.writer);
    // In order: each starts after its predecessor has answered.
    expect(writer?.[0]?.receivedAt).toBeGreaterThan(researcher?.[0]?.receivedAt ?? Infinity);
    expect(reviewer?.[0]?.receivedAt).toBeGreaterThan(writer?.[0]?.receivedAt ?? Infinity);
    // Each as its own agent: its model, and its secret only.
    expect(new Set(researcher?.map((r) => r.model))).toEqual(new Set(['claude-research-model']));
    expect(new Set(writer?.map((r) => r.model))).toEqual(new Set(['claude-writing-model']));
    expect(new Set(reviewer?.map((r) => r.model))).toEqual(new Set(['claude-swarm-model']));
    const looked = (requests: ModelRequest[] | undefined) =>
      requests?.flatMap((r) => r.toolResults).map((t) => t.content);
    expect(looked(researcher)).toEqual(['RESEARCH_KEY=RESEARCH-SECRET-1\nWRITE_KEY=']);
    expect(looked(writer)).toEqual(['RESEARCH_KEY=\nWRITE_KEY=WRITE-SECRET-2']);
    const messages = stack.telegram.messagesIn(TEST_USER_ID);
    expect(messages.some((m) => m.text === 'Launching swarm with 3 agents...')).toBe(true);
    expect(messages.some((m) => m.method === 'editMessageText' && m.text.includes('3/3 done'))).toBe(true);
  }, 180_000);

  it('answers a spec naming an agent that does not exist with the original’s message', async () => {
    stack = await startStack({ config: config(['researcher', 'writer']), handler: () => reply.text('x') });
    stack.telegram.sendText({ userId: TEST_USER_ID, text: '@swarm researcher,poet: write a poem' });
    const answer = await stack.telegram.waitFor(
      () => stack?.telegram.messagesIn(TEST_USER_ID).find((m) => m.text.startsWith('Invalid swarm spec')),
      30_000,
    );
    expect(answer.text).toBe('Invalid swarm spec: unknown agent: poet');
  });
});

describe('a fan-out', () => {
  it('runs its three members at the same time: done in less than twice one member’s time', async () => {
    stack = await startStack({
      config: config(['a', 'b', 'c']),
      handler: (req) =>
        req.kind === 'main' && roleOf(req)
          ? reply.text(`${roleOf(req)} done`, { delayMs: 2000 })
          : reply.text('side'),
    });
    // One member alone first: what a member takes here, sandbox start included.
    const single = await ended((await launch({ task: 'warm up', ...fanOut(['a']) })).id);
    expect(single.status).toBe('completed');
    const singleMs = (single.completed_at ?? 0) - single.created_at;

    const three = await ended((await launch({ task: 'three at once', ...fanOut(['a', 'b', 'c']) })).id);
    expect(three.status).toBe('completed');
    const threeMs = (three.completed_at ?? 0) - three.created_at;
    console.log(`one member: ${singleMs} ms; three in parallel: ${threeMs} ms`);
    expect(three.members.map((m) => m.output)).toEqual(['a done', 'b done', 'c done']);
    expect(threeMs).toBeLessThan(2 * singleMs);
  });
});

describe('a failing member', () => {
  const pipeline = (roles: string[]) => ({
    lead_agent: '',
    agents: roles.map((role) => ({ agent_id: role, role })),
    synapses: roles.slice(1).map((to, i) => ({ from: roles[i], to })),
  });

  it('whose model call errors fails the swarm: the later tiers never start and the error names it', async () => {
    stack = await startStack({
      config: config(['first', 'second', 'third']),
      handler: (req) => {
        const role = req.kind === 'main' ? roleOf(req) : null;
        if (role === 'first') return reply.error(400, 'MODEL-REFUSED: this request is not allowed');
        return reply.text(role ? `${role} done` : 'side');
      },
    });
    const detail = await ended(
      (await launch({ task: 'three steps', ...pipeline(['first', 'second', 'third']) })).id,
    );
    expect(detail.status).toBe('failed');
    expect(detail.error).toMatch(/^"first" failed: .*MODEL-REFUSED: this request is not allowed/);
    expect(detail.members.map((m) => [m.role, m.status])).toEqual([
      ['first', 'failed'],
      ['second', 'skipped'],
      ['third', 'skipped'],
    ]);
    expect(detail.result).toBeNull();
    expect([...mainRequestsOf('second'), ...mainRequestsOf('third')]).toEqual([]);
    expect(stack.praktor.leftovers()).toEqual([]);
  }, 120_000);

  it('that works longer than swarms.member_timeout is stopped and fails the swarm', async () => {
    const base = config(['slow', 'next']);
    stack = await startStack({
      config: (urls) => ({ ...base(urls), swarms: { member_timeout: '3s' } }),
      handler: (req) => {
        const role = req.kind === 'main' ? roleOf(req) : null;
        return role === 'slow' ? reply.text('never seen', { delayMs: 120_000 }) : reply.text(`${role} done`);
      },
    });
    const detail = await ended(
      (await launch({ task: 'two steps', ...pipeline(['slow', 'next']) })).id,
      60_000,
    );
    expect(detail.status).toBe('failed');
    expect(detail.error).toBe('"slow" failed: the agent did not finish within 3 s');
    expect(detail.members.map((m) => [m.role, m.status])).toEqual([
      ['slow', 'failed'],
      ['next', 'skipped'],
    ]);
    expect(mainRequestsOf('next')).toEqual([]);
    expect(stack.praktor.leftovers()).toEqual([]);
  }, 120_000);

  it('tier that takes longer than swarms.tier_timeout stops its members and fails the swarm, keeping what finished', async () => {
    const base = config(['quick', 'slow', 'lead']);
    stack = await startStack({
      config: (urls) => ({ ...base(urls), swarms: { tier_timeout: '30s' } }),
      handler: (req) => {
        const role = req.kind === 'main' ? roleOf(req) : null;
        return role === 'slow' ? reply.text('never seen', { delayMs: 120_000 }) : reply.text(`${role} done`);
      },
    });
    const launched = await launch({
      task: 'in time',
      ...fanOut(['quick', 'slow', 'lead']),
      lead_agent: 'lead',
    });
    const detail = await ended(launched.id, 60_000);
    expect(detail.status).toBe('failed');
    expect(detail.error).toBe('tier 1 did not finish within 30 s');
    expect(detail.members.map((m) => [m.role, m.status, m.output])).toEqual([
      ['quick', 'completed', 'quick done'],
      ['slow', 'cancelled', ''],
      ['lead', 'skipped', ''],
    ]);
    expect(mainRequestsOf('lead')).toEqual([]);
    expect(stack.praktor.leftovers()).toEqual([]);
  }, 120_000);
});

describe('a member’s memory', () => {
  let embeddings: FakeEmbeddings | undefined;
  afterEach(async () => {
    await embeddings?.close();
    embeddings = undefined;
  });

  it('is searched by meaning, through the embeddings endpoint, as its agent’s is', async () => {
    embeddings = await startFakeEmbeddings({ synonyms: [['automobile', 'car', 'vehicle']] });
    const url = embeddings.url;
    const base = config(['keeper']);
    stack = await startStack({
      config: (urls) => ({ ...base(urls), memory: { embeddings: { url, model: 'fake-embedder' } } }),
      handler: (req) => reply.text(req.kind === 'main' ? 'keeper done' : 'side'),
    });
    const stored = await api('PUT', '/api/agents/definitions/keeper/memories/parking', {
      content: 'automobile parked on level 3',
    });
    expect(stored.status).toBe(200);
    await eventually(
      'the memory to be embedded',
      async () => embeddings?.inputs ?? [],
      (inputs) => inputs.some((t) => t.includes('level 3')),
      { timeoutMs: 10_000 },
    );
    // The member's message is embedded to search its agent's memory by meaning, as the agent's own messages are.
    const detail = await ended(
      (await launch({ task: 'where did I leave my vehicle?', ...fanOut(['keeper']) })).id,
    );
    expect(detail.status).toBe('completed');
    expect(embeddings.inputs.some((t) => t.includes('where did I leave my vehicle?'))).toBe(true);
    expect(mainRequestsOf('keeper')[0]?.lastUserText).toContain('- parking: automobile parked on level 3');
  }, 120_000);
});

describe('a swarm within max_running', () => {
  it('counts its members with the agents’ own sandboxes: the agent idle the longest is stopped to make room', async () => {
    stack = await startStack({
      config: config(['a', 'b', 'c'], { max_running: 2 }),
      handler: (req) => reply.text(req.kind === 'main' ? `${roleOf(req) ?? 'agent a'} done` : 'side'),
    });
    expect((await stack.telegram.say(TEST_USER_ID, 'hello a')).map((m) => m.text)).toEqual(['agent a done']);
    const detail = await ended((await launch({ task: 'two members', ...fanOut(['b', 'c']) })).id);
    expect(detail.members.map((m) => m.output)).toEqual(['b done', 'c done']);
    const evicted = stack.praktor.logs().filter((l) => l.msg === 'agent stopped' && l.reason === 'evicted');
    expect(evicted.map((l) => l.agent)).toEqual(['a']);
  });
});

describe('a swarm waiting for a place', () => {
  it('gives its place back when cancelled and never starts the member that waited, so the agent answers again', async () => {
    stack = await startStack({
      config: config(['a', 'b'], { max_running: 1 }),
      handler: (req) => {
        if (req.kind !== 'main') return reply.text('side');
        const role = roleOf(req);
        return role ? reply.text('never seen', { delayMs: 120_000 }) : reply.text('agent a done');
      },
    });
    const launched = await launch({ task: 'take forever', ...fanOut(['a', 'b']) });
    await eventually(
      'one member to ask the model, the other waiting',
      async () => (await run(launched.id)).members.map((m) => m.status),
      (statuses) => statuses.filter((s) => s === 'running').length === 1,
      { timeoutMs: 60_000 },
    );
    expect((await api('POST', `/api/swarms/${launched.id}/cancel`)).status).toBe(200);
    const detail = await ended(launched.id, 30_000);
    expect(detail.members.map((m) => m.status).sort()).toEqual(['cancelled', 'skipped']);
    const [answer] = await stack.telegram.say(TEST_USER_ID, 'hello a', { timeoutMs: 30_000 });
    expect(answer?.text).toBe('agent a done');
  });
});

describe('a swarm that spends most of a budget', () => {
  it('warns the main chat once when its members have spent 80 % of it', async () => {
    // Each member's turn costs about $0.0145 at Claude Code's default rates: two of them are 97 % of $0.03.
    const usage = {
      input_tokens: 1000,
      output_tokens: 500,
      cache_read_input_tokens: 200,
      cache_creation_input_tokens: 100,
    };
    const base = config(['a', 'b']);
    stack = await startStack({
      config: (urls) => {
        const started = base(urls);
        return {
          ...started,
          telegram: { ...started.telegram, main_chat_id: TEST_USER_ID },
          budgets: { daily_usd: 0.03 },
          scheduler: { timezone: 'UTC' },
        };
      },
      handler: (req) =>
        req.kind === 'main' && roleOf(req)
          ? reply.text(`${roleOf(req)} done`, { usage })
          : reply.text('side'),
    });
    stack.telegram.sendText({ userId: TEST_USER_ID, text: '@swarm a,b: spend' });
    // The warning is written while the swarm runs, so the chat has it before the result.
    await stack.telegram.waitFor(
      () => stack?.telegram.messagesIn(TEST_USER_ID).find((m) => m.text.includes('Swarm Result')),
      120_000,
    );
    const warnings = stack.telegram.messagesIn(TEST_USER_ID).filter((m) => m.text.startsWith('⚠️'));
    expect(warnings.map((m) => m.text)).toEqual([
      expect.stringMatching(/^⚠️ 9\d % of the daily budget of all agents used: \$0\.03 of \$0\.03\./),
    ]);
  });
});

describe('collaborators', () => {
  it('read during their run what the other sent with swarm_chat_send', async () => {
    stack = await startStack({
      config: config(['lead', 'a', 'b']),
      handler: (req) => {
        if (req.kind !== 'main') return reply.text('side');
        const role = roleOf(req);
        const answered = req.toolResults.length > 0;
        if (role === 'a')
          return answered ? reply.text('a done') : reply.toolUse(SEND, { content: 'NOTE-FROM-A: use blue' });
        if (role === 'b') return answered ? reply.text('b done') : reply.toolUse(READ, { wait_seconds: 30 });
        return reply.text('lead summary');
      },
    });
    stack.telegram.sendText({ userId: TEST_USER_ID, text: '@swarm lead,a<>b: paint the fence' });
    await stack.telegram.waitFor(
      () => stack?.telegram.messagesIn(TEST_USER_ID).find((m) => m.text.includes('Swarm Result')),
      120_000,
    );
    const b = mainRequestsOf('b');
    expect(b[0]?.tools).toContain(READ);
    const read = b.flatMap((r) => r.toolResults).map((t) => t.content);
    expect(read.join('\n')).toContain('[a] NOTE-FROM-A: use blue');
    const runs: SwarmRunView[] = (await api('GET', '/api/swarms')).json;
    const chat = (await run(runs[0]?.id ?? '')).chat;
    expect(chat.map((m) => [m.from, m.content])).toEqual([['a', 'NOTE-FROM-A: use blue']]);
  });
});

describe('a gateway killed with SIGKILL in the middle of a swarm', () => {
  it('leaves no sandbox behind and marks the run interrupted with what its members produced', async () => {
    stack = await startStack({
      config: config(['first', 'second']),
      handler: (req) => {
        const role = req.kind === 'main' ? roleOf(req) : null;
        if (role === 'first') return reply.text('FIRST PART');
        if (role === 'second') return reply.text('never seen', { delayMs: 120_000 });
        return reply.text('side');
      },
    });
    const launched = await launch({
      task: 'two steps',
      lead_agent: '',
      agents: [
        { agent_id: 'first', role: 'first' },
        { agent_id: 'second', role: 'second' },
      ],
      synapses: [{ from: 'first', to: 'second' }],
    });
    await eventually(
      'second to ask the model',
      async () => mainRequestsOf('second').length,
      (n) => n > 0,
      {
        timeoutMs: 60_000,
      },
    );
    expect(stack.praktor.leftovers().length).toBeGreaterThan(0);
    stack.praktor.process.child.kill('SIGKILL');
    await stack.praktor.process.exited;
    await stack.restart();

    await eventually(
      'no sandbox left',
      async () => stack?.praktor.leftovers() ?? [],
      (left) => left.length === 0,
      {
        timeoutMs: 10_000,
      },
    );
    const after = await run(launched.id);
    expect(after.status).toBe('interrupted');
    expect(after.members.map((m) => [m.role, m.status, m.output])).toEqual([
      ['first', 'completed', 'FIRST PART'],
      ['second', 'interrupted', ''],
    ]);
  });
});

describe('cancelling a swarm from the API', () => {
  it('stops every member’s sandbox within seconds', async () => {
    stack = await startStack({
      config: config(['a', 'b']),
      handler: (req) =>
        req.kind === 'main' && roleOf(req)
          ? reply.text('never seen', { delayMs: 120_000 })
          : reply.text('side'),
    });
    const launched = await launch({ task: 'take forever', ...fanOut(['a', 'b']) });
    await eventually(
      'both members to ask the model',
      async () => [mainRequestsOf('a').length, mainRequestsOf('b').length],
      (counts) => counts.every((n) => n > 0),
      { timeoutMs: 60_000 },
    );
    expect(stack.praktor.leftovers().length).toBeGreaterThan(0);
    const started = Date.now();
    const cancelled = await api('POST', `/api/swarms/${launched.id}/cancel`);
    expect(cancelled.status).toBe(200);
    expect(cancelled.json.status).toBe('cancelled');
    await eventually(
      'no sandbox left',
      async () => stack?.praktor.leftovers() ?? [],
      (left) => left.length === 0,
      {
        timeoutMs: 10_000,
      },
    );
    expect(Date.now() - started).toBeLessThan(5_000);
    expect((await run(launched.id)).members.map((m) => m.status)).toEqual(['cancelled', 'cancelled']);
    expect((await api('POST', `/api/swarms/${launched.id}/cancel`)).status).toBe(409);
  });

  it('/stop in the chat that launched it cancels it, stopping its sandboxes', async () => {
    stack = await startStack({
      config: config(['a', 'b']),
      handler: (req) =>
        req.kind === 'main' && roleOf(req)
          ? reply.text('never seen', { delayMs: 120_000 })
          : reply.text('side'),
    });
    stack.telegram.sendText({ userId: TEST_USER_ID, text: '@swarm a,b: take forever' });
    await eventually(
      'b to ask the model',
      async () => mainRequestsOf('b').length,
      (n) => n > 0,
      {
        timeoutMs: 60_000,
      },
    );
    stack.telegram.sendText({ userId: TEST_USER_ID, text: '/stop' });
    const texts = () => stack?.telegram.messagesIn(TEST_USER_ID).map((m) => m.text) ?? [];
    await stack.telegram.waitFor(
      () => texts().includes('Swarm cancelled.') && texts().some((t) => t.includes('Cancelled 1 swarm.')),
      15_000,
    );
    await eventually(
      'no sandbox left',
      async () => stack?.praktor.leftovers() ?? [],
      (left) => left.length === 0,
      {
        timeoutMs: 10_000,
      },
    );
  });
});
