/**
 * Approvals end to end with the fake Telegram and a real agent: a tool call matching an approval rule waits for a
 * person; Deny tells the model and runs nothing, Approve runs it, silence denies after the timeout, a press from
 * someone not allowed changes nothing, and a request pending when the gateway stops expires honestly. A swarm
 * member's request is asked where its swarm was launched: the Telegram chat of an `@swarm`, or Mission Control.
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ApprovalItem, MessageItem, SwarmRunView } from '@praktor/protocol';
import {
  callApi,
  defaultStackConfig,
  eventually,
  type ModelRequest,
  reply,
  type SentMessage,
  type Stack,
  startStack,
  TEST_USER_ID,
} from '@praktor/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/** The agent makes a `build` folder when asked, and tries to remove it on "clean up". */
function model(req: ModelRequest) {
  if (req.kind !== 'main') return reply.text('side call');
  const [result] = req.toolResults;
  if (result) return reply.text(`tool said: ${result.content}`);
  if (req.lastUserText.includes('make build')) {
    return reply.toolUse('Bash', { command: 'mkdir -p build && touch build/out.txt', description: 'make' });
  }
  if (req.lastUserText.includes('clean up')) {
    return reply.toolUse('Bash', { command: 'rm -rf build', description: 'clean' });
  }
  return reply.text('ok');
}

function config(urls: { telegramApiRoot: string; telegramToken: string }) {
  const base = defaultStackConfig(urls) as {
    defaults: Record<string, unknown>;
    agents: Record<string, Record<string, unknown>>;
  };
  return {
    ...base,
    defaults: { ...base.defaults, approvals: { rules: ['Bash(rm:*)'], timeout: '60s' } },
    agents: { ...base.agents, coder: { ...base.agents.coder, approvals: { timeout: '2s' } } },
  };
}

const OTHER_USER = 4711;

/** Sends `text` and waits for the approval question it causes. */
async function askAndWaitForQuestion(stack: Stack, text: string): Promise<SentMessage> {
  const before = stack.telegram.messagesIn(TEST_USER_ID).length;
  stack.telegram.sendText({ userId: TEST_USER_ID, text });
  return stack.telegram.waitFor(
    () =>
      stack.telegram
        .messagesIn(TEST_USER_ID)
        .slice(before)
        .find((m) => m.inlineKeyboard),
    60_000,
  );
}

/** Waits for the agent's final answer (what the tool said) among the messages after the first `count`. */
function toolAnswer(stack: Stack, count: number): Promise<SentMessage> {
  return stack.telegram.waitFor(
    () =>
      stack.telegram
        .messagesIn(TEST_USER_ID)
        .slice(count)
        .find((m) => m.text.startsWith('tool said:')),
    60_000,
  );
}

/** Asks the agent to make its build folder and waits until it has. */
async function makeBuild(stack: Stack): Promise<void> {
  const count = stack.telegram.messagesIn(TEST_USER_ID).length;
  stack.telegram.sendText({ userId: TEST_USER_ID, text: 'make build' });
  await toolAnswer(stack, count);
}

/** The callback data of a question's button. */
function button(question: SentMessage, label: string): string {
  const found = question.inlineKeyboard?.flat().find((b) => b.text === label);
  if (!found?.callback_data) throw new Error(`no button ${label}`);
  return found.callback_data;
}

/** What the bot answered to a callback query. */
function callbackAnswer(stack: Stack, callbackQueryId: string) {
  return stack.telegram.waitFor(
    () =>
      stack.telegram.calls.find(
        (c) => c.method === 'answerCallbackQuery' && c.params.callback_query_id === callbackQueryId,
      ),
    20_000,
  );
}

/** The model request that carries the result of the agent's tool call, after request `seq`. */
function toolResultAfter(stack: Stack, seq: number) {
  return stack.anthropic.waitForRequest((r) => r.seq > seq && r.toolResults.length > 0, 60_000);
}

async function approvals(stack: Stack, pending: boolean): Promise<ApprovalItem[]> {
  const response = await fetch(`${stack.praktor.webUrl}/api/approvals?pending=${pending}`);
  return (await response.json()) as ApprovalItem[];
}

