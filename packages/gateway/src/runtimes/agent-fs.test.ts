/**
 * Files in an agent's folders, on real files: an outside folder stands for the rest of the machine, and every attack
 * the agent can make from inside its folder (symbolic links, hard links, folders in a file's place) is tried.
 */
import {
  existsSync,
  linkSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type AgentFolder, readAgentFile, removeAgentFile, writeAgentFile } from './agent-fs.js';

let base: string;
let home: AgentFolder;
let outside: string;

beforeEach(() => {
  base = mkdtempSync(join(tmpdir(), 'praktor-agent-fs-'));
  home = { path: join(base, 'agent', 'home'), name: 'home' };
  mkdirSync(home.path, { recursive: true });
  outside = join(base, 'outside');
  mkdirSync(outside);
  writeFileSync(join(outside, 'canary'), 'still here');
});

afterEach(() => rmSync(base, { recursive: true, force: true }));

const outsideUntouched = () => {
  expect(readdirSync(outside)).toEqual(['canary']);
  expect(readFileSync(join(outside, 'canary'), 'utf8')).toBe('still here');
};

describe('writing a file in an agent’s folder', () => {
  it('writes it with its mode, making the missing folders private to the agent', () => {
    writeAgentFile(home, '.config/gcloud/key.json', 'key', { mode: 0o640 });
    const path = join(home.path, '.config', 'gcloud', 'key.json');
    expect(readFileSync(path, 'utf8')).toBe('key');
    expect(statSync(path).mode & 0o777).toBe(0o640);
    expect(statSync(join(home.path, '.config')).mode & 0o777).toBe(0o700);
    expect(statSync(join(home.path, '.config', 'gcloud')).mode & 0o777).toBe(0o700);
  });

  it('replaces an existing file by a new one, so a hard link to a file elsewhere is not written through', () => {
    linkSync(join(outside, 'canary'), join(home.path, 'notes.txt'));
    writeAgentFile(home, 'notes.txt', 'new text', { mode: 0o644 });
    expect(readFileSync(join(home.path, 'notes.txt'), 'utf8')).toBe('new text');
    outsideUntouched();
  });

  it('refuses a folder on the way that is a symbolic link, naming it, and writes nothing where it points', () => {
    symlinkSync(outside, join(home.path, '.config'));
    expect(() => writeAgentFile(home, '.config/key.json', 'secret', { mode: 0o600 })).toThrow(
      'home/.config is a symbolic link',
    );
    outsideUntouched();
  });

  it('refuses a symbolic link deeper on the way too, and a folder it would have had to make there', () => {
    mkdirSync(join(home.path, '.config'));
    symlinkSync(outside, join(home.path, '.config', 'gcloud'));
    expect(() => writeAgentFile(home, '.config/gcloud/new/key.json', 'secret', { mode: 0o600 })).toThrow(
      'home/.config/gcloud is a symbolic link',
    );
    outsideUntouched();
  });

  it('refuses a file that is a symbolic link, leaving the file it points to unchanged', () => {
    symlinkSync(join(outside, 'canary'), join(home.path, 'key.json'));
    expect(() => writeAgentFile(home, 'key.json', 'secret', { mode: 0o600 })).toThrow(
      'home/key.json is a symbolic link',
    );
    outsideUntouched();
    expect(lstatSync(join(home.path, 'key.json')).isSymbolicLink()).toBe(true);
  });

  it('refuses a folder where the file should be, leaving what is in it', () => {
    mkdirSync(join(home.path, 'key.json'));
    writeFileSync(join(home.path, 'key.json', 'kept'), 'agent data');
    expect(() => writeAgentFile(home, 'key.json', 'secret', { mode: 0o600 })).toThrow(
      'home/key.json is a folder',
    );
    expect(readFileSync(join(home.path, 'key.json', 'kept'), 'utf8')).toBe('agent data');
  });

  it('refuses a path that climbs out of the folder', () => {
    expect(() => writeAgentFile(home, '../outside/x', 'secret', { mode: 0o600 })).toThrow(
      `"../outside/x" is not a plain file path inside the agent's home`,
    );
    expect(existsSync(join(base, 'agent', 'outside'))).toBe(false);
  });

  it('refuses when the agent’s folder itself is a symbolic link', () => {
    const linked: AgentFolder = { path: join(base, 'agent', 'workspace'), name: 'workspace' };
    symlinkSync(outside, linked.path);
    expect(() => writeAgentFile(linked, 'AGENT.md', 'x', { mode: 0o644 })).toThrow(
      'workspace is a symbolic link',
    );
    outsideUntouched();
  });
});

