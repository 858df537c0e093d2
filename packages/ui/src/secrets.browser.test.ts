/**
 * The Secrets page in real Chromium against a real gateway with a vault: creating a text secret for one agent,
 * uploading a binary file, editing without a value, making a secret global, deleting one, the server's
 * validation shown by its field, and a vault without a passphrase. Agents prove what they were given by running
 * shell commands for the fake model; no response the page ever receives may carry a value.
 *
 * Secret values never appear in this file's output: checks on them compare booleans, never the strings.
 */
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { MessageItem, SecretItem } from '@praktor/protocol';
import {
  defaultHandler,
  defaultStackConfig,
  eventually,
  type ModelRequest,
  reply,
  type Stack,
  startStack,
} from '@praktor/testkit';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DESKTOP, launchChromium, PHONE, requireChromium, SCREENSHOTS } from './browser-harness.js';

const PASSWORD = 'test-password';
const PASSPHRASE = 'vault passphrase of the secrets page test';
const BUILD_SCRIPT = fileURLToPath(new URL('../scripts/build.mjs', import.meta.url));
/** Where the `coder` agent finds the uploaded file (praktor.yaml's `files` entry). */
const KEY_TARGET = '/etc/praktor-test/signing.key';
/** Starting an agent (Claude Code in a sandbox) and one tool call can take a while on a busy machine. */
const AGENT_TIMEOUT = 120_000;

const missing = requireChromium('the Secrets page browser tests');

// Values unique to this run, so finding one anywhere means it leaked from here.
const TOKEN_VALUE = `tok-${randomUUID()}`;
const SCRATCH_VALUE = `scratch-${randomUUID()}`;
const LOCKED_VALUE = `locked-${randomUUID()}`;
const INVALID_VALUE = `invalid-${randomUUID()}`;
/** Every byte value once: text decoding, newline conversion or a lost NUL would all change it. */
const BINARY = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
const BINARY_BASE64 = BINARY.toString('base64');
/** Waits like {@link eventually}, never printing what was read: it could hold a secret value. */
const eventuallyQuiet = <T>(
  what: string,
  read: () => Promise<T>,
  check: (value: T) => boolean,
  timeoutMs = 20_000,
) => eventually(what, read, check, { timeoutMs, quiet: true });

const VALUES = [TOKEN_VALUE, SCRATCH_VALUE, LOCKED_VALUE, INVALID_VALUE, BINARY_BASE64];

/** Whether `text` holds any secret value of this file. */
const leaks = (text: string) => VALUES.some((value) => text.includes(value));

/** Saves a picture of the page as the user sees it and checks that nothing is wider than the screen. */
async function screenshot(page: Page, name: string, viewport: { width: number }) {
  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.waitForLoadState('networkidle');
  await page.screenshot({ path: `${SCREENSHOTS}${name}.png`, animations: 'disabled' });
  const width = (await page.evaluate('document.documentElement.scrollWidth')) as number;
  expect(width, `${name} is no wider than the screen`).toBeLessThanOrEqual(viewport.width);
}

/**
 * The fake model: `run: <command>` makes the agent run the command with its real Bash tool; once the tool has
 * answered, the turn ends with "Done." (the value stays in the tool result, which only the model sees).
 */
function model(req: ModelRequest) {
  if (req.kind !== 'main') return defaultHandler(req);
  if (req.toolResults.length > 0) return reply.text('Done.');
  if (req.lastUserText.startsWith('run: ')) {
    return reply.toolUse('Bash', { command: req.lastUserText.slice(5), description: 'read a secret' });
  }
  return reply.text(`echo: ${req.lastUserText}`);
}

