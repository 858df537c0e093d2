import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type ApprovalRequestMessage, SwarmRequest } from '@praktor/protocol';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseConfig } from '../config/index.js';
import { EventBus } from '../events/bus.js';
import { createLogger } from '../log.js';
import { type ApprovalRecord, Store } from '../store/index.js';
import { AgentSecrets } from '../vault/agent-secrets.js';
import { Vault } from '../vault/vault.js';
import { ApprovalDesk } from './approvals.js';

const REQUEST: ApprovalRequestMessage = {
  type: 'approval',
  approvalId: 'a1',
  turnId: null,
  toolName: 'Bash',
  input: { command: 'rm -rf build' },
};

describe('the approval desk', () => {
  let dir: string;
  let store: Store;
  let desk: ApprovalDesk;
  const asked: ApprovalRecord[] = [];

  /** Stores a running swarm run with one member, `janitor`, started from `origin`. */
  function swarmRun(id: string, origin: { channel: string; chatId: string } | null): void {
    const request = SwarmRequest.parse({
      name: 'cleaners',
      task: 'clean up',
      lead_agent: '',
      agents: [{ agent_id: 'general', role: 'janitor' }],
      synapses: [],
    });
    store.swarms.create({ id, request, tiers: { janitor: 0 }, origin, createdAt: Date.now() });
  }

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'praktor-approvals-'));
    store = Store.open(dir);
    const vault = await Vault.open(store.vault, 'approvals test passphrase', { create: true });
    const config = parseConfig('agents: { general: {} }\nrouter: { default_agent: general }', {
      env: {},
      source: 'praktor.yaml',
      cwd: '/srv',
    }).config;
    const bus = new EventBus((err) => {
      throw err;
    });
    asked.length = 0;
    bus.onType('approval', ({ approval }) => {
      asked.push(approval);
    });
    desk = new ApprovalDesk({
      config: () => config,
      store,
      bus,
      redactor: new AgentSecrets(vault).redactor,
      log: createLogger({ PRAKTOR_LOG_LEVEL: 'silent' }),
    });
  });

  afterEach(() => {
    desk.close();
    store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('denies a call that belongs to no conversation at once, saying nobody could be asked (not that someone said no)', async () => {
    const verdict = await desk.ask('general', REQUEST);
    expect(verdict.allow).toBe(false);
    expect(verdict.message).toContain(
      'Nobody can be asked to approve this tool call (it belongs to no conversation)',
    );
    expect(store.approvals.latest(10, false)).toEqual([]);
  });

  it('denies a swarm member’s call whose run it does not know the same way', async () => {
    const verdict = await desk.askForSwarm('general', { runId: 'gone', role: 'janitor' }, REQUEST);
    expect(verdict.message).toContain(
      'Nobody can be asked to approve this tool call (its swarm run is unknown)',
    );
    expect(asked).toEqual([]);
  });

  it('asks about a member of a run started from Mission Control in its chat, naming run and role', async () => {
    swarmRun('run-1', null);
    const verdict = desk.askForSwarm('general', { runId: 'run-1', role: 'janitor' }, REQUEST);
    const [request] = asked;
    expect(request).toMatchObject({
      channel: 'web',
      chatId: 'web',
      messageId: null,
      state: 'pending',
      swarm: { runId: 'run-1', name: 'cleaners', role: 'janitor' },
    });
    expect(desk.decide(request?.id ?? '', 'approve', 'mission-control').ok).toBe(true);
    expect((await verdict).allow).toBe(true);
    expect(store.approvals.get(request?.id ?? '')?.swarm).toEqual({
      runId: 'run-1',
      name: 'cleaners',
      role: 'janitor',
    });
  });

  it('asks about a member of a run launched from a Telegram chat in that chat', async () => {
    swarmRun('run-2', { channel: 'telegram', chatId: '1001' });
    const verdict = desk.askForSwarm('general', { runId: 'run-2', role: 'janitor' }, REQUEST);
    expect(asked[0]).toMatchObject({ channel: 'telegram', chatId: '1001' });
    desk.decide(asked[0]?.id ?? '', 'deny', 'telegram:1001');
    expect(await verdict).toMatchObject({
      allow: false,
      message: expect.stringContaining('The user denied'),
    });
  });
});
