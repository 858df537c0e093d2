/**
 * The agent's Extensions tab in real Chromium against a real gateway and runner: a skill uploaded from the page
 * carries a real MCP server from npm, a server added with the form becomes connected once the agent starts, and a
 * server that cannot start shows why — live, without a reload. Servers and skills are edited in their forms,
 * marketplaces and plugins added, toggled and removed, and what each saved is read back through the API.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { AgentExtensions } from '@praktor/protocol';
import {
  bundledMemoryServer,
  callApi,
  MEMORY_SERVER_ARGS,
  MEMORY_SERVER_FILE,
  MEMORY_SERVER_SKILL,
  type Stack,
  startStack,
} from '@praktor/testkit';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DESKTOP, launchChromium, PHONE, requireChromium, SCREENSHOTS } from './browser-harness.js';

const BUILD_SCRIPT = fileURLToPath(new URL('../scripts/build.mjs', import.meta.url));

const missing = requireChromium('the extensions browser tests');

/** Saves a picture of the whole page and checks that nothing is wider than the screen. */
async function screenshot(page: Page, name: string, viewport: { width: number }) {
  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: `${SCREENSHOTS}${name}.png`, animations: 'disabled', fullPage: true });
  const width = (await page.evaluate('document.documentElement.scrollWidth')) as number;
  expect(width, `${name} is no wider than the screen`).toBeLessThanOrEqual(viewport.width);
}

