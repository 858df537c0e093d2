/**
 * Applying extensions on a real file system, without plugins (so without the Claude Code CLI): skills written with
 * their front matter and files, stale skills removed, and stdio servers whose command is missing named, not passed on;
 * and the servers' connection states taken from Claude Code's reports, with its reasons, within a time limit.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { McpServerStatus } from '@anthropic-ai/claude-agent-sdk';
import type { ExtensionStatus } from '@praktor/protocol';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { applyExtensions, withConnections } from './extensions.js';
import { AgentNix } from './nix.js';

/** The nix of an agent without nix_enabled. */
const noNix = new AgentNix(null);

let home: string;

beforeEach(() => {
  home = mkdtempSync(join(tmpdir(), 'praktor-extensions-'));
});

afterEach(() => {
  rmSync(home, { recursive: true, force: true });
});

describe('applying extensions', () => {
  it('writes each skill as SKILL.md with its name and description as front matter, and its files', async () => {
    const applied = await applyExtensions(
      {
        skills: {
          notes: {
            description: 'Writes notes: short ones',
            content: 'Keep it brief.',
            files: { 'scripts/run.sh': Buffer.from('#!/bin/sh\necho hi\n').toString('base64') },
          },
        },
        errors: [],
      },
      home,
      process.env,
      noNix,
    );
    expect(readFileSync(join(home, 'skills', 'notes', 'SKILL.md'), 'utf8')).toBe(
      '---\nname: "notes"\ndescription: "Writes notes: short ones"\n---\n\nKeep it brief.',
    );
    const script = join(home, 'skills', 'notes', 'scripts', 'run.sh');
    expect(readFileSync(script, 'utf8')).toBe('#!/bin/sh\necho hi\n');
    expect(statSync(script).mode & 0o777).toBe(0o755);
    expect(applied.status.skills).toEqual(['notes']);
    expect(applied.loadsUserSettings).toBe(true);
  });

  it('removes the folders of skills that are no longer configured', async () => {
    mkdirSync(join(home, 'skills', 'old'), { recursive: true });
    writeFileSync(join(home, 'skills', 'old', 'SKILL.md'), 'old');
    const applied = await applyExtensions({ errors: [] }, home, process.env, noNix);
    expect(existsSync(join(home, 'skills', 'old'))).toBe(false);
    expect(applied.status.skills).toEqual([]);
    expect(applied.loadsUserSettings).toBe(false);
  });

  it('names a stdio server whose command is not on the PATH, says the agent has no nix to install it, and passes only the others on', async () => {
    const applied = await applyExtensions(
      {
        mcp_servers: {
          present: { type: 'stdio', command: 'node' },
          ghost: { type: 'stdio', command: 'no-such-mcp-command' },
        },
        errors: ['MCP server "locked" was not started: the secret is missing'],
      },
      home,
      process.env,
      noNix,
    );
    expect(Object.keys(applied.mcpServers)).toEqual(['present']);
    expect(applied.status.errors).toEqual([
      'MCP server "locked" was not started: the secret is missing',
      'MCP server "ghost" was not started: its command "no-such-mcp-command" is not installed in the sandbox (not found on its PATH). ' +
        'Nix is not available: this agent does not have nix_enabled. Set agents.<id>.nix_enabled: true in praktor.yaml: ' +
        'in Docker the agent gets a nix store of its own, in the local runtime it uses the nix of the machine it runs on.',
    ]);
    expect(applied.status.mcp_servers.map((s) => [s.name, s.status])).toEqual([
      ['present', 'pending'],
      ['ghost', 'failed'],
    ]);
  });
});

describe('the MCP servers’ connections as Claude Code reports them', () => {
  const started: ExtensionStatus = {
    reported_at: 0,
    mcp_servers: [{ name: 'ghost', status: 'failed', error: 'its command is missing', tools: [] }],
    marketplaces: [],
    plugins: [],
    skills: [],
    errors: ['its command is missing'],
  };
  const servers = {
    memory: { type: 'stdio' as const, command: 'node' },
    dark: { type: 'http' as const, url: 'http://127.0.0.2:1/mcp' },
  };

  /** Claude Code's reports, one per call, the last repeated. */
  const reports = (...answers: McpServerStatus[][]) => {
    let asked = 0;
    return async () => answers[Math.min(asked++, answers.length - 1)] ?? [];
  };

  it('waits while a server is pending, then reports each as connected with its tools or failed with the reason', async () => {
    const status = await withConnections(
      started,
      servers,
      reports(
        [
          { name: 'memory', status: 'pending' },
          { name: 'dark', status: 'pending' },
        ],
        [
          { name: 'memory', status: 'connected', tools: [{ name: 'read_graph' }] },
          { name: 'dark', status: 'pending' },
        ],
        [
          { name: 'memory', status: 'connected', tools: [{ name: 'read_graph' }] },
          { name: 'dark', status: 'failed', error: 'HTTP 500: the lighthouse is dark' },
          { name: 'praktor-memory', status: 'connected', tools: [{ name: 'memory_search' }] },
        ],
      ),
    );
    expect(status.mcp_servers).toEqual([
      started.mcp_servers[0],
      { name: 'memory', status: 'connected', error: null, tools: ['mcp__memory__read_graph'] },
      { name: 'dark', status: 'failed', error: 'HTTP 500: the lighthouse is dark', tools: [] },
    ]);
    expect(status.errors).toEqual([
      'its command is missing',
      'MCP server "dark" failed to connect: HTTP 500: the lighthouse is dark',
    ]);
  });

  it('says when Claude Code gives no reason for a failure', async () => {
    const status = await withConnections(started, servers, reports([{ name: 'dark', status: 'failed' }]));
    expect(status.errors.at(-1)).toBe('MCP server "dark" failed to connect: no reason given');
  });

  it('stops waiting at its time limit and reports a server still connecting as pending, with no error', async () => {
    const begun = Date.now();
    const status = await withConnections(
      started,
      servers,
      reports([{ name: 'memory', status: 'pending' }]),
      600,
    );
    expect(Date.now() - begun).toBeGreaterThanOrEqual(600);
    expect(Date.now() - begun).toBeLessThan(2_000);
    expect(status.mcp_servers.at(-1)).toEqual({ name: 'memory', status: 'pending', error: null, tools: [] });
    expect(status.errors).toEqual(started.errors);
  });
});
