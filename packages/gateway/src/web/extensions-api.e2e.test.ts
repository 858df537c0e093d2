/**
 * The extensions API on a real gateway: what is saved comes back as saved, with the sandbox's last report under
 * `_status`, and each validation rule is answered with a 400 that names the field at fault, leaving what was saved
 * as it was.
 */
import { type Stack, startStack } from '@praktor/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

let stack: Stack;
const url = () => `${stack.praktor.webUrl}/api/agents/definitions/general/extensions`;

async function put(body: unknown): Promise<{ status: number; json: { error?: string; status?: string } }> {
  const response = await fetch(url(), {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: response.status, json: (await response.json()) as { error?: string; status?: string } };
}

async function get(): Promise<Record<string, unknown>> {
  const response = await fetch(url());
  expect(response.status).toBe(200);
  return (await response.json()) as Record<string, unknown>;
}

const SAVED = {
  mcp_servers: {
    files: {
      type: 'stdio',
      command: 'mcp-files',
      args: ['--root', '/tmp'],
      env: { TOKEN: 'secret:files-token' },
    },
    calendar: {
      type: 'http',
      url: 'https://mcp.example.com/mcp',
      headers: { 'X-Key': 'secret:calendar-key' },
    },
  },
  marketplaces: [{ source: 'owner/repo', name: 'team-market' }],
  plugins: [{ name: 'formatter@team-market', disabled: true }],
  skills: {
    'release-notes': {
      description: 'Writes release notes',
      content: 'Group changes by area.',
      files: { 'scripts/run.sh': Buffer.from('#!/bin/sh\necho hi\n').toString('base64') },
    },
  },
};

beforeAll(async () => {
  stack = await startStack({
    config: ({ telegramApiRoot, telegramToken }) => ({
      telegram: { token: telegramToken, api_root: telegramApiRoot, allow_from: [1001] },
      // Not kept warm: no sandbox starts, so the status stays as the tests expect it (empty).
      agents: { general: { prewarm: false } },
      router: { default_agent: 'general', ai: false },
    }),
  });
});

afterAll(async () => {
  await stack?.close();
});

describe('the extensions API', () => {
  it('answers an agent without extensions with none and an empty status', async () => {
    expect(await get()).toEqual({ _status: {} });
  });

  it('gives back what was saved', async () => {
    expect(await put(SAVED)).toEqual({ status: 200, json: { status: 'saved' } });
    expect(await get()).toEqual({ ...SAVED, _status: {} });
  });

  it('ignores a _status member sent back with the extensions', async () => {
    expect((await put({ ...SAVED, _status: { errors: ['old'] } })).status).toBe(200);
    expect(await get()).toEqual({ ...SAVED, _status: {} });
  });

  it('answers an agent that is not configured with 404', async () => {
    const response = await fetch(`${stack.praktor.webUrl}/api/agents/definitions/nobody/extensions`);
    expect(response.status).toBe(404);
  });

  const invalid: [string, unknown, string][] = [
    [
      'an MCP type other than stdio or http',
      { mcp_servers: { x: { type: 'sse' } } },
      "mcp_servers.x.type: must be 'stdio' or 'http'",
    ],
    [
      'a server named like one of Praktor’s own',
      { mcp_servers: { 'praktor-memory': { type: 'stdio', command: 'x' } } },
      'mcp_servers.praktor-memory: a server name must not be empty or start with "praktor-"',
    ],
    [
      'a stdio server without a command',
      { mcp_servers: { x: { type: 'stdio' } } },
      'mcp_servers.x.command: is required',
    ],
    [
      'an http server without a url',
      { mcp_servers: { x: { type: 'http' } } },
      'mcp_servers.x.url: is required',
    ],
    [
      'a marketplace without a source',
      { marketplaces: [{ name: 'm' }] },
      'marketplaces.0.source: is required',
    ],
    [
      'a marketplace name with other characters',
      { marketplaces: [{ source: 'a/b', name: 'bad;name' }] },
      'marketplaces.0.name: must be letters, digits and "-"',
    ],
    ['a plugin without a name', { plugins: [{ disabled: false }] }, 'plugins.0.name: is required'],
    [
      'a plugin name without @',
      { plugins: [{ name: 'formatter' }] },
      'plugins.0.name: must be "plugin@marketplace"',
    ],
    [
      'a skill name with other characters',
      { skills: { 'bad name': {} } },
      'skills.bad name: a skill name must be letters, digits',
    ],
    [
      'an absolute skill file path',
      { skills: { s: { files: { '/etc/x': 'aGk=' } } } },
      'skills.s.files./etc/x: a file path must be relative',
    ],
    [
      'a skill file path with ..',
      { skills: { s: { files: { 'a/../../x': 'aGk=' } } } },
      'skills.s.files.a/../../x: a file path must be relative',
    ],
    [
      'an empty skill file path',
      { skills: { s: { files: { '': 'aGk=' } } } },
      'skills.s.files.: a file path must be relative',
    ],
    [
      'a stdio server’s requires that is not a list of names',
      { mcp_servers: { x: { type: 'stdio', command: 'x', requires: 'jq' } } },
      'mcp_servers.x.requires: must be a list of nix package names',
    ],
    [
      'a plugin’s requires that is not a list of names',
      { plugins: [{ name: 'a@b', requires: [1] }] },
      'plugins.0.requires.0: must be text',
    ],
    [
      'skill file data that is not base64',
      { skills: { s: { files: { 'x.sh': 'not base64!' } } } },
      'skills.s.files.x.sh: must be standard base64',
    ],
  ];
  for (const [what, body, error] of invalid) {
    it(`refuses ${what} with 400 naming the field, keeping what was saved`, async () => {
      const answer = await put(body);
      expect(answer.status).toBe(400);
      expect(answer.json.error).toContain(error);
      expect(await get()).toEqual({ ...SAVED, _status: {} });
    });
  }
});
