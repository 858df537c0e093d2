/**
 * Agents' extensions end to end, on each runtime: the real gateway, runner and Claude Code, with extensions saved
 * through the API. A real third-party MCP server from npm (`@modelcontextprotocol/server-memory`) runs inside the
 * sandbox and the fake model calls its tool by the name the SDK gives it; an http MCP server served here gets its
 * header from the vault without the value showing anywhere else; a skill reaches the model and leaves with its
 * removal; a server that cannot start is named in the chat once, and the others work on.
 */

import { existsSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import {
  bundledMemoryServer,
  defaultStackConfig,
  MEMORY_SERVER_ARGS,
  MEMORY_SERVER_FILE,
  MEMORY_SERVER_SKILL,
  type ModelRequest,
  reply,
  type Stack,
  startStack,
  TEST_IMAGE_TIMEOUT_MS,
  TEST_USER_ID,
} from '@praktor/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { describeOnEachRuntime, type WithRuntime } from './runtimes/each-runtime.test-support.js';

const PASS = 'vault passphrase for the extensions test';
/** The http server's key: it must reach the server and nothing else. */
const KEY = 'mcp-header-key-5f1c9a77e2';
const SKILL_DESCRIPTION = 'Writes the release notes of the Lighthouse project';

/** An http MCP server with one tool, `whoami`, that answers with whether the key arrived; it records each key seen. */
async function startHttpMcp(seen: string[]): Promise<{ server: Server; url: string }> {
  const server = createServer(async (req, res) => {
    seen.push(String(req.headers['x-key'] ?? ''));
    const mcp = new McpServer({ name: 'lighthouse', version: '1.0.0' });
    mcp.registerTool(
      'whoami',
      { description: 'Who the caller is', inputSchema: { ask: z.string() } },
      async () => ({
        content: [{ type: 'text', text: req.headers['x-key'] === KEY ? 'keeper of the light' : 'stranger' }],
      }),
    );
    const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined });
    res.on('close', () => {
      void transport.close();
      void mcp.close();
    });
    await mcp.connect(transport);
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = chunks.length > 0 ? JSON.parse(Buffer.concat(chunks).toString('utf8')) : undefined;
    await transport.handleRequest(req, res, body);
  });
  // Not 127.0.0.1: that is the sandbox's own loopback; other loopback addresses go through the gateway's proxy.
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.2', resolve));
  return { server, url: `http://127.0.0.2:${(server.address() as AddressInfo).port}/mcp` };
}

