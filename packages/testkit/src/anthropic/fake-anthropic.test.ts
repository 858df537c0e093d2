import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type Options,
  query,
  type SDKMessage,
  type SDKResultMessage,
  type SDKUserMessage,
} from '@anthropic-ai/claude-agent-sdk';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { defaultHandler, type FakeAnthropic, type MessageReply, reply, startFakeAnthropic } from './index.js';

// These tests run the real Claude Code CLI (through the agent SDK) against the fake, so they pin
// down what the fake must speak and what the CLI actually sends.

let fake: FakeAnthropic;
let workDir: string;

beforeEach(async () => {
  fake = await startFakeAnthropic();
  workDir = await mkdtemp(join(tmpdir(), 'praktor-fake-anthropic-'));
});

afterEach(async () => {
  await fake.close();
  await rm(workDir, { recursive: true, force: true });
});

interface Run {
  /** Every SDK message with the time it reached the test. */
  timeline: { at: number; message: SDKMessage }[];
  results: SDKResultMessage[];
  stderr: string;
}

interface RunOptions {
  /** Environment on top of the standard test environment; `undefined` removes a variable. */
  env?: Record<string, string | undefined>;
  options?: Partial<Options>;
}

/** Feeds prompts one at a time, each after the previous turn's result (SDK streaming-input mode). */
function promptQueue(prompts: string[]) {
  let turnDone: () => void = () => {};
  async function* messages(): AsyncGenerator<SDKUserMessage> {
    for (const content of prompts) {
      const done = new Promise<void>((resolve) => {
        turnDone = resolve;
      });
      yield { type: 'user', message: { role: 'user', content }, parent_tool_use_id: null };
      await done;
    }
  }
  return { messages: messages(), onResult: () => turnDone() };
}

/** Runs the agent on a single prompt, or on several in streaming-input mode, until the last result. */
async function runAgent(prompt: string | string[], opts: RunOptions = {}): Promise<Run> {
  const configDir = join(workDir, 'config');
  const cwd = await mkdtemp(join(workDir, 'cwd-'));
  const env: Record<string, string | undefined> = {
    ...process.env,
    ANTHROPIC_BASE_URL: fake.url,
    ANTHROPIC_API_KEY: 'test-key',
    CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
    CLAUDE_CODE_MAX_RETRIES: '0',
    IS_SANDBOX: '1',
    CLAUDE_CONFIG_DIR: configDir,
    ...opts.env,
  };
  for (const [key, value] of Object.entries(env)) if (value === undefined) delete env[key];

  // A plain string runs the CLI one-shot; an array keeps it open for several turns, as a gateway does.
  const queue = promptQueue(typeof prompt === 'string' ? [] : prompt);
  const run: Run = { timeline: [], results: [], stderr: '' };
  const q = query({
    prompt: typeof prompt === 'string' ? prompt : queue.messages,
    options: {
      cwd,
      env,
      permissionMode: 'bypassPermissions',
      allowDangerouslySkipPermissions: true,
      stderr: (data) => {
        run.stderr += data;
      },
      ...opts.options,
    },
  });
  try {
    for await (const message of q) {
      run.timeline.push({ at: Date.now(), message });
      if (message.type === 'result') {
        run.results.push(message);
        queue.onResult();
      }
    }
  } catch (err) {
    // After yielding an is_error result the SDK also throws "Claude Code returned an error result";
    // that result is what the tests inspect. Any other failure is real.
    if (!run.results.some((r) => r.is_error)) {
      throw new Error(`agent run failed: ${(err as Error).message}\nCLI stderr:\n${run.stderr}`, {
        cause: err,
      });
    }
  } finally {
    q.close();
  }
  if (run.results.length === 0)
    throw new Error(`agent run ended without a result\nCLI stderr:\n${run.stderr}`);
  return run;
}

function lastResult(run: Run): SDKResultMessage {
  const result = run.results.at(-1);
  if (result === undefined) throw new Error('no result');
  return result;
}

function toolUseIdOf(toolCall: MessageReply): string {
  const block = toolCall.content.find((b) => b.type === 'tool_use');
  if (block?.type !== 'tool_use') throw new Error('not a tool call');
  return block.id;
}

function resultText(result: SDKResultMessage): string {
  return 'result' in result ? result.result : '';
}

