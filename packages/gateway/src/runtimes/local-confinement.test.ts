import { describe, expect, it } from 'vitest';
import { type ConfinementPlan, confinementArgs } from './local-confinement.js';

const plan: ConfinementPlan = {
  dataDir: '/srv/praktor/data',
  dirs: {
    workspace: '/srv/praktor/data/agents/a/workspace',
    home: '/srv/praktor/data/agents/a/home',
    global: '/srv/praktor/data/global',
    secrets: '/srv/praktor/data/agents/a/secrets',
  },
  files: { early: [], late: [], cleanup: () => {} },
  code: ['/opt/praktor/node_modules'],
  readOnly: ['/opt/models/minilm'],
  masked: ['/etc/hostname', '/no/such/file'],
  dropTo: null,
  nix: null,
};

/** The flag and operands that follow `flag` at each place it appears. */
function uses(args: string[], flag: string, operands = 2): string[][] {
  return args.flatMap((arg, i) => (arg === flag ? [args.slice(i + 1, i + 1 + operands)] : []));
}

describe('confinementArgs', () => {
  const args = confinementArgs(plan, '/usr/bin/node', '/opt/praktor/runner/main.js');

  it('gives the sandbox a network, process, IPC and host-name namespace of its own', () => {
    for (const flag of ['--unshare-net', '--unshare-pid', '--unshare-ipc', '--unshare-uts'])
      expect(args).toContain(flag);
  });

  it('shows the host’s root only through the system folders, read-only', () => {
    const shown = [...uses(args, '--ro-bind'), ...uses(args, '--bind')].map(([, target]) => target);
    expect(shown).not.toContain('/');
    expect(shown).toContain('/etc');
    expect(uses(args, '--bind').map(([source]) => source)).toEqual([plan.dirs.workspace, plan.dirs.home]);
  });

  it('shows the embedding model folder read-only at its own path, and nothing writable there', () => {
    expect(uses(args, '--ro-bind')).toContainEqual(['/opt/models/minilm', '/opt/models/minilm']);
    expect(uses(args, '--bind').map(([source]) => source)).not.toContain('/opt/models/minilm');
  });

  it('gives the sandbox fresh /run, /tmp and /var/tmp, so no host socket is in them', () => {
    expect(uses(args, '--tmpfs', 1).flat()).toEqual(expect.arrayContaining(['/run', '/tmp', '/var/tmp']));
  });

  it('makes the folders above each mount point searchable by everyone, outside the system folders', () => {
    const made = uses(args, '--dir', 1).flat();
    expect(made).toEqual(expect.arrayContaining(['/opt', '/opt/praktor', '/srv', '/srv/praktor']));
    expect(made).not.toContain('/usr');
    const dirFlags = args.flatMap((arg, i) => (arg === '--dir' ? [args.slice(i - 2, i)] : []));
    expect(dirFlags.every(([perms, mode]) => perms === '--perms' && mode === '0755')).toBe(true);
  });

  it('masks files that exist with an empty one, and skips those that do not', () => {
    expect(uses(args, '--ro-bind').filter(([source]) => source === '/dev/null')).toEqual([
      ['/dev/null', '/etc/hostname'],
    ]);
  });

  it('drops capabilities with bubblewrap when it keeps the gateway’s own user', () => {
    expect(uses(args, '--cap-drop', 1)).toEqual([['ALL']]);
    expect(args.slice(-3)).toEqual(['--', '/usr/bin/node', '/opt/praktor/runner/main.js']);
  });

  it('runs the runner as the agent user, without capabilities or a way back, when the gateway is root', () => {
    const asRoot = confinementArgs(
      { ...plan, dropTo: { uid: 10321, gid: 10321, passwd: '/x/passwd', group: '/x/group' } },
      '/usr/bin/node',
      '/opt/praktor/runner/main.js',
    );
    const command = asRoot.slice(asRoot.indexOf('setpriv'));
    expect(command).toEqual([
      'setpriv',
      '--reuid=10321',
      '--regid=10321',
      '--clear-groups',
      '--inh-caps=-all',
      '--bounding-set=-all',
      '--no-new-privs',
      '--',
      '/usr/bin/node',
      '/opt/praktor/runner/main.js',
    ]);
    expect(uses(asRoot, '--ro-bind')).toEqual(
      expect.arrayContaining([
        ['/x/passwd', '/etc/passwd'],
        ['/x/group', '/etc/group'],
      ]),
    );
  });
  it('shows no /nix to an agent without nix', () => {
    expect(args.some((arg) => arg.startsWith('/nix'))).toBe(false);
  });

  it('shows /nix read-only and only the daemon’s socket writable when the host runs a nix daemon', () => {
    const withDaemon = confinementArgs({ ...plan, nix: 'daemon' }, '/usr/bin/node', '/opt/praktor/main.js');
    expect(uses(withDaemon, '--ro-bind')).toContainEqual(['/nix', '/nix']);
    expect(uses(withDaemon, '--bind')).toEqual(expect.not.arrayContaining([['/nix', '/nix']]));
    expect(uses(withDaemon, '--tmpfs', 1)).toContainEqual(['/nix/var/nix/daemon-socket']);
    expect(uses(withDaemon, '--bind')).toContainEqual([
      '/nix/var/nix/daemon-socket/socket',
      '/nix/var/nix/daemon-socket/socket',
    ]);
  });

  it('shows /nix writable for a single-user store', () => {
    const single = confinementArgs({ ...plan, nix: 'single-user' }, '/usr/bin/node', '/opt/praktor/main.js');
    expect(uses(single, '--bind')).toContainEqual(['/nix', '/nix']);
    expect(uses(single, '--ro-bind')).not.toContainEqual(['/nix', '/nix']);
  });
});
