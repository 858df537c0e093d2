/**
 * The agent's browser in Docker, end to end: the fake model has the agent drive playwright-cli through Claude Code's
 * real Bash tool against a page this test serves on the host, and the test checks what only a rendering browser
 * could have produced — a value set by the page's JavaScript, and a PNG screenshot of the page's size in the
 * agent's workspace — and that the browser outlives a message but not the agent.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import {
  containersOf,
  dockerInspect,
  ensureTestImage,
  eventually,
  type ModelRequest,
  removeInstallation,
  reply,
  requireDocker,
  type Stack,
  startStack,
  TEST_IMAGE_TIMEOUT_MS,
  TEST_USER_ID,
  testPrefix,
  withDocker,
} from '@praktor/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const missing = requireDocker('the Docker browser suite');

/** What the page's script writes into it; absent from the HTML the server sends. */
const RENDERED = ['rendered', 'by', 'script', String(6 * 7)];

const PAGE = `<!doctype html>
<html><head><title>workbench</title><link rel="icon" href="data:,"></head>
<body><p id="value">not rendered</p>
<script>document.getElementById('value').textContent = ${JSON.stringify(RENDERED)}.join('-');</script>
</body></html>`;

/** Commands the fake model runs with Bash, by the marker the test sends as the message. */
const commands = new Map<string, string>();

function model(req: ModelRequest) {
  if (req.kind !== 'main') return reply.text('side call');
  if (req.toolResults.length > 0) return reply.text('browsed');
  const command = commands.get(req.lastUserText.split('\n').at(-1) ?? '');
  if (command) return reply.toolUse('Bash', { command, description: 'use the browser' });
  return reply.text(`heard: ${req.lastUserText}`);
}

/** Width and height from a PNG's IHDR chunk (the first chunk, right after the 8-byte signature). */
function pngSize(png: Buffer): { width: number; height: number } {
  const signature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  if (!png.subarray(0, 8).equals(signature)) throw new Error('not a PNG');
  if (png.toString('latin1', 12, 16) !== 'IHDR') throw new Error('the PNG does not start with IHDR');
  return { width: png.readUInt32BE(16), height: png.readUInt32BE(20) };
}

describe.skipIf(missing !== null)('the browser in the agent image', () => {
  const prefix = testPrefix('browser');
  let stack: Stack;
  let page: Server;
  let pageUrl: string;
  let probes = 0;
  /** The system prompt of the latest request. */
  let system = '';

  /** Has the agent run `command` and returns what Bash printed. */
  async function run(command: string): Promise<string> {
    probes += 1;
    const marker = `browse-${probes}`;
    commands.set(marker, `echo ${marker}-output; ${command}`);
    const response = await fetch(`${stack.praktor.webUrl}/api/agents/definitions/alpha/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ text: marker }),
    });
    expect(response.status).toBe(202);
    const request = await stack.anthropic.waitForRequest(
      (r) => r.toolResults.some((t) => t.content.includes(`${marker}-output`)),
      120_000,
    );
    system = request.system;
    return request.toolResults[0]?.content ?? '';
  }

  beforeAll(async () => {
    page = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end(PAGE);
    });
    await new Promise<void>((resolve) => page.listen(0, '127.0.0.1', resolve));
    pageUrl = `http://127.0.0.1:${(page.address() as AddressInfo).port}/`;
    const image = ensureTestImage();
    stack = await startStack({
      handler: model,
      config: ({ telegramApiRoot, telegramToken }) =>
        withDocker(
          {
            telegram: { token: telegramToken, api_root: telegramApiRoot, allow_from: [TEST_USER_ID] },
            defaults: { model: 'claude-test', idle_timeout: '10m' },
            // The host's network, so the browser reaches this test's page on 127.0.0.1 (the gateway's proxy
            // rightly refuses this machine).
            agents: { alpha: { network: 'host' } },
            router: { default_agent: 'alpha' },
          },
          { prefix, image },
        ),
    });
  }, TEST_IMAGE_TIMEOUT_MS);

  afterAll(async () => {
    await stack?.close();
    removeInstallation(prefix);
    await new Promise((resolve) => page?.close(resolve));
  });

  it('reads what the page’s script rendered, screenshots it into the workspace, and keeps the browser for the next message', async () => {
    const opened = await run(
      `playwright-cli open ${pageUrl} >/dev/null && ` +
        `playwright-cli eval "document.getElementById('value').textContent + ' ' + innerWidth + 'x' + innerHeight" && ` +
        'playwright-cli screenshot --filename=page.png',
    );
    const rendered = RENDERED.join('-');
    expect(opened).toContain(rendered);
    const size = opened.match(new RegExp(`${rendered} (\\d+)x(\\d+)`));
    expect(size).not.toBeNull();
    const mountpoint = (dockerInspect('volume', `${prefix}-wk-alpha`) as { Mountpoint: string }).Mountpoint;
    const png = pngSize(readFileSync(join(mountpoint, 'page.png')));
    expect(png).toEqual({ width: Number(size?.[1]), height: Number(size?.[2]) });

    expect(system).toContain('BROWSER\nplaywright-cli drives a headless Chromium');

    // A later message finds the same browser on the same page, without opening it again.
    const later = await run('playwright-cli eval "location.href"');
    expect(later).toContain(pageUrl);
  });

  it('leaves no browser process behind when the agent stops', async () => {
    const container = `${prefix}-agent-alpha`;
    const top = execFileSync('docker', ['top', container, '-eo', 'pid,args'], { encoding: 'utf8' });
    const browsers = top
      .split('\n')
      .filter((line) => /chromium/.test(line))
      .map((line) => Number(line.trim().split(/\s+/)[0]));
    expect(browsers.length).toBeGreaterThan(0);

    const stopped = await fetch(`${stack.praktor.webUrl}/api/agents/definitions/alpha/stop`, {
      method: 'POST',
    });
    expect(stopped.status).toBe(200);
    await eventually(
      'the container to be removed',
      async () => containersOf(prefix).map((c) => c.agent),
      (agents) => !agents.includes('alpha'),
    );
    const alive = browsers.filter((pid) => {
      try {
        process.kill(pid, 0);
        return true;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ESRCH') return false;
        throw err;
      }
    });
    expect(alive).toEqual([]);
  });
});
