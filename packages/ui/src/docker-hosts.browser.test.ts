/**
 * The Dashboard's Docker hosts view in real Chromium against a real gateway on three hosts: the main daemon
 * (`local`), a second daemon the suite starts (`remote`, over TCP with mutual TLS, testkit's docker-host.ts) and a
 * configured host nothing listens at (`attic`). An agent answers on each of the first two, so their containers run
 * and their load is real; the fake model answers, over the fake Telegram.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import {
  ensureTestImage,
  eventually,
  freePort,
  removeInstallation,
  requireDocker,
  requireTestDockerHost,
  type Stack,
  startStack,
  startTestDockerHost,
  TEST_DOCKER_HOST_TIMEOUT_MS,
  TEST_IMAGE_TIMEOUT_MS,
  TEST_USER_ID,
  type TestDockerHost,
  testPrefix,
} from '@praktor/testkit';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DESKTOP, launchChromium, PHONE, requireChromium, SCREENSHOTS } from './browser-harness.js';

const BUILD_SCRIPT = fileURLToPath(new URL('../scripts/build.mjs', import.meta.url));
const PASSWORD = 'docker hosts view password 1234';
/** Starting an agent (Claude Code in a container) can take a while on a busy machine. */
const AGENT_TIMEOUT = 120_000;

const missing =
  requireChromium('the Docker hosts view browser tests') ??
  requireDocker('the Docker hosts view browser tests') ??
  requireTestDockerHost('the Docker hosts view browser tests');
const prefix = testPrefix('hostsview');