describe.skipIf(missing !== null)('the Extensions panel', () => {
  let stack: Stack;
  let browser: Browser;
  let page: Page;

  /** Starts the agent's sandbox again, on the extensions saved now. */
  async function restartAgent(): Promise<void> {
    for (const action of ['stop', 'start']) {
      const response = await fetch(`${stack.praktor.webUrl}/api/agents/definitions/general/${action}`, {
        method: 'POST',
      });
      expect(response.status).toBe(200);
    }
  }

  /** The extensions as saved, read through the API. */
  async function saved(): Promise<AgentExtensions> {
    const answer = await callApi(stack.praktor.webUrl, 'GET', '/api/agents/definitions/general/extensions');
    expect(answer.status).toBe(200);
    const { _status, ...extensions } = answer.json as AgentExtensions & { _status: unknown };
    return extensions;
  }

  const server = (name: string) => page.locator(`[data-testid="server"][data-name="${name}"]`);
  const skill = (name: string) => page.locator(`[data-testid="skill"][data-name="${name}"]`);

  beforeAll(async () => {
    execFileSync(process.execPath, [BUILD_SCRIPT], { stdio: 'inherit' });
    stack = await startStack({ config: () => ({ agents: { general: {} } }) });
    browser = await launchChromium();
    page = await (await browser.newContext({ viewport: DESKTOP })).newPage();
    await page.goto(`${stack.praktor.webUrl}/agents/general?tab=extensions`);
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await stack?.close();
  });

  it('uploads a skill with a file from the page', async () => {
    await page.getByTestId('skill-new').click();
    await page.getByTestId('skill-name').fill(MEMORY_SERVER_SKILL);
    await page.getByTestId('skill-description').fill('Files of the memory MCP server');
    await page.getByTestId('skill-files').setInputFiles({
      name: MEMORY_SERVER_FILE,
      mimeType: 'text/javascript',
      buffer: Buffer.from(await bundledMemoryServer()),
    });
    await page.getByTestId('skill-save').click();
    await page
      .locator(`[data-testid="skill"][data-name="${MEMORY_SERVER_SKILL}"]`)
      .waitFor({ timeout: 30_000 });
  });

  it('adds a stdio server with the form and shows it connected once the agent starts', async () => {
    await page.getByTestId('server-new').click();
    await page.getByTestId('server-name').fill('memory');
    await page.getByTestId('server-target').fill('node');
    await page.getByTestId('server-args').fill(MEMORY_SERVER_ARGS.join('\n'));
    await page.getByTestId('server-save').click();
    const row = page.locator('[data-testid="server"][data-name="memory"]');
    await row.waitFor({ timeout: 30_000 });
    expect(await row.getByTestId('server-status').textContent()).toBe('not started yet');
    await restartAgent();
    await expect
      .poll(() => row.getByTestId('server-status').textContent(), { timeout: 60_000 })
      .toBe('connected');
    expect(await row.textContent()).toContain('mcp__memory__create_entities');
    await screenshot(page, 'extensions-connected-desktop', DESKTOP);
  });

  it('shows why a server could not start', async () => {
    await page.getByTestId('server-new').click();
    await page.getByTestId('server-name').fill('ghost');
    await page.getByTestId('server-target').fill('no-such-mcp-command');
    await page.getByTestId('server-save').click();
    const row = page.locator('[data-testid="server"][data-name="ghost"]');
    await row.waitFor({ timeout: 30_000 });
    await restartAgent();
    await row.getByTestId('server-error').waitFor({ timeout: 60_000 });
    expect(await row.getByTestId('server-error').textContent()).toContain(
      'its command "no-such-mcp-command" is not installed',
    );
    expect(await row.getByTestId('server-status').textContent()).toBe('failed');
    await expect
      .poll(
        () =>
          page
            .locator('[data-testid="server"][data-name="memory"]')
            .getByTestId('server-status')
            .textContent(),
        { timeout: 60_000 },
      )
      .toBe('connected');
    await screenshot(page, 'extensions-failed-desktop', DESKTOP);
  });

  it('edits a server in its form, prefilled, renaming it in its place', async () => {
    await server('ghost').getByTestId('server-edit').click();
    const form = page.getByTestId('server-form');
    expect(await form.getByTestId('server-name').inputValue()).toBe('ghost');
    expect(await form.getByTestId('server-target').inputValue()).toBe('no-such-mcp-command');
    await form.getByTestId('server-name').fill('phantom');
    await form.getByTestId('server-target').fill('still-no-such-command');
    await form.getByTestId('server-args').fill('--port\n7000');
    await form.getByTestId('server-pairs').fill('TOKEN=secret:phantom_token');
    await screenshot(page, 'extensions-server-edit-desktop', DESKTOP);
    await form.getByTestId('server-save').click();
    await server('phantom').waitFor({ timeout: 30_000 });
    expect(await server('ghost').count()).toBe(0);
    const servers = (await saved()).mcp_servers ?? {};
    expect(Object.keys(servers)).toEqual(['memory', 'phantom']);
    expect(servers.phantom).toEqual({
      type: 'stdio',
      command: 'still-no-such-command',
      args: ['--port', '7000'],
      env: { TOKEN: 'secret:phantom_token' },
    });
  });

  it('refuses a new server under a name another server has, keeping that one', async () => {
    await page.getByTestId('server-new').click();
    await page.getByTestId('server-name').fill('memory');
    await page.getByTestId('server-target').fill('other-command');
    await page.getByTestId('server-save').click();
    expect(await page.getByTestId('server-name-error').textContent()).toBe(
      'A server named "memory" exists already: edit that one, or choose another name.',
    );
    await page.getByTestId('server-name').fill('memory-two');
    expect(await page.getByTestId('server-name-error').count()).toBe(0);
    await page.getByTestId('server-cancel').click();
    expect((await saved()).mcp_servers?.memory).toMatchObject({ type: 'stdio', command: 'node' });
    expect(Object.keys((await saved()).mcp_servers ?? {})).toEqual(['memory', 'phantom']);
  });

  it('answers a bad server with the API’s message naming the field', async () => {
    await page.getByTestId('server-new').click();
    await page.getByTestId('server-name').fill('nowhere');
    await page.getByTestId('server-type').selectOption('http');
    await page.getByTestId('server-target').fill('not a url');
    await page.getByTestId('server-save').click();
    const error = page.getByTestId('server-form').getByTestId('server-target-error');
    await error.waitFor({ timeout: 30_000 });
    expect(await error.textContent()).toBe('Is required for an http server and must be an http(s) URL');
    expect((await saved()).mcp_servers?.nowhere).toBeUndefined();
    await page.getByTestId('server-cancel').click();
  });

  it('previews a skill’s Markdown formatted, with HTML in it shown as text', async () => {
    await page.getByTestId('skill-new').click();
    await page
      .getByTestId('skill-content')
      .fill('# Conventions\n\n- **Always** run the tests\n\n<img src="x" onerror="window.ran = true">');
    await page.getByTestId('skill-content-preview').click();
    const rendered = page.getByTestId('skill-content-rendered');
    expect(await rendered.locator('h1').textContent()).toBe('Conventions');
    expect(await rendered.locator('li strong').textContent()).toBe('Always');
    expect(await rendered.locator('img').count()).toBe(0);
    expect(await rendered.textContent()).toContain('<img src="x"');
    expect(await page.getByTestId('skill-content').isVisible()).toBe(false);
    await screenshot(page, 'extensions-skill-preview-desktop', DESKTOP);
    await page.getByTestId('skill-content-write').click();
    expect(await page.getByTestId('skill-content').isVisible()).toBe(true);
    await page.getByTestId('skill-cancel').click();
  });

  it('edits a skill: its Markdown, and files removed and added', async () => {
    await page.getByTestId('skill-new').click();
    await page.getByTestId('skill-name').fill('conventions');
    await page.getByTestId('skill-description').fill('Our team’s conventions');
    await page.getByTestId('skill-content').fill('# Old rules');
    await page.getByTestId('skill-files').setInputFiles({
      name: 'old.txt',
      mimeType: 'text/plain',
      buffer: Buffer.from('old'),
    });
    await page.getByTestId('skill-save').click();
    await skill('conventions').waitFor({ timeout: 30_000 });

    await skill('conventions').getByTestId('skill-edit').click();
    const form = page.getByTestId('skill-form');
    expect(await form.getByTestId('skill-content').inputValue()).toBe('# Old rules');
    await form
      .locator('[data-testid="skill-file"][data-name="old.txt"]')
      .getByTestId('skill-file-remove')
      .click();
    await form.getByTestId('skill-content').fill('# New rules');
    await form.getByTestId('skill-files').setInputFiles({
      name: 'new.txt',
      mimeType: 'text/plain',
      buffer: Buffer.from('new'),
    });
    await form.getByTestId('skill-save').click();
    await form.waitFor({ state: 'detached', timeout: 30_000 });
    expect((await saved()).skills?.conventions).toEqual({
      description: 'Our team’s conventions',
      content: '# New rules',
      files: { 'new.txt': Buffer.from('new').toString('base64') },
    });
  });

  it('refuses a new skill under a name another skill has, keeping that one', async () => {
    await page.getByTestId('skill-new').click();
    await page.getByTestId('skill-name').fill('conventions');
    await page.getByTestId('skill-content').fill('# Something else');
    await page.getByTestId('skill-save').click();
    expect(await page.getByTestId('skill-name-error').textContent()).toBe(
      'A skill named "conventions" exists already: edit that one, or choose another name.',
    );
    await page.getByTestId('skill-cancel').click();
    expect((await saved()).skills?.conventions?.content).toBe('# New rules');
  });

  it('adds a marketplace with a name', async () => {
    await page.getByTestId('marketplace-source').fill('/srv/team-marketplace');
    await page.getByTestId('marketplace-name').fill('team');
    await page.getByTestId('marketplace-add').click();
    await page.getByTestId('marketplace').waitFor({ timeout: 30_000 });
    expect((await saved()).marketplaces).toEqual([{ source: '/srv/team-marketplace', name: 'team' }]);
    expect(await page.getByTestId('marketplace-source').inputValue()).toBe('');
  });

  it('adds a plugin, disables it and enables it again', async () => {
    await page.getByTestId('plugin-name').fill('formatter@team');
    await page.getByTestId('plugin-add').click();
    const toggle = page
      .locator('[data-testid="plugin"][data-name="formatter@team"]')
      .getByTestId('plugin-toggle');
    await toggle.waitFor({ timeout: 30_000 });
    expect((await saved()).plugins).toEqual([{ name: 'formatter@team' }]);
    await toggle.click();
    await expect.poll(() => toggle.textContent(), { timeout: 30_000 }).toBe('Enable');
    expect((await saved()).plugins).toEqual([{ name: 'formatter@team', disabled: true }]);
    await toggle.click();
    await expect.poll(() => toggle.textContent(), { timeout: 30_000 }).toBe('Disable');
    expect((await saved()).plugins).toEqual([{ name: 'formatter@team', disabled: false }]);
  });

  it('removes a plugin and a marketplace', async () => {
    await page.getByTestId('plugin').getByTestId('plugin-remove').click();
    await page.getByTestId('plugin').waitFor({ state: 'detached', timeout: 30_000 });
    await page.getByTestId('marketplace').getByTestId('marketplace-remove').click();
    await page.getByTestId('marketplace').waitFor({ state: 'detached', timeout: 30_000 });
    const extensions = await saved();
    expect(extensions.plugins).toEqual([]);
    expect(extensions.marketplaces).toEqual([]);
  });

  it('shows the API’s refusal of the JSON editor’s extensions, naming the field', async () => {
    const before = await saved();
    await page.getByTestId('extensions-json-edit').click();
    // Only what is refused, not the whole: the saved skill's bundled server is a large base64 text to type.
    await page
      .getByTestId('extensions-json')
      .fill(JSON.stringify({ mcp_servers: before.mcp_servers, plugins: [{ name: 'formatter' }] }));
    await page.getByTestId('extensions-json-save').click();
    const error = page.getByTestId('extensions-json-form').getByTestId('extensions-save-error');
    await error.waitFor({ timeout: 30_000 });
    expect(await error.textContent()).toBe('Could not save: plugins.0.name: must be "plugin@marketplace"');
    await screenshot(page, 'extensions-json-error-desktop', DESKTOP);
    expect(await saved()).toEqual(before);
  });

  it('fits a phone’s screen', async () => {
    const phone = await (await browser.newContext({ viewport: PHONE })).newPage();
    await phone.goto(`${stack.praktor.webUrl}/agents/general?tab=extensions`);
    await phone.locator('[data-testid="server"][data-name="memory"]').waitFor({ timeout: 30_000 });
    await screenshot(phone, 'extensions-phone', PHONE);
    await phone.getByTestId('skill-new').click();
    await screenshot(phone, 'extensions-skill-form-phone', PHONE);
  });
});