describe.skipIf(missing !== null)('the Secrets page in Chromium', () => {
  let stack: Stack;
  let browser: Browser;
  let session: { name: string; value: string };
  let tempDir: string;
  let probes = 0;
  const contexts: BrowserContext[] = [];
  const pageErrors: string[] = [];
  /** Everything any page received: response bodies and WebSocket frames, read as text. */
  const received: Promise<string>[] = [];

  beforeAll(async () => {
    execFileSync(process.execPath, [BUILD_SCRIPT], { stdio: 'inherit' });
    tempDir = mkdtempSync(join(tmpdir(), 'praktor-secrets-ui-'));
    stack = await startStack({
      handler: model,
      config: (urls) => {
        const base = defaultStackConfig(urls);
        return {
          ...base,
          web: { auth: PASSWORD },
          vault: { passphrase: PASSPHRASE },
          agents: {
            general: { description: 'General-purpose assistant', env: { API_TOKEN: 'secret:api_token' } },
            coder: {
              description: 'Software engineer',
              model: 'claude-coder-model',
              files: [{ secret: 'signing_key', target: KEY_TARGET, mode: '0600' }],
            },
          },
        };
      },
    });
    browser = await launchChromium();
    const login = await fetch(`${stack.praktor.webUrl}/api/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ password: PASSWORD }),
    });
    expect(login.status).toBe(200);
    const [name, value] = (login.headers.get('set-cookie') ?? '').split(';')[0]?.split('=') ?? [];
    if (!name || !value) throw new Error('login set no session cookie');
    session = { name, value };
  });

  afterEach(async () => {
    await Promise.all(contexts.splice(0).map((c) => c.close()));
    const errors = pageErrors.splice(0);
    expect(errors, 'uncaught errors in the page').toEqual([]);
  });

  afterAll(async () => {
    await browser?.close();
    await stack?.close();
    if (tempDir) rmSync(tempDir, { recursive: true, force: true });
  });

  /** Calls the gateway's API with the test's session; the body parsed, or null. */
  async function call<T = unknown>(
    method: string,
    path: string,
    body?: unknown,
  ): Promise<{ status: number; json: T }> {
    const response = await fetch(`${stack.praktor.webUrl}/api${path}`, {
      method,
      headers: {
        cookie: `${session.name}=${session.value}`,
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      },
      body: body !== undefined ? JSON.stringify(body) : null,
    });
    const text = await response.text();
    return { status: response.status, json: (text ? JSON.parse(text) : null) as T };
  }

  const secret = (name: string) => call<SecretItem>('GET', `/secrets/${encodeURIComponent(name)}`);

  /**
   * Has `agent` run `command` through its Bash tool and returns what the tool printed, once the agent has also
   * finished the turn (so that stopping it afterwards interrupts nothing).
   */
  async function runInAgent(agent: string, command: string): Promise<string> {
    probes += 1;
    const marker = `probe-${probes}-${agent}`;
    const sent = await call<{ message: MessageItem }>('POST', `/agents/definitions/${agent}/messages`, {
      text: `run: echo ${marker}; ${command}`,
    });
    expect(sent.status).toBeLessThan(300);
    const followUp = await stack.anthropic.waitForRequest(
      (r) => r.kind === 'main' && r.toolResults.some((t) => t.content.includes(marker)),
      AGENT_TIMEOUT,
    );
    await eventuallyQuiet(
      `${agent}'s answer to ${marker}`,
      async () => (await call<MessageItem[]>('GET', `/agents/definitions/${agent}/messages`)).json,
      (messages) => messages.some((m) => m.role === 'assistant' && m.in_reply_to === sent.json.message.id),
      AGENT_TIMEOUT,
    );
    return followUp.toolResults.map((t) => t.content).join('\n');
  }

  /** A fresh signed-in browser showing `path`, every response and WebSocket frame of it recorded. */
  async function open(
    path: string,
    opts: {
      viewport?: { width: number; height: number };
      colorScheme?: 'dark' | 'light';
      baseUrl?: string;
    } = {},
  ): Promise<Page> {
    const base = opts.baseUrl ?? stack.praktor.webUrl;
    const context = await browser.newContext({
      viewport: opts.viewport ?? DESKTOP,
      colorScheme: opts.colorScheme ?? 'dark',
    });
    contexts.push(context);
    await context.addCookies([{ ...session, url: base }]);
    const page = await context.newPage();
    page.on('pageerror', (err) => pageErrors.push(err.message));
    page.on('response', (response) => {
      received.push(response.text().catch(() => ''));
    });
    page.on('websocket', (socket) => {
      socket.on('framereceived', (frame) => {
        received.push(
          Promise.resolve(typeof frame.payload === 'string' ? frame.payload : frame.payload.toString()),
        );
      });
    });
    await page.goto(`${base}${path}`);
    return page;
  }

  const row = (page: Page, name: string) =>
    page.locator(`[data-testid="secret-row"][data-secret-name="${name}"]`);
  const dialog = (page: Page) => page.getByTestId('secret-dialog');

  /** Checks whether the text is in the page's HTML right now, without ever printing either. */
  const pageShows = async (page: Page, value: string) => (await page.content()).includes(value);

  it('explains secrets when there are none, and is reached from the menu', async () => {
    const page = await open('/');
    await page.getByTestId('nav-secrets').click();
    await page.waitForURL('**/secrets');
    await page.getByRole('heading', { name: 'Secrets', level: 1 }).waitFor();
    const empty = page.getByTestId('secrets-empty');
    await empty.waitFor();
    const text = (await empty.textContent()) ?? '';
    expect(text).toContain('environment variable');
    expect(text).toContain('secret:');
    expect(text).toContain('[REDACTED]');
    expect(await page.title()).toBe('Secrets · Praktor');
    await screenshot(page, 'secrets-empty-desktop', DESKTOP);
  });

  it('creates a text secret for one agent, which that agent then reads from its environment', async () => {
    const page = await open('/secrets');
    await page.getByTestId('secrets-new').click();
    const form = dialog(page);
    await form.waitFor();
    expect(await form.getByRole('heading', { name: 'New secret' }).isVisible()).toBe(true);
    // The name field has the focus, and the form says how praktor.yaml refers to the secret.
    expect(await page.evaluate('document.activeElement?.dataset.testid')).toBe('secret-name');
    await form.getByLabel('Name').fill('api_token');
    expect(await form.getByTestId('secret-reference').textContent()).toBe('secret:api_token');
    await form.getByLabel('Description').fill('Token of the example API');
    const value = form.getByTestId('secret-value');
    await value.fill(TOKEN_VALUE);
    // Masked like a password until asked, then shown, then masked again.
    expect(await value.getAttribute('data-masked')).toBe('true');
    expect(await value.evaluate((el) => getComputedStyle(el).getPropertyValue('-webkit-text-security'))).toBe(
      'disc',
    );
    await form.getByTestId('secret-value-toggle').click();
    expect(await value.getAttribute('data-masked')).toBe('false');
    expect(await form.getByTestId('secret-value-toggle').getAttribute('aria-pressed')).toBe('true');
    await form.getByTestId('secret-value-toggle').click();
    expect(await value.getAttribute('data-masked')).toBe('true');
    await form.getByTestId('secret-agent-general').check();
    await screenshot(page, 'secrets-form-desktop', DESKTOP);

    await form.getByTestId('secret-save').click();
    await dialog(page).waitFor({ state: 'detached' });
    expect(await page.getByTestId('secrets-status').textContent()).toBe('Created “api_token”.');
    const listed = row(page, 'api_token');
    await listed.waitFor();
    expect(await listed.getByTestId('secret-kind').textContent()).toBe('Text');
    expect(await listed.getByTestId('secret-description').textContent()).toBe('Token of the example API');
    expect(await listed.getByTestId('secret-agents').textContent()).toContain('general');
    expect(await listed.getByTestId('secret-global').count()).toBe(0);
    expect(await pageShows(page, TOKEN_VALUE), 'the value is still on the page').toBe(false);

    const stored = await secret('api_token');
    expect(stored.json).toMatchObject({
      kind: 'string',
      agent_ids: ['general'],
      global: false,
      filename: null,
    });

    const output = await runInAgent('general', 'printenv API_TOKEN');
    expect(output.includes(TOKEN_VALUE), 'general reads API_TOKEN from its environment').toBe(true);
  });

  it('uploads a binary file byte for byte, which the agent it is assigned to finds at its target', async () => {
    const file = join(tempDir, 'signing.key');
    writeFileSync(file, BINARY);
    const page = await open('/secrets');
    await page.getByTestId('secrets-new').click();
    const form = dialog(page);
    await form.getByLabel('Name').fill('signing_key');
    await form.getByTestId('secret-kind-file').check();
    expect(await form.getByTestId('secret-value').count()).toBe(0);
    // Saving without a file names the missing file by its field, before anything is sent.
    await form.getByTestId('secret-save').click();
    expect(await form.getByTestId('secret-error-value').textContent()).toBe('Choose a file.');
    await form.getByTestId('secret-file-input').setInputFiles(file);
    const chosen = form.getByTestId('secret-file-chosen');
    await chosen.waitFor();
    expect(await chosen.textContent()).toContain('signing.key');
    expect(await chosen.textContent()).toContain('256 bytes');
    await screenshot(page, 'secrets-form-file-desktop', DESKTOP);
    expect(await form.getByTestId('secret-error-value').count()).toBe(0);
    await form.getByLabel('Description').fill('Release signing key');
    await form.getByTestId('secret-agent-coder').check();
    const posted = page.waitForRequest((r) => r.url().endsWith('/api/secrets') && r.method() === 'POST');
    await form.getByTestId('secret-save').click();
    const body = (await posted).postDataJSON() as Record<string, unknown>;
    expect({ ...body, value: undefined }).toEqual({
      name: 'signing_key',
      description: 'Release signing key',
      kind: 'file',
      filename: 'signing.key',
      encoding: 'base64',
      global: false,
      agent_ids: ['coder'],
      value: undefined,
    });
    expect(body.value === BINARY_BASE64, 'the request carries the file’s bytes as base64').toBe(true);
    await dialog(page).waitFor({ state: 'detached' });

    const listed = row(page, 'signing_key');
    await listed.waitFor();
    expect(await listed.getByTestId('secret-kind').textContent()).toBe('File');
    expect(await listed.getByTestId('secret-filename').textContent()).toBe('signing.key');
    expect(await listed.getByTestId('secret-agents').textContent()).toContain('coder');

    const stored = await secret('signing_key');
    expect(stored.status).toBe(200);
    expect(stored.json).toMatchObject({ kind: 'file', filename: 'signing.key', agent_ids: ['coder'] });

    const output = await runInAgent('coder', `base64 -w0 ${KEY_TARGET}; echo; stat -c %a ${KEY_TARGET}`);
    expect(output.includes(BINARY_BASE64), 'coder finds the 256 bytes unchanged').toBe(true);
    // The output holds the file, so it is only ever tested, never printed.
    expect(/^600$/m.test(output), 'the file has mode 0600').toBe(true);
  });

  it('edits a secret without a value, and the agent keeps getting the stored one', async () => {
    const before = await secret('api_token');
    const page = await open('/secrets');
    await row(page, 'api_token').getByTestId('secret-edit').click();
    const form = dialog(page);
    await form.waitFor();
    expect(await form.getByRole('heading', { name: 'Edit api_token' }).isVisible()).toBe(true);
    const name = form.getByTestId('secret-name');
    expect(await name.inputValue()).toBe('api_token');
    expect(await name.getAttribute('readonly')).not.toBeNull();
    // The value starts empty (it cannot be loaded), and the form says what empty means.
    const value = form.getByTestId('secret-value');
    expect(await value.inputValue()).toBe('');
    const hint = await page.locator(`[id="${await value.getAttribute('aria-describedby')}"]`).textContent();
    expect(hint).toContain('Leave empty to keep the current value');
    expect(await form.getByTestId('secret-agent-general').isChecked()).toBe(true);
    await form.getByLabel('Description').fill('Token of the example API, rotated monthly');
    const put = page.waitForRequest(
      (r) => r.url().endsWith('/api/secrets/api_token') && r.method() === 'PUT',
    );
    await form.getByTestId('secret-save').click();
    expect((await put).postDataJSON()).not.toHaveProperty('value');
    await dialog(page).waitFor({ state: 'detached' });
    await eventuallyQuiet(
      'the new description in the list',
      () => row(page, 'api_token').getByTestId('secret-description').textContent(),
      (t) => t === 'Token of the example API, rotated monthly',
    );
    expect(await page.getByTestId('secrets-status').textContent()).toContain('next time they start');

    const after = await secret('api_token');
    expect(after.json).toMatchObject({
      description: 'Token of the example API, rotated monthly',
      agent_ids: ['general'],
    });
    expect(after.json.updated_at).toBeGreaterThanOrEqual(before.json.updated_at);

    // A new sandbox resolves its secrets again: the value it gets is the one stored before the edit.
    expect((await call('POST', '/agents/definitions/general/stop')).status).toBe(200);
    const output = await runInAgent('general', 'printenv API_TOKEN');
    expect(output.includes(TOKEN_VALUE), 'general still reads the value stored before the edit').toBe(true);
  });

  it('marks a secret global: the agent list gives way, and the list says so', async () => {
    const page = await open('/secrets');
    await row(page, 'signing_key').getByTestId('secret-edit').click();
    const form = dialog(page);
    await form.waitFor();
    expect(await form.getByTestId('secret-file-chosen').count()).toBe(0);
    expect(await form.getByTestId('secret-agent-coder').isChecked()).toBe(true);
    await form.getByTestId('secret-global').check();
    expect(await form.getByTestId('secret-agents').count()).toBe(0);
    const put = page.waitForRequest(
      (r) => r.url().endsWith('/api/secrets/signing_key') && r.method() === 'PUT',
    );
    await form.getByTestId('secret-save').click();
    const body = (await put).postDataJSON() as Record<string, unknown>;
    expect(body).toMatchObject({ global: true, kind: 'file' });
    expect(body).not.toHaveProperty('value');
    await dialog(page).waitFor({ state: 'detached' });
    const listed = row(page, 'signing_key');
    await listed.getByTestId('secret-global').waitFor();
    expect(await listed.getByTestId('secret-agents').textContent()).toContain('Every agent');
    expect(await listed.getByTestId('secret-agents').textContent()).not.toContain('coder');
    const stored = await secret('signing_key');
    expect(stored.json).toMatchObject({ global: true, kind: 'file', filename: 'signing.key' });
  });

  it('shows the server’s validation message by the field it names, keeping what was typed', async () => {
    const page = await open('/secrets');
    await page.getByTestId('secrets-new').click();
    const form = dialog(page);
    // A name taken already is caught before sending: creating must never replace a secret.
    await form.getByLabel('Name').fill('api_token');
    await form.getByTestId('secret-value').fill(INVALID_VALUE);
    await form.getByTestId('secret-save').click();
    expect(await form.getByTestId('secret-error-name').textContent()).toContain('exists already');

    await form.getByLabel('Name').fill('not a valid name!');
    expect(await form.getByTestId('secret-error-name').count()).toBe(0);
    const answered = page.waitForResponse(
      (r) => r.url().endsWith('/api/secrets') && r.request().method() === 'POST',
    );
    await form.getByTestId('secret-save').click();
    expect((await answered).status()).toBe(400);
    const error = form.getByTestId('secret-error-name');
    await error.waitFor();
    expect(await error.textContent()).toMatch(/^Must be letters, digits/);
    const name = form.getByTestId('secret-name');
    expect(await name.getAttribute('aria-invalid')).toBe('true');
    expect(await page.evaluate('document.activeElement?.dataset.testid')).toBe('secret-name');
    expect(await name.getAttribute('aria-describedby')).toContain(await error.getAttribute('id'));
    expect((await form.getByTestId('secret-value').inputValue()) === INVALID_VALUE, 'the value is kept').toBe(
      true,
    );
    expect(await form.getByTestId('secret-form-error').count()).toBe(0);
    await screenshot(page, 'secrets-form-error-desktop', DESKTOP);
    await form.getByTestId('secret-cancel').click();
    await dialog(page).waitFor({ state: 'detached' });
    expect((await secret('not a valid name!')).status).toBe(404);
  });

  it('deletes a secret after asking, and not when the question is cancelled', async () => {
    expect((await call('POST', '/secrets', { name: 'scratch_token', value: SCRATCH_VALUE })).status).toBe(
      201,
    );
    const page = await open('/secrets');
    const listed = row(page, 'scratch_token');
    await listed.waitFor();
    expect(await listed.getByTestId('secret-agents').textContent()).toBe('No agent may use it yet');

    await listed.getByTestId('secret-delete').click();
    const confirm = page.getByTestId('confirm-dialog');
    await confirm.waitFor();
    expect(await confirm.getByRole('heading').textContent()).toBe('Delete scratch_token?');
    // The safe answer has the focus.
    expect(await page.evaluate('document.activeElement?.dataset.testid')).toBe('confirm-cancel');
    await page.keyboard.press('Escape');
    await confirm.waitFor({ state: 'detached' });
    expect(await page.evaluate('document.activeElement?.dataset.testid'), 'the focus is back').toBe(
      'secret-delete',
    );
    expect((await secret('scratch_token')).status).toBe(200);

    await listed.getByTestId('secret-delete').click();
    await page.getByTestId('confirm-ok').click();
    await confirm.waitFor({ state: 'detached' });
    await listed.waitFor({ state: 'detached' });
    expect(await page.getByTestId('secrets-status').textContent()).toContain('Deleted “scratch_token”');
    await screenshot(page, 'secrets-deleted-desktop', DESKTOP);
    expect((await secret('scratch_token')).status).toBe(404);
    expect(await row(page, 'api_token').count()).toBe(1);
  });

  it('takes screenshots at desktop and phone widths, in both themes, none wider than the screen', async () => {
    const desktop = await open('/secrets');
    await row(desktop, 'signing_key').waitFor();
    await screenshot(desktop, 'secrets-desktop', DESKTOP);

    const light = await open('/secrets', { colorScheme: 'light' });
    await row(light, 'signing_key').waitFor();
    await screenshot(light, 'secrets-desktop-light', DESKTOP);
    await row(light, 'api_token').getByTestId('secret-edit').click();
    await dialog(light).waitFor();
    await screenshot(light, 'secrets-form-light', DESKTOP);

    const phone = await open('/secrets', { viewport: PHONE });
    await row(phone, 'signing_key').waitFor();
    await screenshot(phone, 'secrets-phone', PHONE);
    await phone.getByTestId('secrets-new').click();
    await dialog(phone).getByTestId('secret-kind-file').check();
    await screenshot(phone, 'secrets-form-phone', PHONE);
    // Every control of the form is reachable on a phone: the dialog scrolls, its buttons stay on screen.
    const save = dialog(phone).getByTestId('secret-save');
    const box = await save.boundingBox();
    expect(box && box.y + box.height <= PHONE.height, 'Create secret is on screen').toBe(true);
    await dialog(phone).getByTestId('secret-agent-coder').scrollIntoViewIfNeeded();
    expect(await dialog(phone).getByTestId('secret-agent-coder').isVisible()).toBe(true);
  });

  it('received no secret value in any response or live event, on any page', async () => {
    const bodies = await Promise.all(received);
    expect(bodies.length).toBeGreaterThan(20);
    expect(
      bodies.some((b) => b.includes('signing_key')),
      'the recording saw the secrets list',
    ).toBe(true);
    const leaked = bodies.filter(leaks).length;
    expect(leaked, 'responses that carry a secret value').toBe(0);
  });
});

describe.skipIf(missing !== null)('the Secrets page with a locked vault', () => {
  let stack: Stack;
  let browser: Browser;

  beforeAll(async () => {
    execFileSync(process.execPath, [BUILD_SCRIPT], { stdio: 'inherit' });
    // No vault passphrase anywhere, and no password: the page is open, the vault is not.
    stack = await startStack({ config: (urls) => defaultStackConfig(urls) });
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await stack?.close();
  });

  it('says the vault is locked as soon as the page and the form open, before anything is saved', async () => {
    const context = await browser.newContext({ viewport: DESKTOP, colorScheme: 'dark' });
    try {
      const page = await context.newPage();
      const writes: string[] = [];
      page.on('request', (request) => {
        if (request.method() !== 'GET') writes.push(`${request.method()} ${request.url()}`);
      });
      await page.goto(`${stack.praktor.webUrl}/secrets`);
      const onPage = page.getByTestId('vault-problem');
      await onPage.waitFor();
      expect(await onPage.getAttribute('data-locked')).toBe('true');
      expect(await onPage.textContent()).toContain('PRAKTOR_VAULT_PASSPHRASE');
      await page.getByTestId('secrets-new').click();
      const inForm = page.getByTestId('secret-dialog').getByTestId('vault-problem');
      await inForm.waitFor();
      expect(await inForm.textContent()).toContain('The vault is locked');
      expect(writes).toEqual([]);
      await screenshot(page, 'secrets-locked-at-once', DESKTOP);
    } finally {
      await context.close();
    }
  });

  it('says the vault is locked and how to unlock it, in the form and on the page', async () => {
    const context = await browser.newContext({ viewport: DESKTOP, colorScheme: 'dark' });
    try {
      const page = await context.newPage();
      const errors: string[] = [];
      const bodies: Promise<string>[] = [];
      page.on('pageerror', (err) => errors.push(err.message));
      page.on('response', (response) => {
        bodies.push(response.text().catch(() => ''));
      });
      await page.goto(`${stack.praktor.webUrl}/secrets`);
      await page.getByTestId('secrets-empty').waitFor();
      await page.getByTestId('secrets-new').click();
      const form = page.getByTestId('secret-dialog');
      await form.getByLabel('Name').fill('locked_token');
      await form.getByTestId('secret-value').fill(LOCKED_VALUE);
      const answered = page.waitForResponse(
        (r) => r.url().endsWith('/api/secrets') && r.request().method() === 'POST',
      );
      await form.getByTestId('secret-save').click();
      expect((await answered).status()).toBe(503);
      const inForm = form.getByTestId('vault-problem');
      await inForm.waitFor();
      expect(await inForm.getAttribute('data-locked')).toBe('true');
      const text = (await inForm.textContent()) ?? '';
      expect(text).toContain('The vault is locked');
      expect(text).toContain('vault.passphrase');
      expect(text).toContain('PRAKTOR_VAULT_PASSPHRASE');
      await screenshot(page, 'secrets-locked-form', DESKTOP);

      await form.getByTestId('secret-cancel').click();
      await form.waitFor({ state: 'detached' });
      const onPage = page.getByTestId('vault-problem');
      await onPage.waitFor();
      expect(await onPage.textContent()).toContain('The vault is locked');
      await screenshot(page, 'secrets-locked', DESKTOP);
      expect((await fetch(`${stack.praktor.webUrl}/api/secrets`).then((r) => r.json())) as unknown[]).toEqual(
        [],
      );
      expect(errors).toEqual([]);
      expect((await Promise.all(bodies)).filter(leaks).length, 'responses that carry a secret value').toBe(0);
    } finally {
      await context.close();
    }
  });
});
