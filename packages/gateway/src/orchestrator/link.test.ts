import { PassThrough } from 'node:stream';
import {
  type Activity,
  GatewayToRunner,
  LINK_PROTOCOL_VERSION,
  readLines,
  writeLine,
} from '@praktor/protocol';
import { describe, expect, it } from 'vitest';
import type { Sandbox, SandboxExit } from '../runtimes/runtime.js';
import { AgentLink, type LinkOptions } from './link.js';

/** A sandbox whose "runner" is a script in the test, speaking the link over in-memory streams. */
function scriptedSandbox(
  runner: (incoming: GatewayToRunner, reply: (m: unknown) => void, exit: (e: SandboxExit) => void) => void,
) {
  const stdin = new PassThrough();
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let exit!: (e: SandboxExit) => void;
  const exited = new Promise<SandboxExit>((resolve) => {
    exit = resolve;
  });
  readLines(stdin, GatewayToRunner, {
    onMessage: (message) => runner(message, (m) => writeLine(stdout, m), exit),
    onError: (err) => {
      throw err;
    },
  });
  const sandbox: Sandbox = {
    stdin,
    stdout,
    stderr,
    exited,
    stop: async () => exit({ code: null, signal: 'SIGTERM', error: null }),
  };
  return sandbox;
}

const options: LinkOptions = {
  agentId: 'general',
  model: 'claude-test',
  resumeSessionId: null,
  tools: null,
  env: { ANTHROPIC_API_KEY: 'sk-test' },
  embeddingModel: null,
  embeddingModelDir: null,
  nixEnabled: false,
  readyTimeoutMs: 2_000,
  startedAhead: false,
  onSession: () => {},
  onLog: () => {},
  onCall: async () => ({ ok: true, text: 'done' }),
  onMemoryChanged: () => {},
  approvals: [],
  onApproval: async () => ({ allow: false, always: false, message: 'no' }),
  serveStream: (_service, stream) => stream.destroy(new Error('no service in this test')),
  extensions: { errors: [] },
  onExtensionStatus: () => {},
};

const READY = { type: 'ready', protocol: LINK_PROTOCOL_VERSION, runnerVersion: 'test' };

const okResult = (turnId: string) => ({
  type: 'result',
  turnId,
  status: 'ok',
  text: 'fine',
  sessionId: 's1',
  terminalReason: null,
  durationMs: 1,
  costUsd: null,
  usage: null,
  processSpend: [],
});