/** An http "MCP server" that answers every request with 500 and a reason. */
async function startFailingHttp(): Promise<{ server: Server; url: string }> {
  const server = createServer((_req, res) => {
    res.writeHead(500, { 'content-type': 'text/plain' });
    res.end('the lighthouse is dark');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.2', resolve));
  return { server, url: `http://127.0.0.2:${(server.address() as AddressInfo).port}/mcp` };
}

/** The model: a scripted tool call for the phrases below, the tool's answer echoed back, "heard: …" for the rest. */
function model(req: ModelRequest) {
  if (req.kind !== 'main') return reply.text('side call');
  const [result] = req.toolResults;
  if (result) return reply.text(`${result.isError ? 'tool refused' : 'tool said'}: ${result.content}`);
  const text = req.lastUserText;
  if (text === 'remember Ada') {
    return reply.toolUse('mcp__memory__create_entities', {
      entities: [{ name: 'Ada', entityType: 'person', observations: ['writes the first program'] }],
    });
  }
  if (text === 'who am I') return reply.toolUse('mcp__lighthouse__whoami', { ask: 'me' });
  return reply.text(`heard: ${text}`);
}

function describeExtensions(runtime: string, withRuntime: WithRuntime) {
  describe(`extensions in the ${runtime} runtime`, () => {
    let stack: Stack;
    let memoryServer: string;
    let http: { server: Server; url: string };
    let failing: { server: Server; url: string };
    const keysSeen: string[] = [];

    async function ask(text: string): Promise<string> {
      const [answer] = await stack.telegram.say(TEST_USER_ID, text, { timeoutMs: 120_000 });
      return answer?.text ?? '';
    }

    async function api(
      method: string,
      path: string,
      body?: unknown,
    ): Promise<{ status: number; text: string }> {
      const response = await fetch(`${stack.praktor.webUrl}/api${path}`, {
        method,
        headers: body === undefined ? {} : { 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      return { status: response.status, text: await response.text() };
    }

    async function save(extensions: Record<string, unknown>): Promise<void> {
      const answer = await api('PUT', '/agents/definitions/general/extensions', extensions);
      expect(answer).toEqual({ status: 200, text: JSON.stringify({ status: 'saved' }) });
    }

    /** The memory server, shipped as a skill's file and started with `node` from there. */
    const withMemory = (extra: Record<string, unknown> = {}) => ({
      mcp_servers: {
        memory: {
          type: 'stdio',
          command: 'node',
          args: MEMORY_SERVER_ARGS,
          env: { MEMORY_FILE_PATH: 'memory.jsonl' },
        },
        ...((extra.mcp_servers as Record<string, unknown>) ?? {}),
      },
      skills: {
        [MEMORY_SERVER_SKILL]: {
          description: 'Files of the memory MCP server',
          content: '',
          files: { [MEMORY_SERVER_FILE]: memoryServer },
        },
        ...((extra.skills as Record<string, unknown>) ?? {}),
      },
    });

    /** What the sandbox last reported of its extensions. */
    const reported = async () =>
      JSON.parse((await api('GET', '/agents/definitions/general/extensions')).text)._status;

    beforeAll(async () => {
      memoryServer = Buffer.from(await bundledMemoryServer()).toString('base64');
      http = await startHttpMcp(keysSeen);
      failing = await startFailingHttp();
      const ports = [http.url, failing.url].map((url) => new URL(url).port);
      stack = await startStack({
        handler: model,
        config: (urls) => {
          const base = withRuntime(defaultStackConfig(urls));
          return {
            ...base,
            vault: { passphrase: PASS },
            // The http server listens on this machine, which agents reach only where it is allowed exactly.
            defaults: {
              ...(base.defaults as object),
              egress: { allow: ports.map((port) => `127.0.0.2:${port}`) },
            },
          };
        },
      });
      const stored = await api('POST', '/secrets', {
        name: 'lighthouse-key',
        value: KEY,
        kind: 'string',
        global: true,
      });
      expect(stored.status).toBe(201);
    }, TEST_IMAGE_TIMEOUT_MS);

    afterAll(async () => {
      await stack?.close();
      http?.server.close();
      failing?.server.close();
    });

    it('runs a stdio MCP server from npm in the sandbox and gives the model its tool’s real result', async () => {
      await save(withMemory());
      expect(await ask('remember Ada')).toMatch(/^tool said: .*"name": ?"Ada".*writes the first program/s);
      // Claude Code's report on the servers follows the runner's own, once none is still connecting.
      await expect
        .poll(async () => (await reported()).mcp_servers, { timeout: 30_000 })
        .toContainEqual(expect.objectContaining({ name: 'memory', status: 'connected', error: null }));
      const status = await reported();
      const memory = status.mcp_servers.find((s: { name: string }) => s.name === 'memory');
      expect(memory.tools).toContain('mcp__memory__create_entities');
      expect(status.errors).toEqual([]);
    });

    it('offers a saved skill to the model, and no longer once it is removed', async () => {
      await save(
        withMemory({
          skills: { 'release-notes': { description: SKILL_DESCRIPTION, content: 'Group by area.' } },
        }),
      );
      expect(await ask('hello with the skill')).toBe('heard: hello with the skill');
      const offered = stack.anthropic.requests.filter((r) => r.kind === 'main').at(-1);
      expect(JSON.stringify(offered?.body)).toContain(SKILL_DESCRIPTION);
      await save(withMemory());
      // A new conversation: the earlier one keeps the listing it was given in its history.
      expect((await api('POST', '/agents/definitions/general/reset')).status).toBe(200);
      expect(await ask('hello without the skill')).toBe('heard: hello without the skill');
      const after = stack.anthropic.requests.filter((r) => r.kind === 'main').at(-1);
      expect(JSON.stringify(after?.body)).not.toContain(SKILL_DESCRIPTION);
    });

    it('sends an http server its secret header, which shows nowhere else', async () => {
      await save(
        withMemory({
          mcp_servers: {
            lighthouse: { type: 'http', url: http.url, headers: { 'X-Key': 'secret:lighthouse-key' } },
          },
        }),
      );
      expect(await ask('who am I')).toBe('tool said: keeper of the light');
      expect(keysSeen).toContain(KEY);
      for (const request of stack.anthropic.requests) expect(JSON.stringify(request.body)).not.toContain(KEY);
      const got = await api('GET', '/agents/definitions/general/extensions');
      expect(got.text).toContain('secret:lighthouse-key');
      expect(got.text).not.toContain(KEY);
      expect(stack.praktor.process.lines.join('\n')).not.toContain(KEY);
      for (const file of ['praktor.db', 'praktor.db-wal']) {
        const path = join(stack.praktor.dataDir, file);
        if (existsSync(path)) expect(readFileSync(path).includes(KEY)).toBe(false);
      }
    });

    it('names a server whose secret or command is missing in the chat once, and runs the others', async () => {
      await save(
        withMemory({
          mcp_servers: {
            locked: { type: 'stdio', command: 'node', env: { TOKEN: 'secret:no-such-secret' } },
            ghost: { type: 'stdio', command: 'no-such-mcp-command' },
          },
        }),
      );
      const first = await ask('remember Ada');
      expect(first).toContain('MCP server "locked" was not started');
      expect(first).toContain('no-such-secret');
      expect(first).toContain(
        'MCP server "ghost" was not started: its command "no-such-mcp-command" is not installed',
      );
      expect(first).toMatch(/tool said: .*Ada/s);
      expect(await ask('and again')).toBe('heard: and again');
    });

    it('reports an http server that fails to connect with Claude Code’s reason, in the status and once in the chat', async () => {
      await save({ mcp_servers: { dark: { type: 'http', url: failing.url } } });
      const answers = [await ask('hello dark')];
      await expect
        .poll(async () => (await reported()).mcp_servers, { timeout: 60_000 })
        .toContainEqual(expect.objectContaining({ name: 'dark', status: 'failed' }));
      const status = await reported();
      const dark = status.mcp_servers.find((s: { name: string }) => s.name === 'dark');
      expect(dark.error).toMatch(/500|lighthouse is dark/);
      const told = `MCP server "dark" failed to connect: ${dark.error}`;
      expect(status.errors).toEqual([told]);
      answers.push(await ask('hello again'), await ask('and once more'));
      expect(answers.filter((answer) => answer.includes(told))).toHaveLength(1);
    });
  });
}

describeOnEachRuntime('extensions', (runtime, withRuntime) => describeExtensions(runtime, withRuntime));