describe('approvals in Telegram', () => {
  let stack: Stack;
  let build: string;

  beforeAll(async () => {
    stack = await startStack({ handler: model, config });
    build = join(stack.praktor.dataDir, 'agents', 'general', 'workspace', 'build');
    await stack.telegram.say(TEST_USER_ID, 'make build');
  });

  afterAll(async () => {
    await stack?.close();
  });

  it('runs a call no rule matches without asking (the agent made its build folder)', () => {
    expect(existsSync(join(build, 'out.txt'))).toBe(true);
  });

  it('asks with Approve, Deny and Always buttons and the full input', async () => {
    const count = stack.telegram.messagesIn(TEST_USER_ID).length;
    const question = await askAndWaitForQuestion(stack, 'clean up');
    expect(question.text).toContain('general asks to run Bash');
    expect(question.text).toContain('"command": "rm -rf build"');
    expect(question.inlineKeyboard?.flat().map((b) => b.text)).toEqual([
      'Approve',
      'Deny',
      'Always for this session',
    ]);
    const [pending] = await approvals(stack, true);
    expect(pending).toMatchObject({ tool_name: 'Bash', state: 'pending', channel: 'telegram' });
    stack.telegram.pressButton({
      userId: TEST_USER_ID,
      messageId: question.messageId,
      data: button(question, 'Deny'),
    });
    await eventually(
      'no pending approval',
      () => approvals(stack, true),
      (pending) => pending.length === 0,
    );
    await toolAnswer(stack, count);
  });

  it('on Deny tells the model the call was denied, runs nothing, and a second press changes nothing', async () => {
    const seq = stack.anthropic.requests.length;
    const count = stack.telegram.messagesIn(TEST_USER_ID).length;
    const question = await askAndWaitForQuestion(stack, 'clean up');
    const deny = stack.telegram.pressButton({
      userId: TEST_USER_ID,
      messageId: question.messageId,
      data: button(question, 'Deny'),
    });
    // Pressed again before the buttons went away: the first answer stands.
    const late = stack.telegram.pressButton({
      userId: TEST_USER_ID,
      messageId: question.messageId,
      data: button(question, 'Approve'),
    });
    const result = await toolResultAfter(stack, seq);
    expect(result.toolResults[0]).toMatchObject({ isError: true });
    expect(result.toolResults[0]?.content).toContain('The user denied this tool call');
    expect((await callbackAnswer(stack, deny.callbackQueryId)).params.text).toContain(
      'denied by telegram:1001',
    );
    expect((await callbackAnswer(stack, late.callbackQueryId)).params.text).toBe(
      'This request was already denied by telegram:1001.',
    );
    expect(existsSync(join(build, 'out.txt'))).toBe(true);
    const edited = await stack.telegram.waitFor(() =>
      stack.telegram.sent.find((m) => m.method === 'editMessageText' && m.messageId === question.messageId),
    );
    expect(edited.text).toContain('Bash denied by telegram:1001');
    expect(edited.inlineKeyboard).toBeUndefined();
    await toolAnswer(stack, count);
  });

  it('records the decision, who and when, in the conversation', async () => {
    const response = await fetch(`${stack.praktor.webUrl}/api/agents/definitions/general/messages`);
    const notes = ((await response.json()) as MessageItem[]).filter((m) =>
      m.text.startsWith('🚫 Bash denied'),
    );
    expect(notes.length).toBeGreaterThan(0);
    expect(notes[0]?.text).toMatch(/^🚫 Bash denied by telegram:1001 at \d{4}-\d{2}-\d{2}T/);
    const [decided] = await approvals(stack, false);
    expect(decided).toMatchObject({ state: 'denied', decided_by: 'telegram:1001' });
    expect(decided?.decided_at).toBeGreaterThan(0);
  });

  it('refuses a press from a user who is not allowed, and the request stays open', async () => {
    const count = stack.telegram.messagesIn(TEST_USER_ID).length;
    const question = await askAndWaitForQuestion(stack, 'clean up');
    const stranger = stack.telegram.pressButton({
      userId: OTHER_USER,
      chatId: TEST_USER_ID,
      messageId: question.messageId,
      data: button(question, 'Approve'),
    });
    expect((await callbackAnswer(stack, stranger.callbackQueryId)).params.text).toBe(
      'Only the people this bot belongs to can answer.',
    );
    expect((await approvals(stack, true)).map((a) => a.state)).toEqual(['pending']);
    expect(existsSync(join(build, 'out.txt'))).toBe(true);
    stack.telegram.pressButton({
      userId: TEST_USER_ID,
      messageId: question.messageId,
      data: button(question, 'Deny'),
    });
    await eventually(
      'no pending approval',
      () => approvals(stack, true),
      (pending) => pending.length === 0,
    );
    await toolAnswer(stack, count);
  });

  it('on Approve runs the call', async () => {
    const seq = stack.anthropic.requests.length;
    const count = stack.telegram.messagesIn(TEST_USER_ID).length;
    const question = await askAndWaitForQuestion(stack, 'clean up');
    stack.telegram.pressButton({
      userId: TEST_USER_ID,
      messageId: question.messageId,
      data: button(question, 'Approve'),
    });
    const result = await toolResultAfter(stack, seq);
    expect(result.toolResults[0]?.isError).toBe(false);
    expect(existsSync(build)).toBe(false);
    await toolAnswer(stack, count);
  });

  it('denies when nobody answers within the timeout, and a press after it does nothing', async () => {
    const seq = stack.anthropic.requests.length;
    const question = await askAndWaitForQuestion(stack, '@coder clean up');
    const result = await toolResultAfter(stack, seq);
    expect(result.toolResults[0]?.content).toContain(
      'Nobody answered the approval request within 2 seconds, so the call was denied.',
    );
    // A press already on its way when the question lost its buttons.
    const stale = stack.telegram.injectUpdate({
      callback_query: {
        id: 'stale-press',
        from: { id: TEST_USER_ID, is_bot: false, first_name: 'Test User' },
        chat_instance: String(TEST_USER_ID),
        data: button(question, 'Approve'),
      },
    });
    expect(stale).toBeGreaterThan(0);
    expect((await callbackAnswer(stack, 'stale-press')).params.text).toBe(
      'This request timed out: the call was denied.',
    );
  });

  it('asks about a scheduled task’s call in the task’s chat', async () => {
    await makeBuild(stack);
    const seq = stack.anthropic.requests.length;
    const count = stack.telegram.messagesIn(TEST_USER_ID).length;
    const created = await callApi(stack.praktor.webUrl, 'POST', '/api/tasks', {
      body: {
        agent_id: 'general',
        name: 'tidy',
        schedule: 'every 24h',
        prompt: 'clean up',
        chat: { channel: 'telegram', chat_id: String(TEST_USER_ID) },
      },
    });
    expect(created.status).toBe(201);
    const run = await callApi(stack.praktor.webUrl, 'POST', `/api/tasks/${created.json.id}/run`);
    expect(run.status).toBe(202);
    const question = await stack.telegram.waitFor(
      () =>
        stack.telegram
          .messagesIn(TEST_USER_ID)
          .slice(count)
          .find((m) => m.inlineKeyboard),
      60_000,
    );
    expect(question.text).toContain('general asks to run Bash');
    const [pending] = await approvals(stack, true);
    expect(pending).toMatchObject({ channel: 'telegram', chat_id: String(TEST_USER_ID) });
    stack.telegram.pressButton({
      userId: TEST_USER_ID,
      messageId: question.messageId,
      data: button(question, 'Deny'),
    });
    const result = await toolResultAfter(stack, seq);
    expect(result.toolResults[0]?.content).toContain('The user denied this tool call');
    expect(existsSync(join(build, 'out.txt'))).toBe(true);
    await toolAnswer(stack, count);
  });

  it('after Always for this session, runs a second matching call without asking', async () => {
    const count = stack.telegram.messagesIn(TEST_USER_ID).length;
    const question = await askAndWaitForQuestion(stack, 'clean up');
    stack.telegram.pressButton({
      userId: TEST_USER_ID,
      messageId: question.messageId,
      data: button(question, 'Always for this session'),
    });
    await toolAnswer(stack, count);
    expect(existsSync(build)).toBe(false);
    await makeBuild(stack);
    expect(existsSync(build)).toBe(true);
    const asked = (await approvals(stack, false)).length;
    const again = stack.telegram.messagesIn(TEST_USER_ID).length;
    stack.telegram.sendText({ userId: TEST_USER_ID, text: 'clean up' });
    await toolAnswer(stack, again);
    expect(existsSync(build)).toBe(false);
    expect((await approvals(stack, false)).length).toBe(asked);
    expect(
      stack.telegram
        .messagesIn(TEST_USER_ID)
        .slice(again)
        .some((m) => m.inlineKeyboard),
    ).toBe(false);
  });
});

