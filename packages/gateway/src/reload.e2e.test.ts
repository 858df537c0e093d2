/**
 * Hot reload, end to end: a real gateway process whose praktor.yaml is rewritten while it runs, with agents in the
 * local runtime and the fake model API and Telegram at the edge.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { StatusResponse } from '@praktor/protocol';
import { eventually, type ModelRequest, reply, type Stack, startStack, TEST_USER_ID } from '@praktor/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/** A second Telegram user, allowed at first. */
const OTHER_USER_ID = 2002;

/** Answers every main turn with "<model> heard: <text>"; a message containing "slowly" takes two seconds. */
function echoModel(req: ModelRequest) {
  if (req.kind !== 'main') return reply.text('side call');
  const answer = reply.text(`${req.model} heard: ${req.lastUserText}`);
  return req.lastUserText.includes('slowly') ? { ...answer, timing: { delayMs: 2_000 } } : answer;
}

/** The parts of praktor.yaml the tests change. */
interface TestConfig {
  telegram: { allow_from: number[]; [key: string]: unknown };
  defaults: Record<string, unknown>;
  agents: Record<string, unknown>;
  [key: string]: unknown;
}

describe('reloading praktor.yaml while the gateway runs', () => {
  let stack: Stack;
  let base: TestConfig;

  beforeAll(async () => {
    stack = await startStack({
      handler: echoModel,
      config: ({ telegramApiRoot, telegramToken }) => {
        base = {
          telegram: {
            token: telegramToken,
            api_root: telegramApiRoot,
            allow_from: [TEST_USER_ID, OTHER_USER_ID],
          },
          defaults: { model: 'claude-general-model' },
          agents: {
            general: { description: 'General-purpose assistant' },
            coder: { description: 'Software engineer', model: 'claude-coder-model' },
          },
          router: { default_agent: 'general', ai: false },
        };
        return { ...base };
      },
    });
  });

  afterAll(async () => {
    await stack?.close();
  });

  /** Writes praktor.yaml: `base` with `change` applied to a copy. */
  function writeConfig(change: (config: TestConfig) => void): void {
    const config = structuredClone(base);
    change(config);
    writeFileSync(join(stack.praktor.home, 'praktor.yaml'), JSON.stringify(config, null, 2));
  }

  function writeText(text: string): void {
    writeFileSync(join(stack.praktor.home, 'praktor.yaml'), text);
  }

  const linesOf = (msg: string) => stack.praktor.logs().filter((line) => line.msg === msg);

  /** Runs `act` and waits for the gateway to log `msg` (a line `where` accepts) after it. */
  async function andWaitFor(
    msg: string,
    act: () => void,
    where: (line: Record<string, unknown>) => boolean = () => true,
  ): Promise<Record<string, unknown>> {
    const before = linesOf(msg).length;
    act();
    const found = await eventually(
      `"${msg}" in the log`,
      async () => linesOf(msg).slice(before).find(where),
      (line) => line !== undefined,
    );
    return found as Record<string, unknown>;
  }

  async function status(): Promise<StatusResponse> {
    const response = await fetch(`${stack.praktor.webUrl}/api/status`);
    return (await response.json()) as StatusResponse;
  }

  /** Sends `text` as `userId` and waits for the bot's next message in that chat. */
  async function say(text: string, userId = TEST_USER_ID) {
    const [answer] = await stack.telegram.say(userId, text, { timeoutMs: 30_000 });
    return answer?.text;
  }

  it('finishes the turn in progress on the old definition and answers the next with the new model, in the same conversation', async () => {
    expect(await say('remember the word tangerine')).toBe(
      'claude-general-model heard: remember the word tangerine',
    );
    const before = stack.telegram.messagesIn(TEST_USER_ID).length;
    stack.telegram.sendText({ userId: TEST_USER_ID, text: 'answer slowly please' });
    const slow = await stack.anthropic.waitForRequest(
      (r) => r.kind === 'main' && r.lastUserText === 'answer slowly please',
    );
    const reloaded = await andWaitFor('config reloaded', () =>
      writeConfig((c) => {
        c.defaults.model = 'claude-new-model';
      }),
    );
    expect(reloaded.agents_restarted).toEqual(['general']);
    const [slowAnswer] = await stack.telegram.waitFor(() => {
      const sent = stack.telegram.messagesIn(TEST_USER_ID);
      return sent.length > before ? sent.slice(before) : undefined;
    }, 30_000);
    expect(slowAnswer?.text).toBe('claude-general-model heard: answer slowly please');

    expect(await say('which word?')).toBe('claude-new-model heard: which word?');
    const next = await stack.anthropic.waitForRequest(
      (r) => r.kind === 'main' && r.lastUserText === 'which word?',
    );
    expect(next.model).toBe('claude-new-model');
    expect(next.transcript).toContain('remember the word tangerine');
    expect(next.messages.length).toBeGreaterThan(slow.messages.length);
  });

  it('keeps answering on the last good configuration while the file is broken, names the key path, and clears it once fixed', async () => {
    const failed = await andWaitFor('config reload failed; keeping the last good configuration', () =>
      writeConfig((c) => {
        c.defaults.max_running = 'lots';
      }),
    );
    expect(failed.path).toBe('defaults.max_running');
    const broken = await status();
    expect(broken.config.error?.path).toBe('defaults.max_running');
    expect(broken.config.file).toBe(join(stack.praktor.home, 'praktor.yaml'));
    expect(await say('are you still there?')).toBe('claude-new-model heard: are you still there?');

    await andWaitFor('config reloaded', () =>
      writeConfig((c) => {
        c.defaults.model = 'claude-new-model';
      }),
    );
    const fixed = await status();
    expect(fixed.config.error).toBeNull();
    expect(fixed.config.loaded_at).toBeGreaterThan(broken.config.loaded_at);
  });

  it('refuses a file that is not YAML at all, naming the file', async () => {
    const failed = await andWaitFor('config reload failed; keeping the last good configuration', () =>
      writeText('defaults: [unclosed'),
    );
    expect(String(failed.err)).not.toBe('');
    expect((await status()).config.error).not.toBeNull();
    await andWaitFor('config reloaded', () =>
      writeConfig((c) => {
        c.defaults.model = 'claude-new-model';
      }),
    );
  });

  it('reloads on SIGHUP and keeps running', async () => {
    const before = linesOf('config reloaded').length;
    await andWaitFor(
      'reloading the configuration',
      () => stack.praktor.process.child.kill('SIGHUP'),
      (line) => line.signal === 'SIGHUP',
    );
    await eventually(
      'the reload',
      async () => linesOf('config reloaded').length,
      (n) => n > before,
    );
    expect(stack.praktor.process.child.exitCode).toBeNull();
    expect((await status()).status).toBe('ok');
  });

  it('reloads on POST /api/config/reload and says what changed', async () => {
    writeConfig((c) => {
      c.defaults.model = 'claude-new-model';
      c.docker = { prefix: 'praktor-elsewhere' };
    });
    const response = await fetch(`${stack.praktor.webUrl}/api/config/reload`, { method: 'POST' });
    const body = await response.json();
    expect(body).toMatchObject({ status: 'reloaded', changes: { restart_required: ['docker.prefix'] } });
  });

  it('routes to an agent added to the file, with no restart', async () => {
    await andWaitFor(
      'config reloaded',
      () =>
        writeConfig((c) => {
          c.defaults.model = 'claude-new-model';
          c.agents.writer = { description: 'Writes prose', model: 'claude-writer-model' };
        }),
      (line) => String(line.agents_added) === 'writer',
    );
    expect(await say('@writer a haiku')).toBe('writer: claude-writer-model heard: a haiku');
  });

  it('stops answering a user taken off allow_from, with no restart', async () => {
    expect(await say('hello from the other user', OTHER_USER_ID)).toBe(
      'claude-new-model heard: hello from the other user',
    );
    await andWaitFor('config reloaded', () =>
      writeConfig((c) => {
        c.defaults.model = 'claude-new-model';
        c.telegram.allow_from = [TEST_USER_ID];
      }),
    );
    await andWaitFor(
      'message from a telegram user not on allow_from ignored',
      () => stack.telegram.sendText({ userId: OTHER_USER_ID, text: 'anyone there?' }),
      (line) => line.user === OTHER_USER_ID,
    );
    const stored = await fetch(`${stack.praktor.webUrl}/api/agents/definitions/general/messages`);
    expect(JSON.stringify(await stored.json())).not.toContain('anyone there?');
  });
});
