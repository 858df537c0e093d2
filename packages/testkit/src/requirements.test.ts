import { afterEach, describe, expect, it, vi } from 'vitest';
import { hasCommand, requireCommand } from './requirements.js';

const ci = process.env.CI;
afterEach(() => {
  if (ci === undefined) delete process.env.CI;
  else process.env.CI = ci;
  vi.restoreAllMocks();
});

describe('requireCommand', () => {
  it('asks for nothing when the command is installed', () => {
    expect(hasCommand('sh')).toBe(true);
    expect(requireCommand('sh', 'a suite', 'apt-get install dash')).toBeNull();
  });

  it('skips with a printed reason on a developer machine when the command is missing', () => {
    delete process.env.CI;
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const reason = requireCommand('praktor-no-such-tool', 'the demo suite', 'apt-get install it');
    expect(reason).toBe('praktor-no-such-tool is not installed (apt-get install it)');
    expect(warn).toHaveBeenCalledWith(`skipping the demo suite: ${reason}`);
  });

  it('fails under CI when the command is missing, so no suite is skipped silently there', () => {
    process.env.CI = 'true';
    expect(() => requireCommand('praktor-no-such-tool', 'the demo suite', 'apt-get install it')).toThrow(
      'the demo suite cannot run in CI: praktor-no-such-tool is not installed (apt-get install it)',
    );
  });
});
