/**
 * Mission Control in real Chromium against a real gateway (fake model and Telegram behind it): signing in,
 * throttling, editing AGENT.md, the web chat streaming live, Telegram messages arriving live, the theme, and
 * screenshots of every page at desktop and phone widths.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import {
  defaultHandler,
  defaultStackConfig,
  eventually,
  type ModelReply,
  type ModelRequest,
  reply,
  type Stack,
  startStack,
  TEST_USER_ID,
} from '@praktor/testkit';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM, DESKTOP, launchChromium, PHONE, requireChromium, SCREENSHOTS } from './browser-harness.js';

const PASSWORD = 'test-password';
const BUILD_SCRIPT = fileURLToPath(new URL('../scripts/build.mjs', import.meta.url));

const missing = requireChromium('the Mission Control browser tests');

/** The texts of everything `locator` matches now (no waiting: none is an empty list). */
const texts = (locator: Locator) => locator.allTextContents();

describe.skipIf(missing !== null)('Mission Control in Chromium', () => {
  let stack: Stack;
  let browser: Browser;
  let sessionCookie: { name: string; value: string };
  // The model's script for main turns; a test swaps it for its own.
  let answer: (req: ModelRequest) => ModelReply = (req) => reply.text(`echo: ${req.lastUserText}`);
  const contexts: BrowserContext[] = [];
  const pageErrors: string[] = [];

  beforeAll(async () => {
    execFileSync(process.execPath, [BUILD_SCRIPT], { stdio: 'inherit' });
    stack = await startStack({
      handler: (req) => (req.kind === 'main' ? answer(req) : defaultHandler(req)),
      config: (urls) => ({ ...defaultStackConfig(urls), web: { auth: PASSWORD } }),
    });
    browser = await launchChromium();
    // One session made before any test can trip the login throttle, for the tests about other things.
    sessionCookie = await newSession();
  });

  afterEach(async () => {
    answer = (req) => reply.text(`echo: ${req.lastUserText}`);
    await Promise.all(contexts.splice(0).map((c) => c.close()));
    const errors = pageErrors.splice(0);
    expect(errors, 'uncaught errors in the page').toEqual([]);
  });

  afterAll(async () => {
    await browser?.close();
    await stack?.close();
  });

  /** Logs in through the API and returns the session cookie. */
  async function newSession(): Promise<{ name: string; value: string }> {
    const login = await fetch(`${stack.praktor.webUrl}/api/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ password: PASSWORD }),
    });
    expect(login.status).toBe(200);
    const [name, value] = (login.headers.get('set-cookie') ?? '').split(';')[0]?.split('=') ?? [];
    if (!name || !value) throw new Error('login set no session cookie');
    return { name, value };
  }

  /** A fresh browser (own storage), signed in unless told otherwise, showing `path`. */
  async function open(
    path: string,
    opts: {
      signedIn?: boolean;
      /** Sign in with this session instead of the shared one. */
      session?: { name: string; value: string };
      viewport?: { width: number; height: number };
      colorScheme?: 'dark' | 'light';
    } = {},
  ): Promise<Page> {
    const context = await browser.newContext({
      viewport: opts.viewport ?? DESKTOP,
      colorScheme: opts.colorScheme ?? 'dark',
    });
    contexts.push(context);
    if (opts.signedIn ?? true) {
      await context.addCookies([{ ...(opts.session ?? sessionCookie), url: stack.praktor.webUrl }]);
    }
    const page = await context.newPage();
    page.on('pageerror', (err) => pageErrors.push(err.message));
    await page.goto(`${stack.praktor.webUrl}${path}`);
    return page;
  }

  /** Marks the page so that a later check can tell it was never reloaded. */
  const markPage = (page: Page) => page.evaluate('window.__notReloaded = true');
  const stillSamePage = async (page: Page) =>
    (await page.evaluate('window.__notReloaded === true')) as boolean;

  const bubbles = (page: Page, role: 'user' | 'assistant' | 'system') =>
    page.locator(`[data-testid="message"][data-role="${role}"]`);

  it('signs in: a wrong password is refused with a message, the right one opens the dashboard', async () => {
    const page = await open('/', { signedIn: false });
    await page.waitForURL('**/login');
    const field = page.getByTestId('login-password');
    await field.fill('not the password');
    await page.getByTestId('login-submit').click();
    expect(await page.getByTestId('login-error').textContent()).toBe('Wrong password. Try again.');

    await field.fill(PASSWORD);
    await page.getByTestId('login-submit').click();
    await page.waitForURL(`${stack.praktor.webUrl}/`);
    await page.getByRole('heading', { name: 'Dashboard' }).waitFor();
    await eventually(
      'the agents count',
      () => texts(page.getByTestId('stat-agents')),
      (t) => /2/.test(t[0] ?? ''),
    );
    expect(await page.getByTestId('sign-out').isVisible()).toBe(true);
  });

  it('tells the user when the gateway cannot be reached', async () => {
    const page = await open('/login', { signedIn: false });
    await page.route('**/api/login', (route) => route.abort('connectionrefused'));
    await page.getByTestId('login-password').fill(PASSWORD);
    await page.getByTestId('login-submit').click();
    const error = await eventually(
      'the network error',
      () => texts(page.getByTestId('login-error')),
      (t) => t.length > 0,
    );
    expect(error[0]).toMatch(/^Could not reach Praktor/);
  });

  it('sends any page whose session has ended to the login page, and back after signing in', async () => {
    const session = await newSession();
    const page = await open('/agents', { session });
    await page.locator('[data-testid="agent-card"]').first().waitFor();
    const logout = await fetch(`${stack.praktor.webUrl}/api/logout`, {
      method: 'POST',
      headers: { cookie: `${session.name}=${session.value}` },
    });
    expect(logout.status).toBe(200);
    // The next call of any kind comes back 401: here, the user profile of the User page.
    await page.getByTestId('nav-user').click();
    await page.waitForURL('**/login');
    await page.getByTestId('login-password').fill(PASSWORD);
    await page.getByTestId('login-submit').click();
    await page.waitForURL('**/user');
    await page.getByTestId('user-md-textarea').waitFor();
  });

  it('signs out', async () => {
    const page = await open('/', { session: await newSession() });
    await page.getByTestId('sign-out').click();
    await page.waitForURL('**/login');
    await page.goto(`${stack.praktor.webUrl}/agents`);
    await page.waitForURL('**/login');
  });

  it('throttles the sixth rapid wrong attempt and shows the server’s message', async () => {
    const page = await open('/login', { signedIn: false });
    const error = page.getByTestId('login-error');
    for (let attempt = 1; attempt <= 6; attempt++) {
      await page.getByTestId('login-password').fill(`guess ${attempt}`);
      const answered = page.waitForResponse((r) => r.url().endsWith('/api/login'));
      await page.getByTestId('login-submit').click();
      expect((await answered).status()).toBe(attempt < 6 ? 401 : 429);
    }
    const message = await eventually(
      'the throttling message',
      () => texts(error),
      (t) => /many/.test(t[0] ?? ''),
    );
    expect(message[0]).toMatch(/^Too many attempts; try again in \d+ s$/);
  });

  it('edits AGENT.md, keeps the edit across a reload, and the agent’s next turn uses it', async () => {
    const identity = `You are Captain Nemo, identity ${Date.now()}.`;
    const page = await open('/agents');
    await page
      .locator('[data-testid="agent-card"][data-agent-id="coder"]')
      .getByRole('link', { name: 'coder' })
      .click();
    await page.waitForURL('**/agents/coder');
    expect(await page.getByTestId('agent-id').textContent()).toBe('coder');

    const editor = page.getByTestId('agent-md-textarea');
    await eventually('AGENT.md to load', () => editor.isEnabled(), Boolean);
    await editor.fill(`# Agent Identity\n\n${identity}\n`);
    expect(await page.getByTestId('agent-md-status').textContent()).toBe('Unsaved changes');
    await page.getByTestId('agent-md-save').click();
    await eventually(
      'the saved confirmation',
      () => texts(page.getByTestId('agent-md-status')),
      (t) => t[0] === 'Saved',
    );

    await page.reload();
    await eventually(
      'the saved AGENT.md',
      () => page.getByTestId('agent-md-textarea').inputValue(),
      (v) => v.includes(identity),
    );

    await page.getByRole('link', { name: 'Open conversation' }).click();
    await page.waitForURL('**/conversations/coder');
    const composer = page.getByTestId('composer-input');
    await composer.fill('Who are you?');
    await composer.press('Enter');
    const request = await stack.anthropic.waitForRequest(
      (r) => r.kind === 'main' && r.system.includes(identity),
      45_000,
    );
    expect(request.lastUserText).toContain('Who are you?');
  });

  it('shows the agent’s workbench: no image on the local runtime, nix off, and the browser its sandbox found', async () => {
    const page = await open('/agents/coder');
    await page.getByTestId('workbench-card').waitFor();
    expect(await page.getByTestId('workbench-nix').textContent()).toContain('off');
    const started = await page.request.post(`${stack.praktor.webUrl}/api/agents/definitions/coder/start`);
    expect(started.ok()).toBe(true);
    await eventually(
      'the browser the sandbox found, without a reload',
      () => page.getByTestId('workbench-browser').textContent(),
      (text) => text === CHROMIUM,
    );
  });

  it('streams the answer to a web chat message into the conversation without a reload', async () => {
    const long = Array.from({ length: 12 }, (_, i) => `Sentence ${i + 1} of a long streamed answer.`).join(
      ' ',
    );
    answer = () => reply.text(long, { chunkChars: 5, chunkDelayMs: 40 });
    const page = await open('/conversations/general');
    await markPage(page);
    const composer = page.getByTestId('composer-input');
    await composer.fill('Tell me something long');
    await page.getByTestId('composer-send').click();

    const mine = await eventually(
      'my message as a bubble',
      () => texts(bubbles(page, 'user')),
      (t) => t.some((x) => x.includes('Tell me something long')),
    );
    expect(mine.length).toBeGreaterThan(0);
    const partial = await eventually(
      'part of the answer',
      () => texts(page.locator('[data-testid="message-draft"] .bubble-text')),
      (t) => (t[0]?.length ?? 0) > 0 && (t[0]?.length ?? 0) < long.length,
      { timeoutMs: 45_000 },
    );
    expect(long.startsWith(partial[0] as string)).toBe(true);
    await eventually(
      'the whole answer',
      () => texts(bubbles(page, 'assistant')),
      (t) => t.some((x) => x.includes(long)),
    );
    expect(await page.getByTestId('message-draft').count()).toBe(0);
    expect(await stillSamePage(page)).toBe(true);
  });

  it('shows a message that arrives from Telegram live on the open conversation', async () => {
    const page = await open('/conversations/general');
    await markPage(page);
    await page.getByTestId('composer-input').waitFor();
    const text = `From my phone ${Date.now()}`;
    stack.telegram.sendText({ userId: TEST_USER_ID, text });

    const bubble = bubbles(page, 'user').filter({ hasText: text });
    await eventually(
      'the Telegram message',
      () => bubble.count(),
      (n) => n === 1,
    );
    expect(await bubble.locator('.channel-tag').textContent()).toBe('Telegram');
    await eventually(
      'its answer',
      () => texts(bubbles(page, 'assistant')),
      (t) => t.some((x) => x.includes(`echo: ${text}`)),
    );
    // State changes of the same message update its bubble; they never add another.
    expect(await bubble.count()).toBe(1);
    expect(await stillSamePage(page)).toBe(true);
  });

  it('switches the theme and remembers it', async () => {
    const page = await open('/');
    const theme = () => page.evaluate('document.documentElement.dataset.theme');
    expect(await theme()).toBe('dark');
    await page.getByTestId('theme-toggle').click();
    expect(await theme()).toBe('light');
    expect(await page.evaluate("localStorage.getItem('praktor-theme')")).toBe('light');
    await page.reload();
    await page.getByTestId('theme-toggle').waitFor();
    expect(await theme()).toBe('light');
    await page.getByTestId('theme-toggle').click();
    expect(await theme()).toBe('dark');
  });

  it('follows the system’s light preference on a first visit', async () => {
    const page = await open('/', { colorScheme: 'light' });
    await page.getByTestId('theme-toggle').waitFor();
    expect(await page.evaluate('document.documentElement.dataset.theme')).toBe('light');
  });

  it('takes screenshots of every page at desktop and phone widths, none wider than the screen', async () => {
    mkdirSync(SCREENSHOTS, { recursive: true });
    const pages: [name: string, path: string, ready: string][] = [
      ['login', '/login', 'login-password'],
      ['dashboard', '/', 'recent-activity'],
      ['agents', '/agents', 'agent-card'],
      ['agent', '/agents/general', 'agent-md-textarea'],
      ['conversations', '/conversations/general', 'message'],
      ['user', '/user', 'user-md-textarea'],
    ];
    for (const [label, viewport] of [
      ['desktop', DESKTOP],
      ['phone', PHONE],
    ] as const) {
      for (const [name, path, ready] of pages) {
        const page = await open(path, { viewport, signedIn: name !== 'login' });
        await page.getByTestId(ready).first().waitFor();
        // Let live data and fonts settle so the picture shows the page as a user sees it.
        await page.waitForLoadState('networkidle');
        await page.screenshot({ path: `${SCREENSHOTS}${name}-${label}.png`, animations: 'disabled' });
        const width = (await page.evaluate('document.documentElement.scrollWidth')) as number;
        expect(width, `${name} at ${label} width`).toBeLessThanOrEqual(viewport.width);
      }
    }
    const page = await open('/', { viewport: PHONE });
    await page.getByTestId('menu-button').click();
    await page.getByTestId('nav-conversations').waitFor({ state: 'visible' });
    await page.screenshot({ path: `${SCREENSHOTS}menu-phone.png`, animations: 'disabled' });
    await page.getByTestId('nav-conversations').click();
    await page.waitForURL('**/conversations');
    await eventually(
      'the menu to close',
      () => page.getByTestId('nav-conversations').isVisible(),
      (v) => !v,
    );
  });
});