describe('reading a file in an agent’s folder', () => {
  it('returns its bytes', () => {
    writeFileSync(join(home.path, 'AGENT.md'), '# Agent');
    expect(readAgentFile(home, 'AGENT.md')?.toString()).toBe('# Agent');
  });

  it('returns null when the file or a folder on the way does not exist', () => {
    expect(readAgentFile(home, 'AGENT.md')).toBeNull();
    expect(readAgentFile(home, 'notes/today.md')).toBeNull();
  });

  it('refuses a file that is a symbolic link instead of showing what it points to', () => {
    symlinkSync(join(outside, 'canary'), join(home.path, 'AGENT.md'));
    expect(() => readAgentFile(home, 'AGENT.md')).toThrow('home/AGENT.md is a symbolic link');
  });

  it('refuses a folder on the way that is a symbolic link', () => {
    symlinkSync(outside, join(home.path, 'notes'));
    expect(() => readAgentFile(home, 'notes/canary')).toThrow('home/notes is a symbolic link');
  });

  it('refuses a file with other hard links, which may be a file from elsewhere', () => {
    linkSync(join(outside, 'canary'), join(home.path, 'AGENT.md'));
    expect(() => readAgentFile(home, 'AGENT.md')).toThrow('home/AGENT.md has other hard links');
  });
});

describe('removing a file the gateway wrote', () => {
  it('unlinks it', () => {
    const written = writeAgentFile(home, '.config/key.json', 'key', { mode: 0o600 });
    expect(removeAgentFile(home, '.config/key.json', written)).toBe(true);
    expect(existsSync(join(home.path, '.config', 'key.json'))).toBe(false);
  });

  it('deletes nothing where a folder on the way now points', () => {
    const written = writeAgentFile(home, '.config/key.json', 'key', { mode: 0o600 });
    rmSync(join(home.path, '.config'), { recursive: true });
    symlinkSync(outside, join(home.path, '.config'));
    writeFileSync(join(outside, 'key.json'), 'outside file of the same name');
    expect(removeAgentFile(home, '.config/key.json', written)).toBe(false);
    expect(readFileSync(join(outside, 'key.json'), 'utf8')).toBe('outside file of the same name');
  });

  it('leaves a file the agent put in its place', () => {
    const written = writeAgentFile(home, 'key.json', 'key', { mode: 0o600 });
    writeFileSync(join(home.path, 'mine'), 'agent data');
    renameSync(join(home.path, 'mine'), join(home.path, 'key.json'));
    expect(removeAgentFile(home, 'key.json', written)).toBe(false);
    expect(readFileSync(join(home.path, 'key.json'), 'utf8')).toBe('agent data');
  });

  it('leaves a folder the agent put in its place', () => {
    const written = writeAgentFile(home, 'key.json', 'key', { mode: 0o600 });
    rmSync(join(home.path, 'key.json'));
    mkdirSync(join(home.path, 'key.json'));
    writeFileSync(join(home.path, 'key.json', 'kept'), 'agent data');
    expect(removeAgentFile(home, 'key.json', written)).toBe(false);
    expect(readFileSync(join(home.path, 'key.json', 'kept'), 'utf8')).toBe('agent data');
  });
});
