/**
 * The `praktor` command as a user runs it.
 */
import { execFileSync } from 'node:child_process';
import { PRAKTOR_BIN, spawnPraktor } from '@praktor/testkit';
import { describe, expect, it } from 'vitest';

describe('praktor version', () => {
  it('prints the version', () => {
    expect(execFileSync(process.execPath, [PRAKTOR_BIN, 'version'], { encoding: 'utf8' })).toMatch(
      /^praktor \d+\.\d+\.\d+\n$/,
    );
  });
});

describe('praktor with an unknown command', () => {
  it('prints the usage and exits non-zero', () => {
    try {
      execFileSync(process.execPath, [PRAKTOR_BIN, 'frobnicate'], { encoding: 'utf8', stdio: 'pipe' });
      expect.unreachable('praktor accepted an unknown command');
    } catch (err) {
      const failure = err as { status: number; stderr: string };
      expect(failure.status).toBe(1);
      expect(failure.stderr).toContain('unknown command "frobnicate"');
      expect(failure.stderr).toContain('gateway');
    }
  });
});

describe('praktor gateway', () => {
  it('refuses a default agent that is not configured, naming the key and the agent', async () => {
    const praktor = await spawnPraktor({
      config: { agents: { general: {}, coder: {} }, router: { default_agent: 'writer' } },
    });
    try {
      const exit = await praktor.process.exited;
      expect(exit.code).toBe(1);
      const output = praktor.process.lines.join('\n');
      expect(output).toContain('router.default_agent');
      expect(output).toContain('writer');
    } finally {
      praktor.cleanup();
    }
  });

  it('refuses a malformed YAML file, naming the file and the line', async () => {
    const praktor = await spawnPraktor({ config: 'agents:\n  general:\n    description: [unclosed\n' });
    try {
      const exit = await praktor.process.exited;
      expect(exit.code).toBe(1);
      const output = praktor.process.lines.join('\n');
      expect(output).toContain('praktor.yaml');
      expect(output).toMatch(/line \d+/);
    } finally {
      praktor.cleanup();
    }
  });

  it('refuses to put Mission Control on the network without a password', async () => {
    const praktor = await spawnPraktor({ config: { web: { host: '0.0.0.0' } } });
    try {
      const exit = await praktor.process.exited;
      expect(exit.code).toBe(1);
      expect(praktor.process.lines.join('\n')).toContain(
        'without a password. Set web.auth (or PRAKTOR_WEB_PASSWORD)',
      );
    } finally {
      praktor.cleanup();
    }
  });

  it('starts with no config file on the built-in defaults and stops cleanly on Ctrl-C', async () => {
    const praktor = await spawnPraktor();
    try {
      const ready = await praktor.waitForLog('gateway ready');
      expect(ready.agents).toEqual(['general']);
      expect(ready.config).toBe('built-in defaults');
      await new Promise((resolve) => setTimeout(resolve, 1000));
      expect(praktor.process.child.exitCode, 'the gateway must keep running until stopped').toBeNull();
      praktor.process.child.kill('SIGINT');
      const exit = await praktor.process.exited;
      expect(exit.code).toBe(0);
      expect(praktor.logs().some((l) => l.msg === 'gateway stopped')).toBe(true);
      expect(praktor.leftovers()).toEqual([]);
    } finally {
      praktor.cleanup();
    }
  });
});