describe('AgentLink', () => {
  it('tells the runner its approval rules and answers each approval request with the decision', async () => {
    const seen: unknown[] = [];
    const sandbox = scriptedSandbox((m, reply) => {
      seen.push(m);
      if (m.type === 'init') reply(READY);
      if (m.type === 'turn') {
        reply({
          type: 'approval',
          approvalId: 'a1',
          turnId: m.turnId,
          toolName: 'Bash',
          input: { command: 'rm x' },
        });
      }
      if (m.type === 'approval_decision') reply(okResult('7'));
    });
    const asked: unknown[] = [];
    const link = await AgentLink.open(sandbox, {
      ...options,
      approvals: ['Bash(rm:*)'],
      onApproval: async (request) => {
        asked.push(request);
        return { allow: true, always: false, message: '' };
      },
    });
    await link.turn(
      '7',
      'clean up',
      () => {},
      () => {},
    );
    expect(seen[0]).toMatchObject({ type: 'init', approvals: ['Bash(rm:*)'] });
    expect(asked).toEqual([
      { type: 'approval', approvalId: 'a1', turnId: '7', toolName: 'Bash', input: { command: 'rm x' } },
    ]);
    expect(seen.at(-1)).toEqual({
      type: 'approval_decision',
      approvalId: 'a1',
      allow: true,
      always: false,
      message: '',
    });
  });

  it('opens once the runner says it is ready, and runs a turn', async () => {
    const sandbox = scriptedSandbox((m, reply) => {
      if (m.type === 'init') reply(READY);
      if (m.type === 'turn') reply(okResult(m.turnId));
    });
    const link = await AgentLink.open(sandbox, options);
    const result = await link.turn(
      '7',
      'hello',
      () => {},
      () => {},
    );
    expect(result).toMatchObject({ turnId: '7', status: 'ok', text: 'fine' });
  });

  it('sends the agent, model, session to resume, environment, embedding model and whether it starts ahead of any message in its first message', async () => {
    let init: GatewayToRunner | undefined;
    const sandbox = scriptedSandbox((m, reply) => {
      init = m;
      reply(READY);
    });
    await AgentLink.open(sandbox, {
      ...options,
      resumeSessionId: 'abc',
      tools: ['Read'],
      embeddingModel: 'nomic-embed-text',
      nixEnabled: true,
      startedAhead: true,
    });
    expect(init).toEqual({
      type: 'init',
      protocol: LINK_PROTOCOL_VERSION,
      agentId: 'general',
      model: 'claude-test',
      resumeSessionId: 'abc',
      tools: ['Read'],
      env: { ANTHROPIC_API_KEY: 'sk-test' },
      embeddingModel: 'nomic-embed-text',
      embeddingModelDir: null,
      approvals: [],
      nixEnabled: true,
      extensions: { errors: [] },
      startedAhead: true,
    });
  });

  it('refuses a runner that speaks another protocol version', async () => {
    const sandbox = scriptedSandbox((_m, reply) =>
      reply({ type: 'ready', protocol: 99, runnerVersion: 'future' }),
    );
    await expect(AgentLink.open(sandbox, options)).rejects.toThrow(
      `the runner speaks link protocol 99, the gateway ${LINK_PROTOCOL_VERSION}`,
    );
  });

  it('passes on why a runner could not start', async () => {
    const sandbox = scriptedSandbox((_m, reply) => reply({ type: 'fatal', message: 'no API key' }));
    await expect(AgentLink.open(sandbox, options)).rejects.toThrow('the runner could not start: no API key');
  });

  it('gives up on a runner that never gets ready', async () => {
    const sandbox = scriptedSandbox(() => {});
    await expect(AgentLink.open(sandbox, { ...options, readyTimeoutMs: 100 })).rejects.toThrow(
      'the runner did not get ready within 0.1 s',
    );
  });

  it('reports a sandbox that dies during start-up', async () => {
    const sandbox = scriptedSandbox((_m, _reply, exit) => exit({ code: 127, signal: null, error: null }));
    await expect(AgentLink.open(sandbox, options)).rejects.toThrow(
      'the sandbox stopped during start-up (exit code 127)',
    );
  });

  it('ends the turn with an error when the sandbox dies in the middle of it', async () => {
    const sandbox = scriptedSandbox((m, reply, exit) => {
      if (m.type === 'init') reply(READY);
      if (m.type === 'turn') exit({ code: null, signal: 'SIGKILL', error: null });
    });
    const link = await AgentLink.open(sandbox, options);
    const result = await link.turn(
      '8',
      'hello',
      () => {},
      () => {},
    );
    expect(result).toMatchObject({
      status: 'error',
      text: "The agent's sandbox stopped unexpectedly (killed by SIGKILL).",
    });
    expect(link.dead).toBe(true);
  });

  it('streams the deltas of the turn in progress', async () => {
    const sandbox = scriptedSandbox((m, reply) => {
      if (m.type === 'init') reply(READY);
      if (m.type === 'turn') {
        reply({ type: 'delta', turnId: m.turnId, text: 'Hel' });
        reply({ type: 'delta', turnId: m.turnId, text: 'lo' });
        reply(okResult(m.turnId));
      }
    });
    const link = await AgentLink.open(sandbox, options);
    const deltas: string[] = [];
    await link.turn(
      '9',
      'hi',
      (text) => deltas.push(text),
      () => {},
    );
    expect(deltas).toEqual(['Hel', 'lo']);
  });

  it('hands each activity to the turn or task run it belongs to', async () => {
    const sandbox = scriptedSandbox((m, reply) => {
      if (m.type === 'init') reply(READY);
      if (m.type === 'task') {
        reply({ type: 'activity', turnId: m.turnId, activity: { kind: 'tool', tool: 'Read', input: {} } });
        reply(okResult(m.turnId));
      }
      if (m.type === 'turn') {
        reply({
          type: 'activity',
          turnId: m.turnId,
          activity: { kind: 'tool', tool: 'Bash', input: { command: 'ls' } },
        });
        reply(okResult(m.turnId));
      }
    });
    const link = await AgentLink.open(sandbox, options);
    const ofTurn: Activity[] = [];
    const ofTask: Activity[] = [];
    await link.task(
      't1',
      'report',
      () => {},
      (activity) => ofTask.push(activity),
    );
    await link.turn(
      '11',
      'list',
      () => {},
      (activity) => ofTurn.push(activity),
    );
    expect(ofTurn).toEqual([{ kind: 'tool', tool: 'Bash', input: { command: 'ls' } }]);
    expect(ofTask).toEqual([{ kind: 'tool', tool: 'Read', input: {} }]);
  });

  it('hands on a session id as soon as the runner reports it', async () => {
    const sessions: string[] = [];
    const sandbox = scriptedSandbox((m, reply) => {
      if (m.type === 'init') {
        reply(READY);
        reply({ type: 'session', sessionId: 'fresh' });
      }
    });
    await AgentLink.open(sandbox, { ...options, onSession: (id) => sessions.push(id) });
    await new Promise((resolve) => setImmediate(resolve));
    expect(sessions).toEqual(['fresh']);
  });

  it('runs task runs beside the conversation and gives each its own result', async () => {
    const held: string[] = [];
    const sandbox = scriptedSandbox((m, reply) => {
      if (m.type === 'init') reply(READY);
      if (m.type === 'task') held.push(m.turnId);
      if (m.type === 'turn') {
        reply(okResult(m.turnId));
        // The tasks end after the conversation's turn, in the reverse order of their start.
        for (const id of held.reverse()) reply({ ...okResult(id), text: `task ${id}` });
      }
    });
    const link = await AgentLink.open(sandbox, options);
    const first = link.task(
      't1',
      'report',
      () => {},
      () => {},
    );
    const second = link.task(
      't2',
      'remind',
      () => {},
      () => {},
    );
    expect(() =>
      link.task(
        't2',
        'remind again',
        () => {},
        () => {},
      ),
    ).toThrow('turn t2 is already running on this link');
    await link.turn(
      '10',
      'hello',
      () => {},
      () => {},
    );
    expect(await first).toMatchObject({ turnId: 't1', text: 'task t1' });
    expect(await second).toMatchObject({ turnId: 't2', text: 'task t2' });
    // Ended, so its id may run again.
    expect(() =>
      link.task(
        't2',
        'remind again',
        () => {},
        () => {},
      ),
    ).not.toThrow();
  });

  it('hands every line the runner writes to stderr to onLog, blank ones left out', async () => {
    const lines: string[] = [];
    const sandbox = scriptedSandbox((m, reply) => {
      if (m.type === 'init') reply(READY);
    });
    await AgentLink.open(sandbox, { ...options, onLog: (line) => lines.push(line) });
    const stderr = sandbox.stderr as PassThrough;
    stderr.write('first li');
    stderr.write('ne\n\nsecond line\r\nthird');
    stderr.end();
    await new Promise((resolve) => setImmediate(resolve));
    expect(lines).toEqual(['first line', 'second line', 'third']);
  });

  it('ends every task run with an error when the sandbox dies', async () => {
    const sandbox = scriptedSandbox((m, reply, exit) => {
      if (m.type === 'init') reply(READY);
      if (m.type === 'task' && m.turnId === 't2') exit({ code: 137, signal: null, error: null });
    });
    const link = await AgentLink.open(sandbox, options);
    const results = await Promise.all([
      link.task(
        't1',
        'a',
        () => {},
        () => {},
      ),
      link.task(
        't2',
        'b',
        () => {},
        () => {},
      ),
    ]);
    expect(results.map((r) => r.status)).toEqual(['error', 'error']);
  });

  it("answers the agent's tool call with what the gateway made of it", async () => {
    let reply: GatewayToRunner | undefined;
    const sandbox = scriptedSandbox((m, send) => {
      if (m.type === 'init') {
        send(READY);
        send({ type: 'call', callId: 'c1', turnId: '4', request: { tool: 'scheduled_task_list' } });
      }
      if (m.type === 'reply') reply = m;
    });
    const calls: unknown[] = [];
    await AgentLink.open(sandbox, {
      ...options,
      onCall: async (call) => {
        calls.push(call);
        return { ok: true, text: 'No scheduled tasks found.' };
      },
    });
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(calls).toEqual([
      { type: 'call', callId: 'c1', turnId: '4', request: { tool: 'scheduled_task_list' } },
    ]);
    expect(reply).toEqual({ type: 'reply', callId: 'c1', ok: true, text: 'No scheduled tasks found.' });
  });

  it('answers a tool call that failed with the reason, marked as an error', async () => {
    let reply: GatewayToRunner | undefined;
    const sandbox = scriptedSandbox((m, send) => {
      if (m.type === 'init') {
        send(READY);
        send({
          type: 'call',
          callId: 'c2',
          turnId: null,
          request: { tool: 'scheduled_task_delete', id: 'x' },
        });
      }
      if (m.type === 'reply') reply = m;
    });
    await AgentLink.open(sandbox, {
      ...options,
      onCall: async () => {
        throw new Error('task x not found');
      },
    });
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(reply).toEqual({ type: 'reply', callId: 'c2', ok: false, text: 'Error: task x not found' });
  });

  it('serves a stream the runner opens, carrying its bytes both ways', async () => {
    const received: string[] = [];
    const sandbox = scriptedSandbox((m, reply) => {
      if (m.type === 'init') {
        reply(READY);
        reply({ type: 'stream_open', streamId: '1', service: 'model' });
        reply({ type: 'stream_data', streamId: '1', data: Buffer.from('ping').toString('base64') });
        reply({ type: 'stream_end', streamId: '1', error: null });
      }
      if (m.type === 'stream_data') received.push(Buffer.from(m.data, 'base64').toString());
      if (m.type === 'stream_end') received.push('<end>');
    });
    const served: string[] = [];
    await AgentLink.open(sandbox, {
      ...options,
      serveStream: (service, stream) => {
        served.push(service);
        stream.on('data', (chunk: Buffer) => {
          served.push(chunk.toString());
          stream.end('pong');
        });
      },
    });
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(served).toEqual(['model', 'ping']);
    expect(received).toEqual(['pong', '<end>']);
  });
});
