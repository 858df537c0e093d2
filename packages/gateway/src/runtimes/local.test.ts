/**
 * The local runtime's workspace files (AGENT.md, which Mission Control shows and saves), on real files, including
 * what an agent can do to them from inside its workspace.
 */
import { lstatSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { agentDirs } from './layout.js';
import { LocalRuntime } from './local.js';

const agent = { agentId: 'general', workspace: 'general' };
let dataDir: string;
let workspace: string;
let outside: string;
let runtime: LocalRuntime;

beforeEach(() => {
  dataDir = mkdtempSync(join(tmpdir(), 'praktor-local-'));
  workspace = agentDirs(dataDir, agent.workspace).workspace;
  outside = mkdtempSync(join(tmpdir(), 'praktor-outside-'));
  writeFileSync(join(outside, 'passwd'), 'root:x:0:0');
  runtime = new LocalRuntime(dataDir, { bwrap: null });
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
