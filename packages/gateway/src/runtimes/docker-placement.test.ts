import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import { DockerPlacement, leastBusy, PLACEMENT_FILE } from './docker-placement.js';

describe('the placement rule', () => {
  test('picks the host with the fewest running agents', () => {
    const chosen = leastBusy([
      { name: 'local', problem: null, running: 3 },
      { name: 'box', problem: null, running: 1 },
    ]);
    expect(chosen?.name).toBe('box');
  });

  test('passes over a host that cannot take the agent, however idle', () => {
    const chosen = leastBusy([
      { name: 'local', problem: null, running: 2 },
      { name: 'box', problem: 'the Docker host "box" lacks the image praktor-agent:latest', running: 0 },
    ]);
    expect(chosen?.name).toBe('local');
  });

  test('gives a tie to the host written first', () => {
    const chosen = leastBusy([
      { name: 'local', problem: null, running: 1 },
      { name: 'box', problem: null, running: 1 },
    ]);
    expect(chosen?.name).toBe('local');
  });

  test('finds no host when none can take the agent', () => {
    expect(leastBusy([{ name: 'box', problem: 'does not answer', running: 0 }])).toBeNull();
  });
});

describe('the remembered hosts', () => {
  const dirs: string[] = [];
  const dataDir = () => {
    const dir = mkdtempSync(join(tmpdir(), 'praktor-placement-'));
    dirs.push(dir);
    return dir;
  };
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  test('knows no host for an agent never placed', () => {
    expect(new DockerPlacement(dataDir()).hostOf('coder')).toBeNull();
  });

  test('remembers each agent’s host across instances, as a restarted gateway reads it', () => {
    const dir = dataDir();
    new DockerPlacement(dir).record('coder', 'box');
    new DockerPlacement(dir).record('general', 'local');
    const again = new DockerPlacement(dir);
    expect([again.hostOf('coder'), again.hostOf('general')]).toEqual(['box', 'local']);
  });

  test('names the file and the fix when it is not what it should be', () => {
    const dir = dataDir();
    writeFileSync(join(dir, PLACEMENT_FILE), '{"agents": ["coder"]}');
    expect(() => new DockerPlacement(dir).hostOf('coder')).toThrow(
      `${join(dir, PLACEMENT_FILE)} does not map agents to hosts ({"agents": {"ID": "HOST"}}): fix or remove it`,
    );
  });
});
