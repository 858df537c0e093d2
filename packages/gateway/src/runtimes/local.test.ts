import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { LocalRuntime } from './local.js';

const options = {
  dataDir: '/tmp/praktor-local-test',
  agent: () => {
    throw new Error('not asked in these tests');
  },
  modelApi: new URL('http://127.0.0.1:9'),
  configFile: null,
  log: pino({ level: 'silent' }),
};

describe('the local runtime’s confinement, as it reports it', () => {
  it('says why when bubblewrap is there but cannot make namespaces, and does not claim to confine', () => {
    const runtime = new LocalRuntime({ ...options, bwrap: '/bin/false' });
    expect(runtime.confined).toBe(false);
    expect(runtime.confinement).toMatch(/^none: bubblewrap cannot create namespaces here \(.+\)/);
    expect(runtime.confinement).toContain('unprivileged_userns_clone');
  });

  it('says plainly that agents are not confined without bubblewrap', () => {
    const runtime = new LocalRuntime({ ...options, bwrap: null });
    expect(runtime.confined).toBe(false);
    expect(runtime.confinement).toMatch(/^none: bubblewrap is not installed/);
  });
});