describe('an approval pending when the gateway stops', () => {
  let stack: Stack;

  beforeAll(async () => {
    stack = await startStack({ handler: model, config });
  });

  afterAll(async () => {
    await stack?.close();
  });

  it('expires at the next start, the chat is told, and the call never runs without a decision', async () => {
    await stack.telegram.say(TEST_USER_ID, 'make build');
    const build = join(stack.praktor.dataDir, 'agents', 'general', 'workspace', 'build');
    expect(existsSync(build)).toBe(true);
    const question = await askAndWaitForQuestion(stack, 'clean up');
    await stack.restart();
    const notice = await stack.telegram.waitFor(
      () => stack.telegram.messagesIn(TEST_USER_ID).find((m) => m.text.includes('expired')),
      60_000,
    );
    expect(notice.text).toBe(
      '⚠️ The request to run Bash expired: Praktor restarted before anyone answered, so it did not run.',
    );
    const all = await approvals(stack, false);
    expect(all.find((a) => a.message_id !== null && a.state === 'expired')).toBeDefined();
    // The old question's buttons do nothing now.
    const press = stack.telegram.pressButton({
      userId: TEST_USER_ID,
      messageId: question.messageId,
      data: button(question, 'Approve'),
    });
    expect((await callbackAnswer(stack, press.callbackQueryId)).params.text).toBe(
      'This request expired: it was never run.',
    );
    expect(existsSync(build)).toBe(true);
  });
});

