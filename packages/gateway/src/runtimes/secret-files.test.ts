/**
 * Placing secret files: the bubblewrap arguments are run with the real bwrap, and the files the sandbox shows are
 * read back from inside it.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { requireCommand } from '@praktor/testkit';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { agentDirs } from './layout.js';
import type { SandboxFile } from './runtime.js';
import { type FilePlacement, placeFiles } from './secret-files.js';

const missing = requireCommand('bwrap', 'the secret file suite', 'apt-get install bubblewrap');

let dataDir: string;
let dirs: ReturnType<typeof agentDirs>;
const unique = randomBytes(4).toString('hex');

beforeEach(() => {
  dataDir = mkdtempSync(join(tmpdir(), 'praktor-files-'));
  dirs = agentDirs(dataDir, 'general');
  for (const dir of [dirs.workspace, dirs.home, dirs.global]) mkdirSync(dir, { recursive: true });
});

afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

const file = (target: string, content: string, mode = 0o600): SandboxFile => ({
  secret: 'sa',
  target,
  mode,
  content: Buffer.from(content),
});

/** Runs `script` in a sandbox built like the local runtime's, with `placement`'s files. */
function inSandbox(placement: FilePlacement, script: string): string {
  // biome-ignore format: flags with their operands
  const args = [
    '--ro-bind', '/', '/',
    ...placement.early,
    '--dev', '/dev', '--proc', '/proc', '--tmpfs', '/tmp',
    '--tmpfs', dataDir,
    '--bind', dirs.workspace, dirs.workspace, '--bind', dirs.home, dirs.home,
    ...placement.late,
    '--remount-ro', dataDir,
    '--unshare-pid', '--cap-drop', 'ALL', '--die-with-parent',
    '--', 'sh', '-c', script,
  ];
  return execFileSync('bwrap', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

describe.skipIf(missing !== null)('secret files under bubblewrap', () => {
  const options = () => ({ dirs, confined: true, hidden: [dataDir, '/tmp'] });

  it('shows a file where its folder does not exist, read-only, with its mode, without touching the host', () => {
    const target = `/etc/praktor-test-${unique}/sa.json`;
    const placement = placeFiles([file(target, 'service account', 0o640)], options());
    const seen = inSandbox(
      placement,
      `cat ${target}; echo; stat -c %a ${target}; (echo x > ${target}) 2>/dev/null || echo READ_ONLY; ` +
        'test -r /etc/passwd && echo ETC_INTACT',
    );
    expect(seen).toBe('service account\n640\nREAD_ONLY\nETC_INTACT\n');
    expect(existsSync(`/etc/praktor-test-${unique}`)).toBe(false);
    placement.cleanup();
  });

  it('shows a file in a folder that does not exist right below the root', () => {
    const target = `/praktor-test-${unique}/token`;
    const placement = placeFiles([file(target, 'root level')], options());
    expect(inSandbox(placement, `cat ${target}; test -d /usr/bin && echo ROOT_INTACT`)).toBe(
      'root level' + 'ROOT_INTACT\n',
    );
    expect(existsSync(`/praktor-test-${unique}`)).toBe(false);
    placement.cleanup();
  });

  it('shows a file in the sandbox’s own /tmp', () => {
    const placement = placeFiles([file('/tmp/creds/key', 'in tmp')], options());
    expect(inSandbox(placement, 'cat /tmp/creds/key')).toBe('in tmp');
    placement.cleanup();
  });

  it('keeps the staged copies out of the sandbox and removes them at cleanup', () => {
    const placement = placeFiles([file(`/etc/praktor-test-${unique}/a`, 'staged')], options());
    expect(readdirSync(dirs.secrets)).toHaveLength(1);
    expect(statSync(dirs.secrets).mode & 0o777).toBe(0o700);
    expect(inSandbox(placement, `ls ${dirs.secrets} 2>/dev/null || echo HIDDEN`)).toBe('HIDDEN\n');
    placement.cleanup();
    expect(existsSync(dirs.secrets)).toBe(false);
  });

  it('refuses a target under /proc, naming the secret and the target', () => {
    expect(() => placeFiles([file('/proc/sa', 'x')], options())).toThrow(
      'the file of secret "sa" cannot be placed at /proc/sa',
    );
  });
});

describe('secret files in the agent’s own folders', () => {
  it('are written there with their mode, and removed at cleanup', () => {
    const target = join(dirs.home, '.config', 'gcloud', 'key.json');
    const placement = placeFiles([file(target, 'home file', 0o400)], { dirs, confined: false, hidden: [] });
    expect(readFileSync(target, 'utf8')).toBe('home file');
    expect(statSync(target).mode & 0o777).toBe(0o400);
    placement.cleanup();
    expect(existsSync(target)).toBe(false);
  });
});

describe('secret files without bubblewrap', () => {
  it('refuses a target outside the agent’s folders, saying what to do', () => {
    expect(() => placeFiles([file('/etc/gcp/sa.json', 'x')], { dirs, confined: false, hidden: [] })).toThrow(
      /secret "sa" cannot be placed at \/etc\/gcp\/sa\.json: bubblewrap is not installed.*agent's home/,
    );
    expect(existsSync('/etc/gcp/sa.json')).toBe(false);
  });
});
