/**
 * `praktor-testkit` as a user runs it: its help, its fixed ports, and a key that Praktor's masking leaves answers
 * alone with.
 */
import { spawn, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { reply } from './anthropic/index.js';
import { FAKE_API_KEY } from './praktor.js';
import { freePort } from './process.js';
import { type Stack, startStack, TEST_USER_ID } from './stack.js';

const BIN = fileURLToPath(new URL('../bin/praktor-testkit.js', import.meta.url));

async function until(check: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

describe('praktor-testkit --help', () => {
  it('shows the usage with the default ports and starts nothing', () => {
    const result = spawnSync(process.execPath, [BIN, '--help'], { encoding: 'utf8', timeout: 10_000 });
    expect(result.status).toBe(0);
    expect(result.stdout).toContain('Usage: praktor-testkit [--anthropic-port N] [--telegram-port N]');
    expect(result.stdout).toContain('default 18081');
    expect(result.stdout).toContain('default 18082');
    expect(result.stdout).not.toContain('Fake Anthropic API:');
  });

  it('names a bad port and exits 1', () => {
    const result = spawnSync(process.execPath, [BIN, '--telegram-port', 'eighty'], {
      encoding: 'utf8',
      timeout: 10_000,
    });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('--telegram-port must be a port number from 0 to 65535, not "eighty"');
  });
});

describe('praktor-testkit on ports it is given', () => {
  it('listens there and prints the command with the fake key', async () => {
    const [anthropicPort, telegramPort] = [await freePort(), await freePort()];
    // Standard input stays open: the kit quits when it ends (Ctrl-D).
    const child = spawn(
      process.execPath,
      [BIN, '--anthropic-port', String(anthropicPort), '--telegram-port', String(telegramPort)],
      { stdio: ['pipe', 'pipe', 'pipe'] },
    );
    try {
      let output = '';
      child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
        output += chunk;
      });
      await until(() => output.includes('Ctrl-D quits'));
      expect(output).toContain(`Fake Anthropic API:  http://127.0.0.1:${anthropicPort}`);
      expect(output).toContain(`Fake Telegram API:   http://127.0.0.1:${telegramPort}`);
      expect(output).toContain(`ANTHROPIC_API_KEY=${FAKE_API_KEY}`);
      const answer = await fetch(`http://127.0.0.1:${anthropicPort}/v1/messages`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-api-key': FAKE_API_KEY },
        body: JSON.stringify({ model: 'm', max_tokens: 10, messages: [{ role: 'user', content: 'hi' }] }),
      });
      expect(answer.status).toBe(200);
    } finally {
      child.stdin.end();
      await new Promise((resolve) => child.once('exit', resolve));
    }
  });
});

describe('the fake key', () => {
  let stack: Stack;

  beforeAll(async () => {
    stack = await startStack({
      handler: (req) => reply.text(req.kind === 'main' ? `a fake answer to: ${req.lastUserText}` : 'side'),
      env: { ANTHROPIC_API_KEY: FAKE_API_KEY },
    });
  });

  afterAll(async () => {
    await stack?.close();
  });

  it('leaves the word "fake" in answers alone', async () => {
    stack.telegram.sendText({ userId: TEST_USER_ID, text: 'is this fake?' });
    const answer = await stack.telegram.waitFor(() => stack.telegram.messagesIn(TEST_USER_ID)[0], 20_000);
    expect(answer.text).toBe('a fake answer to: is this fake?');
  });
});
