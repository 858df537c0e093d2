/**
 * Placing secret files: the bubblewrap arguments are run with the real bwrap, and the files the sandbox shows are
 * read back from inside it.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
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

  it('makes the folders on the way searchable by everyone, so a sandbox running as the agent user reaches the file', () => {
    const target = `/etc/praktor-test-${unique}/deep/sa.json`;
    const placement = placeFiles([file(target, 'x')], options());
    const bind = placement.early.indexOf(target);
    const made = placement.early.slice(0, bind).join(' ');
    expect(made).toContain(
      `--perms 0755 --dir /etc/praktor-test-${unique} --perms 0755 --dir /etc/praktor-test-${unique}/deep`,
    );
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

describe('secret files in the agent’s own folders, after the agent planted symbolic links', () => {
  let outside: string;
  const options = () => ({ dirs, confined: false, hidden: [] });

  beforeEach(() => {
    outside = mkdtempSync(join(tmpdir(), 'praktor-outside-'));
    writeFileSync(join(outside, 'canary'), 'still here');
  });

  afterEach(() => rmSync(outside, { recursive: true, force: true }));

  it('refuses a target whose folder is a symbolic link, naming it, and writes nothing where it points', () => {
    symlinkSync(outside, join(dirs.home, '.config'));
    const target = join(dirs.home, '.config', 'gcloud', 'key.json');
    expect(() => placeFiles([file(target, 'secret')], options())).toThrow(
      `the file of secret "sa" cannot be placed at ${target}: home/.config is a symbolic link`,
    );
    expect(readdirSync(outside)).toEqual(['canary']);
  });

  it('refuses a target that is itself a symbolic link, leaving the file it points to unchanged', () => {
    symlinkSync(join(outside, 'canary'), join(dirs.workspace, 'key.json'));
    const target = join(dirs.workspace, 'key.json');
    expect(() => placeFiles([file(target, 'secret')], options())).toThrow(
      `cannot be placed at ${target}: workspace/key.json is a symbolic link`,
    );
    expect(readFileSync(join(outside, 'canary'), 'utf8')).toBe('still here');
  });

  it('removes the files already placed when a later one is refused', () => {
    symlinkSync(outside, join(dirs.home, '.config'));
    const first = join(dirs.home, 'first.key');
    expect(() =>
      placeFiles([file(first, 'one'), file(join(dirs.home, '.config', 'second.key'), 'two')], options()),
    ).toThrow('home/.config is a symbolic link');
    expect(existsSync(first)).toBe(false);
    expect(readdirSync(outside)).toEqual(['canary']);
  });

  it('deletes nothing outside at cleanup when the agent pointed the file’s folder elsewhere meanwhile', () => {
    const placement = placeFiles([file(join(dirs.home, '.config', 'key.json'), 'secret')], options());
    rmSync(join(dirs.home, '.config'), { recursive: true });
    symlinkSync(outside, join(dirs.home, '.config'));
    mkdirSync(join(outside, 'key.json'));
    writeFileSync(join(outside, 'key.json', 'canary'), 'inside a folder of the same name');
    placement.cleanup();
    expect(readFileSync(join(outside, 'key.json', 'canary'), 'utf8')).toBe(
      'inside a folder of the same name',
    );
    expect(readFileSync(join(outside, 'canary'), 'utf8')).toBe('still here');
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

const asRoot = process.getuid?.() === 0;
if (!asRoot) {
  const reason = 'the tests do not run as root, so files cannot be given to another user';
  if (process.env.CI) throw new Error(`the secret file owner suite cannot run in CI: ${reason}`);
  console.warn(`skipping the secret file owner suite: ${reason}`);
}

describe.skipIf(!asRoot)('secret files for a sandbox that runs as another user', () => {
  const owner = { uid: 10321, gid: 10321 };
  const ownerOf = (path: string) => {
    const stats = lstatSync(path);
    return { uid: stats.uid, gid: stats.gid };
  };

  it('belong to that user, with the folders made for them in the agent’s home, but not those already there', () => {
    mkdirSync(join(dirs.home, '.config'));
    const target = join(dirs.home, '.config', 'gcloud', 'key.json');
    const placement = placeFiles([file(target, 'home file')], { dirs, confined: false, hidden: [], owner });
    expect(ownerOf(target)).toEqual(owner);
    expect(ownerOf(join(dirs.home, '.config', 'gcloud'))).toEqual(owner);
    expect(ownerOf(join(dirs.home, '.config'))).toEqual({ uid: 0, gid: 0 });
    placement.cleanup();
  });

  it('belong to that user in the private folder too, from where the sandbox shows them', () => {
    const target = `/etc/praktor-test-${unique}/sa.json`;
    const placement = placeFiles([file(target, 'staged')], {
      dirs,
      confined: true,
      hidden: [dataDir, '/tmp'],
      owner,
    });
    expect(ownerOf(join(dirs.secrets, '0'))).toEqual(owner);
    placement.cleanup();
  });
});