describe('the real Claude Code CLI against the fake Anthropic API', () => {
  it('returns a scripted text answer as the result', async () => {
    fake.setHandler(() => reply.text('The answer is 42.'));

    const result = lastResult(await runAgent('What is the answer?'));

    expect(result.is_error).toBe(false);
    expect(resultText(result)).toBe('The answer is 42.');
  });

  it('sends one streaming main-turn request carrying the prompt', async () => {
    await runAgent('Say hi');

    expect(fake.requests).toHaveLength(1);
    expect(fake.requests[0]).toMatchObject({
      kind: 'main',
      stream: true,
      lastUserText: 'Say hi',
      headers: { 'x-api-key': 'test-key', 'anthropic-version': '2023-06-01' },
    });
    expect(fake.requests[0]?.tools).toContain('Bash');
  });

  it('answers with echo of the prompt by default', async () => {
    const result = lastResult(await runAgent('ping'));

    expect(resultText(result)).toBe('echo: ping');
  });

  it('reports scripted token usage and a cost in the result', async () => {
    fake.setHandler(() => reply.text('ok', { usage: { input_tokens: 1200, output_tokens: 34 } }));

    const result = lastResult(await runAgent('count tokens'));

    expect(result.usage).toMatchObject({ input_tokens: 1200, output_tokens: 34 });
    expect(result.total_cost_usd).toBeGreaterThan(0);
  });

  it('runs a scripted Bash tool call and sends its output back as a tool result', async () => {
    const toolCall = reply.toolUse('Bash', { command: 'echo hi' });
    fake.setHandler((req) =>
      req.toolResults.length === 0
        ? toolCall
        : reply.text(`The command printed ${req.toolResults[0]?.content}.`),
    );

    const result = lastResult(await runAgent('Run echo hi'));

    expect(fake.requests).toHaveLength(2);
    const followUp = fake.requests[1];
    expect(followUp?.kind).toBe('main');
    expect(followUp?.lastUserText).toBe('');
    expect(followUp?.toolResults).toEqual([
      { toolUseId: toolUseIdOf(toolCall), content: 'hi', isError: false },
    ]);
    expect(followUp?.transcript).toContain('Run echo hi');
    expect(resultText(result)).toBe('The command printed hi.');
    expect(result.num_turns).toBe(2);
  });

  it('ends in an error result, without retrying, when the API answers 500', async () => {
    fake.setHandler(() => reply.error(500, 'Scripted outage'));
    const started = Date.now();

    const result = lastResult(await runAgent('hello'));

    expect(result.is_error).toBe(true);
    expect(resultText(result)).toContain('Scripted outage');
    expect(fake.requests).toHaveLength(1);
    expect(Date.now() - started).toBeLessThan(15_000);
  });

  it('ends in an error result when the API answers 400 invalid_request_error', async () => {
    fake.setHandler(() =>
      reply.error(400, 'messages: scripted rejection', { type: 'invalid_request_error' }),
    );

    const result = lastResult(await runAgent('hello'));

    expect(result.is_error).toBe(true);
    expect(resultText(result)).toContain('messages: scripted rejection');
    // CLI 2.1.331 re-sends a rejected request several times, each time dropping one more optional beta.
    expect(fake.requests.every((r) => r.kind === 'main')).toBe(true);
  });

  it('waits out retry-after before retrying a 429', async () => {
    let calls = 0;
    fake.setHandler(() =>
      ++calls === 1 ? reply.error(429, 'Slow down', { retryAfterSeconds: 1 }) : reply.text('Recovered.'),
    );

    const result = lastResult(await runAgent('hello', { env: { CLAUDE_CODE_MAX_RETRIES: '1' } }));

    expect(resultText(result)).toBe('Recovered.');
    const [first, second] = fake.requests;
    expect((second?.receivedAt ?? 0) - (first?.receivedAt ?? 0)).toBeGreaterThanOrEqual(900);
  });

  it('delivers a slow stream to the SDK in pieces, as they are sent', async () => {
    fake.setHandler(() => reply.text('one two three four', { chunkChars: 4, chunkDelayMs: 150 }));

    const run = await runAgent('stream please', { options: { includePartialMessages: true } });

    const deltas = run.timeline.flatMap(({ at, message }) =>
      message.type === 'stream_event' &&
      message.event.type === 'content_block_delta' &&
      message.event.delta.type === 'text_delta'
        ? [{ at, text: message.event.delta.text }]
        : [],
    );
    expect(deltas.map((d) => d.text)).toEqual(['one ', 'two ', 'thre', 'e fo', 'ur']);
    const spread = (deltas.at(-1)?.at ?? 0) - (deltas[0]?.at ?? 0);
    expect(spread).toBeGreaterThanOrEqual(4 * 150 * 0.8);
    expect(resultText(lastResult(run))).toBe('one two three four');
  });

  it('falls back to one non-streaming request when a stream breaks', async () => {
    fake.setHandler((req) =>
      req.stream ? reply.disconnect({ partialText: 'Half' }) : reply.text('Whole answer.'),
    );

    const result = lastResult(await runAgent('hello'));

    expect(fake.requests.map((r) => r.stream)).toEqual([true, false]);
    expect(resultText(result)).toBe('Whole answer.');
  });

  it('tells the session-title call apart from the main turn when nonessential traffic is on', async () => {
    const run = await runAgent(['Fix the flaky login test'], {
      env: { CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: undefined },
    });

    const kinds = fake.requests.map((r) => r.kind).sort();
    expect(kinds).toEqual(['main', 'title']);
    const title = fake.requests.find((r) => r.kind === 'title');
    expect(title?.lastUserText).toContain('Fix the flaky login test');
    expect(fake.requests.find((r) => r.kind === 'main')?.lastUserText).toBe('Fix the flaky login test');
    expect(resultText(lastResult(run))).toBe('echo: Fix the flaky login test');
  });

  it('tells a /compact summary request apart from main turns', async () => {
    fake.setHandler((req) => (req.kind === 'main' ? reply.text('Main answer.') : defaultHandler(req)));

    await runAgent(['hello', '/compact']);

    expect(fake.requests.map((r) => r.kind)).toEqual(['main', 'compact']);
  });
});
