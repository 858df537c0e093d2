/**
 * The local runtime's workspace files (AGENT.md, which Mission Control shows and saves), on real files, including
 * what an agent can do to them from inside its workspace.
 */
import { lstatSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { agentDirs } from './layout.js';
import { LocalRuntime } from './local.js';

const agent = { agentId: 'general', workspace: 'general' };

/** A local runtime on `dataDir`; the agent's settings are not asked for by these tests. */
function localRuntime(dataDir: string, bwrap: string | null): LocalRuntime {
  return new LocalRuntime({
    dataDir,
    agent: () => {
      throw new Error('not asked in these tests');
    },
    configFile: null,
    log: pino({ level: 'silent' }),
    bwrap,
  });
}
let dataDir: string;
let workspace: string;
let outside: string;
let runtime: LocalRuntime;

beforeEach(() => {
  dataDir = mkdtempSync(join(tmpdir(), 'praktor-local-'));
  workspace = agentDirs(dataDir, agent.workspace).workspace;
  outside = mkdtempSync(join(tmpdir(), 'praktor-outside-'));
  writeFileSync(join(outside, 'passwd'), 'root:x:0:0');
  runtime = localRuntime(dataDir, null);
});

afterEach(() => {
  rmSync(dataDir, { recursive: true, force: true });
  rmSync(outside, { recursive: true, force: true });
});

describe('workspace files of the local runtime', () => {
  it('saves a file into a workspace that does not exist yet, and reads it back', async () => {
    await runtime.writeWorkspaceFile(agent, 'AGENT.md', '# General');
    expect(await runtime.readWorkspaceFile(agent, 'AGENT.md')).toBe('# General');
    expect(lstatSync(join(workspace, 'AGENT.md')).mode & 0o777).toBe(0o644);
  });

  it('reads a missing file as null', async () => {
    expect(await runtime.readWorkspaceFile(agent, 'AGENT.md')).toBeNull();
  });

  it('replaces what the agent wrote', async () => {
    mkdirSync(workspace, { recursive: true });
    writeFileSync(join(workspace, 'AGENT.md'), 'by the agent');
    await runtime.writeWorkspaceFile(agent, 'AGENT.md', 'from Mission Control');
    expect(readFileSync(join(workspace, 'AGENT.md'), 'utf8')).toBe('from Mission Control');
  });

  it('refuses to save through a symbolic link the agent made of the file, leaving its target unchanged', async () => {
    mkdirSync(workspace, { recursive: true });
    symlinkSync(join(outside, 'passwd'), join(workspace, 'AGENT.md'));
    await expect(runtime.writeWorkspaceFile(agent, 'AGENT.md', 'overwritten')).rejects.toThrow(
      'workspace/AGENT.md is a symbolic link',
    );
    expect(readFileSync(join(outside, 'passwd'), 'utf8')).toBe('root:x:0:0');
  });

  it('refuses to read through a symbolic link the agent made of the file', async () => {
    mkdirSync(workspace, { recursive: true });
    symlinkSync(join(outside, 'passwd'), join(workspace, 'AGENT.md'));
    await expect(runtime.readWorkspaceFile(agent, 'AGENT.md')).rejects.toThrow(
      'workspace/AGENT.md is a symbolic link',
    );
  });
});

describe('the local runtime’s confinement, as it reports it', () => {
  it('says why when bubblewrap is there but cannot make namespaces, and does not claim to confine', () => {
    const confined = localRuntime(dataDir, '/bin/false');
    expect(confined.confined).toBe(false);
    expect(confined.confinement).toMatch(/^none: bubblewrap cannot create namespaces here \(.+\)/);
    expect(confined.confinement).toContain('unprivileged_userns_clone');
  });

  it('says plainly that agents are not confined without bubblewrap', () => {
    const confined = localRuntime(dataDir, null);
    expect(confined.confined).toBe(false);
    expect(confined.confinement).toMatch(/^none: bubblewrap is not installed/);
  });
});
