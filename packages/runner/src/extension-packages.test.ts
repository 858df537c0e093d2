/**
 * What extensions need of nix: nothing for a command already on the PATH; for one that is missing, without nix a
 * message naming it, and with this machine's real nix (offline: a package built here from a local derivation into
 * the host's store, installed by store path into a profile in a temporary home) the package installed once, or the
 * nix failure as the server's error.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { requireCommand } from '@praktor/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { installRequirements } from './extension-packages.js';
import { AgentNix, NIX_NOT_ENABLED } from './nix.js';
import { findCommand } from './path-search.js';

describe('extension packages of an agent without nix', () => {
  const noNix = new AgentNix(null);

  it('needs nothing for a skill or plugin whose required package is a command on the PATH', async () => {
    const unmet = await installRequirements(
      {
        skills: { notes: { description: '', content: '', requires: ['node'] } },
        plugins: [{ name: 'greeter@market', requires: ['node'] }],
        errors: [],
      },
      noNix,
      process.env.PATH,
    );
    expect(unmet).toEqual({ servers: new Map(), errors: [] });
  });

  it('names a stdio server’s missing command given as a path, which no package is named after', async () => {
    const unmet = await installRequirements(
      { mcp_servers: { local: { type: 'stdio', command: '/opt/no-such/server' } }, errors: [] },
      noNix,
      process.env.PATH,
    );
    expect(unmet.servers.get('local')).toBe(
      'MCP server "local" was not started: its command "/opt/no-such/server" is not installed in the sandbox (not found on its PATH)',
    );
  });

  it('names what a skill needs and the sandbox lacks, and why nix cannot install it', async () => {
    const unmet = await installRequirements(
      { skills: { notes: { description: '', content: '', requires: ['no-such-tool'] } }, errors: [] },
      noNix,
      process.env.PATH,
    );
    expect(unmet.errors).toEqual([
      `Skill "notes" needs no-such-tool, which the sandbox does not have. ${NIX_NOT_ENABLED}`,
    ]);
  });
});

/**
 * Why this machine's nix cannot build and install into the store without a daemon (it must be there and we root),
 * or null when it can. A skip is said; under CI it fails, as for every suite that needs the machine.
 */
function whyNoNix(): string | null {
  const suite = 'the extension packages tests with nix';
  const missing = requireCommand('nix-build', suite, 'apt-get install nix-bin');
  if (missing !== null || process.getuid?.() === 0) return missing;
  const reason = 'they write to the host’s nix store, which needs root';
  if (process.env.CI) throw new Error(`${suite} cannot run in CI: ${reason}`);
  console.warn(`skipping ${suite}: ${reason}`);
  return reason;
}

describe.skipIf(whyNoNix() !== null)('extension packages through the agent’s nix', () => {
  const command = `praktor-ext-probe-${process.pid}`;
  let work: string;
  let storePath: string;
  let profile: string;
  let nix: AgentNix;
  let path: string;

  const nixEnv = { NIX_CONFIG: 'substituters =\nexperimental-features = nix-command flakes' };
  const profileVersions = () => readdirSync(dirname(profile)).filter((f) => f.endsWith('-link')).length;

  beforeAll(() => {
    work = mkdtempSync(join(tmpdir(), 'praktor-ext-nix-'));
    // Built with nothing but /bin (a builder's PATH is empty), so no nixpkgs and no network are needed.
    writeFileSync(
      join(work, 'probe.nix'),
      `derivation {
  name = "${command}-1.0";
  system = builtins.currentSystem;
  builder = "/bin/sh";
  args = [ "-c" "/bin/mkdir -p $out/bin && printf '#!/bin/sh\\\\necho probe\\\\n' > $out/bin/${command} && /bin/chmod 755 $out/bin/${command}" ];
}`,
    );
    storePath = execFileSync('nix-build', ['--no-out-link', join(work, 'probe.nix')], {
      encoding: 'utf8',
      env: { ...process.env, ...nixEnv },
    }).trim();
    profile = join(work, 'home', '.local', 'state', 'nix', 'profiles', 'profile');
    path = `${join(profile, 'bin')}:${process.env.PATH}`;
    nix = new AgentNix({ ...process.env, ...nixEnv, PATH: path, PRAKTOR_NIX_PROFILE: profile });
  }, 60_000);

  afterAll(() => {
    rmSync(work, { recursive: true, force: true });
    // The profile went with the home: nothing holds the package, or the profile versions made with it, any more.
    const query = (flag: string) =>
      execFileSync('nix-store', ['--query', flag, storePath], { encoding: 'utf8' }).split('\n');
    const paths = [...query('--referrers-closure'), ...query('--deriver')].filter((p) => p !== '');
    execFileSync('nix-store', ['--delete', ...paths], { stdio: 'ignore' });
  });

  it('installs the package of a stdio server’s missing command, named by its requires, so the server starts', async () => {
    expect(findCommand(command, path)).toBeNull();
    const unmet = await installRequirements(
      { mcp_servers: { probe: { type: 'stdio', command, requires: [storePath] } }, errors: [] },
      nix,
      path,
    );
    expect(unmet).toEqual({ servers: new Map(), errors: [] });
    expect(findCommand(command, path)).toBe(join(profile, 'bin', command));
  }, 120_000);

  it('installs a skill’s required package only while the profile lacks it', async () => {
    const versions = profileVersions();
    const unmet = await installRequirements(
      { skills: { probe: { description: '', content: '', requires: [storePath] } }, errors: [] },
      nix,
      path,
    );
    expect(unmet.errors).toEqual([]);
    expect(profileVersions()).toBe(versions);
  }, 60_000);

  it('makes a nix failure the error of that server alone', async () => {
    const nowhere = '/nix/store/00000000000000000000000000000000-praktor-nowhere-1.0';
    const unmet = await installRequirements(
      {
        mcp_servers: {
          broken: { type: 'stdio', command: 'praktor-nowhere', requires: [nowhere] },
          fine: { type: 'stdio', command },
        },
        errors: [],
      },
      nix,
      path,
    );
    expect([...unmet.servers.keys()]).toEqual(['broken']);
    expect(unmet.servers.get('broken')).toMatch(
      new RegExp(
        `^MCP server "broken" was not started: its command "praktor-nowhere" is not installed in the sandbox \\(not found on its PATH\\), and installing ${nowhere} through nix failed: Install failed: .+`,
      ),
    );
  }, 60_000);

  it('leaves what does not fit into the start’s time for installs to the next start, saying so', async () => {
    const unmet = await installRequirements(
      {
        mcp_servers: { late: { type: 'stdio', command: 'praktor-late', requires: ['praktor-late'] } },
        errors: [],
      },
      nix,
      path,
      0,
    );
    expect(unmet.servers.get('late')).toBe(
      'MCP server "late" was not started: its command "praktor-late" is not installed in the sandbox (not found on its PATH), ' +
        "and installing praktor-late through nix failed: the time a start allows for installing extensions' packages ran out; " +
        'the next start goes on where it stopped',
    );
  });
});
