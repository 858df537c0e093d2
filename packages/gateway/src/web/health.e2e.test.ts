/**
 * The health probe on a real gateway with a password: answered without a login, saying whether the gateway is
 * ready and nothing about what it holds.
 */
import { type Stack, startStack } from '@praktor/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const PASSWORD = 'health probe password 0042';
const API_KEY = 'sk-ant-api03-health-never-shown-0000';

/** A gateway behind PASSWORD whose model key is API_KEY, so the suites can look for both in what it says. */
function startGuarded(): Promise<Stack> {
  return startStack({
    config: ({ telegramApiRoot, telegramToken }) => ({
      telegram: { token: telegramToken, api_root: telegramApiRoot, allow_from: [1001] },
      agents: { general: { description: 'Generalist' } },
      web: { auth: PASSWORD },
    }),
    env: { ANTHROPIC_API_KEY: API_KEY },
  });
}

describe('GET /api/health', () => {
  let stack: Stack;

  beforeAll(async () => {
    stack = await startGuarded();
  });

  afterAll(async () => {
    await stack?.close();
  });

  it('answers 200 and ready without a login while the gateway runs', async () => {
    const response = await fetch(`${stack.praktor.webUrl}/api/health`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({
      status: 'ok',
      live: true,
      ready: true,
      checks: { database: 'ok', shutdown: 'ok' },
    });
  });

  it('carries no credential, password or version', async () => {
    const text = await (await fetch(`${stack.praktor.webUrl}/api/health`)).text();
    expect(text).not.toContain(API_KEY);
    expect(text).not.toContain(PASSWORD);
    expect(text).not.toContain('version');
  });

  it('leaves every other API route behind the password', async () => {
    const response = await fetch(`${stack.praktor.webUrl}/api/status`);
    expect(response.status).toBe(401);
  });
});

describe('GET /api/doctor', () => {
  let stack: Stack;
  const basic = { authorization: `Basic ${Buffer.from(`any:${PASSWORD}`).toString('base64')}` };

  beforeAll(async () => {
    stack = await startGuarded();
  });

  afterAll(async () => {
    await stack?.close();
  });

  it('needs the password', async () => {
    expect((await fetch(`${stack.praktor.webUrl}/api/doctor`)).status).toBe(401);
  });

  it('gives the doctor’s checks as the running gateway finds them', async () => {
    const response = await fetch(`${stack.praktor.webUrl}/api/doctor`, { headers: basic });
    expect(response.status).toBe(200);
    const report = (await response.json()) as {
      ok: boolean;
      checks: { id: string; status: string; detail: string }[];
    };
    const byId = Object.fromEntries(report.checks.map((c) => [c.id, c]));
    expect(byId.model_credentials).toMatchObject({ status: 'ok' });
    expect(byId.model_api).toMatchObject({ status: 'ok' });
    // The gateway's own bot: its live status, not a second poller.
    expect(byId.telegram).toMatchObject({ status: 'ok', detail: expect.stringMatching(/^connected as @/) });
    expect(byId.web).toMatchObject({ status: 'ok' });
    expect(JSON.stringify(report)).not.toContain(API_KEY);
  });
});