describe.skipIf(missing !== null)('the Dashboard’s Docker hosts', () => {
  let host: TestDockerHost;
  let stack: Stack;
  let browser: Browser;
  let page: Page;
  let image = '';
  let atticUrl = '';

  const card = (name: string) => page.locator(`[data-testid="docker-host"][data-host="${name}"]`);
  const agent = (hostName: string, id: string) =>
    card(hostName).locator(`[data-testid="host-agent"][data-agent-id="${id}"]`);

  beforeAll(
    async () => {
      execFileSync(process.execPath, [BUILD_SCRIPT], { stdio: 'inherit' });
      image = ensureTestImage();
      const started = Date.now();
      host = await startTestDockerHost('hostsview');
      await host.loadImage(image);
      console.log(`second daemon up with the agent image in ${Date.now() - started} ms`);
      atticUrl = `tcp://127.0.0.1:${await freePort()}`;
      stack = await startStack({
        config: ({ telegramApiRoot, telegramToken }) => ({
          telegram: { token: telegramToken, api_root: telegramApiRoot, allow_from: [TEST_USER_ID] },
          defaults: { runtime: 'docker', image },
          docker: { prefix, hosts: { remote: { url: host.url, tls: host.tls }, attic: { url: atticUrl } } },
          agents: {
            general: { host: 'local', prewarm: false },
            coder: { host: 'remote', prewarm: false },
            writer: { host: 'attic', prewarm: false },
          },
          router: { default_agent: 'general', ai: false },
          web: { auth: PASSWORD },
        }),
      });
      // One turn each, so that a container runs on both daemons that answer.
      for (const id of ['general', 'coder']) {
        const [answer] = await stack.telegram.say(TEST_USER_ID, `@${id} hello`, { timeoutMs: AGENT_TIMEOUT });
        expect(answer?.text).toContain('hello');
      }
      browser = await launchChromium();
      page = await (await browser.newContext({ viewport: DESKTOP })).newPage();
      await page.goto(stack.praktor.webUrl);
      await page.getByLabel('Password').fill(PASSWORD);
      await page.getByRole('button', { name: /sign in/i }).click();
      await page.getByTestId('docker-hosts').waitFor();
    },
    TEST_IMAGE_TIMEOUT_MS + TEST_DOCKER_HOST_TIMEOUT_MS + 2 * AGENT_TIMEOUT,
  );

  afterAll(async () => {
    await browser?.close();
    await stack?.close();
    removeInstallation(prefix);
    if (host) {
      const label = `label=praktor.installation=${prefix}`;
      const ids = (args: string[]) => host.docker(args).split('\n').filter(Boolean);
      const containers = ids(['ps', '--all', '--quiet', '--filter', label]);
      if (containers.length > 0) host.docker(['rm', '--force', ...containers]);
      const volumes = ids(['volume', 'ls', '--quiet', '--filter', label]);
      if (volumes.length > 0) host.docker(['volume', 'rm', '--force', ...volumes]);
      await host.stop();
    }
  }, 120_000);

  it('shows a card for every configured host, the local daemon first', async () => {
    const names = await page
      .getByTestId('docker-host')
      .evaluateAll((items) => items.map((item) => item.getAttribute('data-host')));
    expect(names).toEqual(['local', 'remote', 'attic']);
  });

  it('shows a host that answers with its engine version, its clock and its image', async () => {
    const remote = card('remote');
    expect(await remote.getAttribute('data-reachable')).toBe('true');
    expect(await remote.textContent()).toContain(host.url);
    expect(await remote.getByTestId('host-engine').textContent()).toMatch(/Docker \d+\.\d+.* · \d+ CPUs · /);
    expect(await remote.getByTestId('host-clock').textContent()).toMatch(/in step|s (behind|ahead of)/);
    const remoteImage = remote.getByTestId('host-image');
    expect(await remoteImage.getAttribute('data-present')).toBe('true');
    expect(await remoteImage.textContent()).toBe(`${image} present`);
  });

  it('lists the agents pinned to each host and marks those running', async () => {
    expect(await agent('local', 'general').getAttribute('data-running')).toBe('true');
    expect(await agent('local', 'general').textContent()).toContain('Pinned');
    expect(await agent('remote', 'coder').getAttribute('data-running')).toBe('true');
    expect(await agent('remote', 'coder').textContent()).toContain('Running');
    expect(await card('remote').getByTestId('host-agent').count()).toBe(1);
  });

  it('gives each running host’s memory and CPU use as values and as bars', async () => {
    for (const name of ['local', 'remote']) {
      const memory = card(name).getByTestId('host-memory');
      // A running Claude Code and its runner take tens of megabytes at least.
      expect(await memory.locator('dd').textContent()).toMatch(
        /^\d+(\.\d)? MB of \d+(\.\d)? GB · \d+ containers?$/,
      );
      const memoryBar = memory.getByRole('meter');
      expect(Number(await memoryBar.getAttribute('value'))).toBeGreaterThan(20 * 2 ** 20);
      const cpu = card(name).getByTestId('host-cpu');
      expect(await cpu.locator('dd').textContent()).toMatch(/^\d+(\.\d)?% of \d+%$/);
      expect(Number(await cpu.getByRole('meter').getAttribute('max'))).toBeGreaterThanOrEqual(100);
    }
  });

  it('names a host that does not answer, the reason and its fix, and the agents that cannot start there', async () => {
    const attic = card('attic');
    expect(await attic.getAttribute('data-reachable')).toBe('false');
    expect(await attic.locator('.pill').textContent()).toBe('Unreachable');
    const problem = await attic.getByTestId('host-problem').textContent();
    expect(problem).toContain(`the Docker host "attic" (${atticUrl}) does not answer (ECONNREFUSED)`);
    expect(problem).toContain(`To fix: start the daemon at ${atticUrl}`);
    expect(await agent('attic', 'writer').textContent()).toBe('writerPinnedcannot start');
    expect(await attic.getByTestId('host-memory').count()).toBe(0);
    expect(await attic.getByTestId('host-image').getAttribute('data-present')).toBe(null);
  });

  it('says when each host was read', async () => {
    for (const name of ['local', 'remote', 'attic']) {
      const time = card(name).locator('.host-read time');
      const read = Date.parse((await time.getAttribute('datetime')) ?? '');
      expect(Math.abs(Date.now() - read)).toBeLessThan(5 * 60_000);
    }
    expect(await card('attic').locator('.host-read').textContent()).toMatch(
      /^Read at .+ \((just now|\d+ min ago)\)$/,
    );
  });

  it('fits a phone screen', async () => {
    mkdirSync(SCREENSHOTS, { recursive: true });
    await page.getByTestId('docker-hosts').screenshot({ path: `${SCREENSHOTS}docker-hosts-desktop.png` });
    const signedIn = await page.context().storageState();
    const phone = await (await browser.newContext({ viewport: PHONE, storageState: signedIn })).newPage();
    await phone.goto(stack.praktor.webUrl);
    const hosts = phone.getByTestId('docker-hosts');
    await hosts.waitFor();
    await hosts.screenshot({ path: `${SCREENSHOTS}docker-hosts-phone.png` });
    expect(await hosts.evaluate((el) => el.scrollWidth - el.clientWidth)).toBeLessThanOrEqual(0);
  });

  it('reads the hosts again every minute while the Dashboard is open', async () => {
    const signedIn = await page.context().storageState();
    const open = await (await browser.newContext({ viewport: DESKTOP, storageState: signedIn })).newPage();
    // The page's clock only: the gateway, the daemons and their readings stay real.
    await open.clock.install();
    await open.goto(stack.praktor.webUrl);
    const coder = open.locator('[data-testid="docker-host"][data-host="remote"] [data-agent-id="coder"]');
    await coder.and(open.locator('[data-running="true"]')).waitFor();
    const stopped = await open.evaluate(async () => {
      const response = await fetch('/api/agents/definitions/coder/stop', { method: 'POST' });
      return response.ok;
    });
    expect(stopped).toBe(true);
    await eventually(
      'the coder’s container to stop on the second daemon',
      async () => host.docker(['ps', '--quiet', '--filter', `label=praktor.installation=${prefix}`]).trim(),
      (running) => running === '',
    );
    await open.clock.fastForward(61_000);
    await coder.and(open.locator('[data-running="false"]')).waitFor({ timeout: 30_000 });
    expect(await coder.textContent()).toBe('coderPinnednot running');
  });
});