describe('a swarm member’s approval request', () => {
  let stack: Stack;
  let build: string;

  beforeAll(async () => {
    stack = await startStack({ handler: model, config });
    build = join(stack.praktor.dataDir, 'agents', 'general', 'workspace', 'build');
    await stack.telegram.say(TEST_USER_ID, 'make build');
  });

  afterAll(async () => {
    await stack?.close();
  });

  it('is asked in Mission Control for a run started there, naming the swarm and the role, and a Deny reaches the member', async () => {
    const seq = stack.anthropic.requests.length;
    const telegramBefore = stack.telegram.messagesIn(TEST_USER_ID).length;
    const launched = await callApi(stack.praktor.webUrl, 'POST', '/api/swarms', {
      body: {
        name: 'cleaners',
        task: 'clean up',
        lead_agent: '',
        agents: [{ agent_id: 'general', role: 'janitor' }],
        synapses: [],
      },
    });
    expect(launched.status).toBe(201);
    const runId = (launched.json as SwarmRunView).id;
    const [pending] = await eventually(
      'the member’s request',
      () => approvals(stack, true),
      (list) => list.length > 0,
      { timeoutMs: 60_000 },
    );
    expect(pending).toMatchObject({
      agent_id: 'general',
      tool_name: 'Bash',
      channel: 'web',
      swarm: { run_id: runId, name: 'cleaners', role: 'janitor' },
    });
    const answered = await callApi(stack.praktor.webUrl, 'POST', `/api/approvals/${pending?.id}`, {
      body: { answer: 'deny' },
    });
    expect(answered.status).toBe(200);
    const result = await toolResultAfter(stack, seq);
    expect(result.toolResults[0]?.content).toContain('The user denied this tool call');
    expect(existsSync(join(build, 'out.txt'))).toBe(true);
    // Nothing was asked in Telegram: the run was not started there.
    expect(
      stack.telegram
        .messagesIn(TEST_USER_ID)
        .slice(telegramBefore)
        .some((m) => m.inlineKeyboard),
    ).toBe(false);
  });

  it('is asked in the Telegram chat an @swarm came from, and an Approve runs the call', async () => {
    const seq = stack.anthropic.requests.length;
    const question = await askAndWaitForQuestion(stack, '@swarm general: clean up');
    expect(question.text).toContain('general, as general in the swarm Telegram Swarm, asks to run Bash');
    expect(question.text).toContain('"command": "rm -rf build"');
    stack.telegram.pressButton({
      userId: TEST_USER_ID,
      messageId: question.messageId,
      data: button(question, 'Approve'),
    });
    const result = await toolResultAfter(stack, seq);
    expect(result.toolResults[0]?.isError).toBe(false);
    expect(existsSync(build)).toBe(false);
    await stack.telegram.waitFor(
      () => stack.telegram.messagesIn(TEST_USER_ID).find((m) => m.text.includes('Swarm Result')),
      60_000,
    );
  });
});

describe('an approval rule naming one of Praktor’s own tools by its bare name', () => {
  let stack: Stack;

  beforeAll(async () => {
    stack = await startStack({
      handler: (req) => {
        if (
          req.kind === 'main' &&
          req.toolResults.length === 0 &&
          req.lastUserText.includes('send the notes')
        ) {
          return reply.toolUse('mcp__praktor-files__file_send', { path: 'notes.txt' });
        }
        return model(req);
      },
      config: (urls) => {
        const base = config(urls);
        const agents: Record<string, Record<string, unknown>> = base.agents;
        return {
          ...base,
          agents: { ...agents, general: { ...agents.general, approvals: { rules: ['file_send'] } } },
        };
      },
    });
    const workspace = join(stack.praktor.dataDir, 'agents', 'general', 'workspace');
    mkdirSync(workspace, { recursive: true });
    writeFileSync(join(workspace, 'notes.txt'), 'the notes\n');
  });

  afterAll(async () => {
    await stack?.close();
  });

  it('makes file_send wait for a yes, and sends the file once approved', async () => {
    const question = await askAndWaitForQuestion(stack, 'send the notes');
    expect(question.text).toContain('general asks to run mcp__praktor-files__file_send');
    expect(question.text).toContain('"path": "notes.txt"');
    expect(stack.telegram.calls.some((c) => c.method === 'sendDocument')).toBe(false);
    stack.telegram.pressButton({
      userId: TEST_USER_ID,
      messageId: question.messageId,
      data: button(question, 'Approve'),
    });
    const upload = await stack.telegram.waitFor(
      () => stack.telegram.calls.find((c) => c.method === 'sendDocument'),
      60_000,
    );
    expect(upload.files[0]?.bytes.toString()).toBe('the notes\n');
  });
});
