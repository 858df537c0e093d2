/**
 * The agent's scheduled-task tools on a real gateway: the fake model calls them as Claude would, the runner carries
 * the call over the link, and the gateway acts as the agent that asked — never as another.
 */
import { type ModelRequest, reply, type Stack, startStack, TEST_USER_ID } from '@praktor/testkit';
import { afterEach, describe, expect, it } from 'vitest';

const TOOL = (name: string) => `mcp__praktor-tasks__${name}`;

/** The model: tool calls for the phrases below, the tool's answer echoed back, "heard: …" for anything else. */
function model(req: ModelRequest) {
  if (req.kind !== 'main') return reply.text('side call');
  const [result] = req.toolResults;
  if (result) return reply.text(`${result.isError ? 'tool refused' : 'tool said'}: ${result.content}`);
  const text = req.lastUserText;
  if (text === 'remind me in a second to stretch') {
    return reply.toolUse(TOOL('scheduled_task_create'), {
      name: 'Stretch',
      schedule: '+1s',
      prompt: 'Reply with: time to stretch!',
    });
  }
  if (text === 'Reply with: time to stretch!') return reply.text('Time to stretch!');
  if (text === 'plan a daily check') {
    return reply.toolUse(TOOL('scheduled_task_create'), {
      name: 'Daily check',
      schedule: '@daily',
      prompt: 'Check the build',
    });
  }
  if (text === 'what is scheduled?') return reply.toolUse(TOOL('scheduled_task_list'), {});
  const remove = /^delete task (\S+)$/.exec(text);
  if (remove) return reply.toolUse(TOOL('scheduled_task_delete'), { id: remove[1] });
  return reply.text(`heard: ${text}`);
}

function botTexts(stack: Stack, count: number, timeoutMs = 30_000) {
  return stack.telegram.waitFor(() => {
    const sent = stack.telegram.messagesIn(TEST_USER_ID).map((m) => m.text);
    return sent.length >= count ? sent : undefined;
  }, timeoutMs);
}

let stack: Stack | undefined;
afterEach(async () => {
  await stack?.close();
  stack = undefined;
});

describe('scheduled task tools', () => {
  it('offers the agent its four task tools, schemas included', async () => {
    stack = await startStack({ handler: model });
    stack.telegram.sendText({ userId: TEST_USER_ID, text: 'hello' });
    await botTexts(stack, 1);
    const request = stack.anthropic.requests.find((r) => r.kind === 'main');
    expect(request?.tools).toEqual(
      expect.arrayContaining(
        ['create', 'list', 'update', 'delete'].map((verb) => TOOL(`scheduled_task_${verb}`)),
      ),
    );
  });

  it('creates a task from a chat; it fires once and its answer reaches the same chat', async () => {
    stack = await startStack({ handler: model });
    stack.telegram.sendText({ userId: TEST_USER_ID, text: 'remind me in a second to stretch' });
    const sent = await botTexts(stack, 2);
    expect(sent[0]).toMatch(/^tool said: Task created successfully\. ID: [0-9a-f-]{36}/);
    expect(sent[1]).toBe('Time to stretch!');
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const runs = stack.anthropic.requests.filter((r) => r.lastUserText === 'Reply with: time to stretch!');
    expect(runs).toHaveLength(1);
  });

  it('runs the task in a session of its own: neither it nor the conversation sees the other', async () => {
    stack = await startStack({ handler: model });
    stack.telegram.sendText({ userId: TEST_USER_ID, text: 'remind me in a second to stretch' });
    await botTexts(stack, 2);
    stack.telegram.sendText({ userId: TEST_USER_ID, text: 'and now?' });
    await botTexts(stack, 3);
    const taskRun = stack.anthropic.requests.find((r) => r.lastUserText === 'Reply with: time to stretch!');
    expect(taskRun?.transcript).not.toContain('remind me in a second');
    const next = stack.anthropic.requests.find((r) => r.lastUserText === 'and now?');
    expect(next?.transcript).toContain('remind me in a second to stretch');
    expect(next?.transcript).not.toContain('Time to stretch!');
  });

  it("lists only the agent's own tasks", async () => {
    stack = await startStack({ handler: model });
    stack.telegram.sendText({ userId: TEST_USER_ID, text: '@coder plan a daily check' });
    await botTexts(stack, 1);
    stack.telegram.sendText({ userId: TEST_USER_ID, text: 'what is scheduled?' });
    const sent = await botTexts(stack, 2);
    expect(sent[1]).toBe('tool said: No scheduled tasks found.');
    stack.telegram.sendText({ userId: TEST_USER_ID, text: '@coder what is scheduled?' });
    const after = await botTexts(stack, 3);
    expect(after[2]).toMatch(/\[active\] "Daily check" Schedule: /);
  });

  it("refuses to delete another agent's task, and the task stays", async () => {
    stack = await startStack({ handler: model });
    stack.telegram.sendText({ userId: TEST_USER_ID, text: '@coder plan a daily check' });
    const [created] = await botTexts(stack, 1);
    const id = /ID: (\S+)/.exec(created ?? '')?.[1];
    expect(id).toBeDefined();
    stack.telegram.sendText({ userId: TEST_USER_ID, text: `@general delete task ${id}` });
    const sent = await botTexts(stack, 2);
    expect(sent[1]).toBe(`tool refused: Error: task ${id} belongs to agent "coder"`);
    const tasks = (await (await fetch(`${stack.praktor.webUrl}/api/tasks`)).json()) as { id: string }[];
    expect(tasks.map((t) => t.id)).toEqual([id]);
  });
});
