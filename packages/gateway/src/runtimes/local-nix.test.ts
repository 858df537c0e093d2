/**
 * Whether the host's nix serves local agents, judged from what is on the machine, and the variables an agent using
 * it gets.
 */
import { describe, expect, it } from 'vitest';
import { judgeHostNix, localNixEnv } from './local-nix.js';

const asAgentUser = { dropTo: 10321 };
const nix = '/usr/bin/nix';

describe('judgeHostNix', () => {
  it('says how to enable nix on a machine without it: install it, or use Docker', () => {
    const judged = judgeHostNix(
      { nix: null, daemonSocket: false, storeWritable: false, daemonTrustsSandboxUser: false },
      asAgentUser,
    );
    expect(judged).toEqual({ usable: false, problem: expect.stringContaining('this machine has no nix') });
    const { problem } = judged as { problem: string };
    expect(problem).toMatch(/^Nix is not available: /);
    expect(problem).toContain('install nix on this machine');
    expect(problem).toContain('runtime: docker');
  });

  it('uses the daemon when one listens, even where the store is writable too', () => {
    expect(
      judgeHostNix(
        { nix, daemonSocket: true, storeWritable: true, daemonTrustsSandboxUser: false },
        asAgentUser,
      ),
    ).toEqual({
      usable: true,
      mode: 'daemon',
      bin: '/usr/bin',
    });
  });

  it('refuses a daemon that trusts the sandbox’s user, which would make an agent as good as root', () => {
    const judged = judgeHostNix(
      { nix, daemonSocket: true, storeWritable: false, daemonTrustsSandboxUser: true },
      { dropTo: null },
    );
    const { problem } = judged as { problem: string };
    expect(judged.usable).toBe(false);
    expect(problem).toContain('the nix daemon trusts the gateway’s user (trusted-users in nix.conf)');
    expect(problem).toContain('anything root can');
  });

  it('refuses a daemon whose trust cannot be read, rather than guess', () => {
    const judged = judgeHostNix(
      { nix, daemonSocket: true, storeWritable: false, daemonTrustsSandboxUser: null },
      asAgentUser,
    );
    expect((judged as { problem: string }).problem).toContain(
      'whether the nix daemon trusts the agents’ user (uid 10321) could not be read',
    );
  });

  it('uses a single-user store the sandbox’s user may write when no daemon listens', () => {
    expect(
      judgeHostNix(
        { nix, daemonSocket: false, storeWritable: true, daemonTrustsSandboxUser: false },
        { dropTo: null },
      ),
    ).toEqual({
      usable: true,
      mode: 'single-user',
      bin: '/usr/bin',
    });
  });

  it('says to start the daemon when nix is installed but its store is not the agents’ to write', () => {
    const judged = judgeHostNix(
      { nix, daemonSocket: false, storeWritable: false, daemonTrustsSandboxUser: false },
      asAgentUser,
    );
    const { problem } = judged as { problem: string };
    expect(judged.usable).toBe(false);
    expect(problem).toContain('no daemon running');
    expect(problem).toContain('uid 10321');
    expect(problem).toContain('start the nix daemon');
    expect(problem).toContain('runtime: docker');
  });
});

describe('localNixEnv', () => {
  const caches = { substituters: ['http://cache.test'], trustedPublicKeys: ['test-1:abc='] };
  const daemon = { usable: true as const, mode: 'daemon' as const, bin: '/nix/store/x-nix/bin' };

  it('puts the agent’s own profile, in its home, first on the PATH, then the nix programs', () => {
    const env = localNixEnv(daemon, { nixCaches: caches }, '/data/agents/a/home', '/usr/bin:/bin');
    expect(env.PRAKTOR_NIX_PROFILE).toBe('/data/agents/a/home/.local/state/nix/profiles/profile');
    expect(env.PATH).toBe(
      '/data/agents/a/home/.local/state/nix/profiles/profile/bin:/nix/store/x-nix/bin:/usr/bin:/bin',
    );
  });

  it('talks to the daemon only when there is one', () => {
    expect(localNixEnv(daemon, { nixCaches: caches }, '/h', '/usr/bin').NIX_REMOTE).toBe('daemon');
    const single = { ...daemon, mode: 'single-user' as const };
    expect(localNixEnv(single, { nixCaches: caches }, '/h', '/usr/bin').NIX_REMOTE).toBeUndefined();
  });

  it('names the configured caches, and keeps nix’s network settings in a sandbox without a network interface', () => {
    const config = localNixEnv(daemon, { nixCaches: caches }, '/h', '/usr/bin').NIX_CONFIG ?? '';
    expect(config.split('\n')).toEqual(
      expect.arrayContaining([
        'substituters = http://cache.test',
        'trusted-public-keys = test-1:abc=',
        'substitute = true',
        'tarball-ttl = 3600',
        'download-attempts = 5',
      ]),
    );
  });
});
