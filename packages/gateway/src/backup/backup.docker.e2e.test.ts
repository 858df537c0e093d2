/**
 * `praktor backup` and `praktor restore` with agents in Docker: every volume of the installation goes into the
 * archive (owners, modes, times, absolute and relative symlinks, hard links) and comes back under another
 * installation's prefix, where a gateway resumes the agent's conversation from the restored home volume.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import {
  docker,
  ensureTestImage,
  type ModelRequest,
  PRAKTOR_BIN,
  type PraktorProcess,
  removeInstallation,
  reply,
  requireDocker,
  type Stack,
  startPraktor,
  startStack,
  TEST_IMAGE_TIMEOUT_MS,
  TEST_USER_ID,
  testPrefix,
  withDocker,
} from '@praktor/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const missing = requireDocker('backup and restore of Docker volumes');

function countNotes(req: ModelRequest) {
  if (req.kind !== 'main') return reply.text('side call');
  const notes = req.transcript.match(/\bnote \d+\b/g) ?? [];
  return reply.text(`notes so far: ${notes.length}`, { chunkChars: 8, chunkDelayMs: 20 });
}

async function praktor(home: string, args: string[]) {
  try {
    const { stdout, stderr } = await run(process.execPath, [PRAKTOR_BIN, ...args], {
      env: {
        PATH: process.env.PATH,
        HOME: home,
        PRAKTOR_CONFIG: join(home, 'praktor.yaml'),
        PRAKTOR_DATA_DIR: join(home, 'data'),
      },
      cwd: home,
    });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const failed = err as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

/** Runs a shell script as root in a throwaway container of `image` with `volume` at /w. */
function inVolume(image: string, volume: string, script: string): string {
  return docker([
    'run',
    '--rm',
    '--network',
    'none',
    '--user',
    '0',
    '--entrypoint',
    'sh',
    '-v',
    `${volume}:/w`,
    image,
    '-c',
    script,
  ]);
}

/** Every path in `volume` with its type, mode, owner, link target, size, time and content hash. */
function listing(image: string, volume: string): string {
  return inVolume(
    image,
    volume,
    // Times to the second: a tar header holds no more.
    'cd /w && find . -exec stat -c "%n %F %a %u:%g %s %Y %h %N" {} + | sort && find . -type f -print0 | sort -z | xargs -0 -r sha256sum',
  );
}

describe.skipIf(missing !== null)('backup and restore of Docker volumes', () => {
  const prefix = testPrefix('backup');
  const restoredPrefix = testPrefix('restored');
  let image = '';
  let stack: Stack;
  let work: string;
  let archive: string;
  let restoredHome: string;
  let restored: PraktorProcess | null = null;
  let original = '';

  const config = (p: string) => (urls: { telegramApiRoot: string; telegramToken: string }) =>
    withDocker(
      {
        telegram: { token: urls.telegramToken, api_root: urls.telegramApiRoot, allow_from: [TEST_USER_ID] },
        defaults: { model: 'claude-test' },
        agents: { general: { description: 'Generalist' } },
      },
      { prefix: p, image },
    );
  const answers = () => stack.telegram.messagesIn(TEST_USER_ID).map((m) => m.text);

  beforeAll(async () => {
    image = ensureTestImage();
    work = mkdtempSync(join(tmpdir(), 'praktor-backup-docker-'));
    stack = await startStack({ handler: countNotes, config: config(prefix) });
    stack.telegram.sendText({ userId: TEST_USER_ID, text: 'note 1' });
    await stack.telegram.waitFor(() => answers().includes('notes so far: 1'), 90_000);
    // What a nix store holds: absolute and relative symlinks, hard links, files of the agent user and of root.
    inVolume(
      image,
      `${prefix}-wk-general`,
      [
        'mkdir -p store/abc-tool/bin hard',
        'printf "#!/bin/sh\\necho tool\\n" > store/abc-tool/bin/tool && chmod 0555 store/abc-tool/bin/tool',
        'ln -s /nix/store/abc-tool/bin/tool profile-tool',
        'ln -s ../../abc-tool store/abc-tool/bin/up',
        'head -c 70000 /dev/urandom > hard/a && ln hard/a hard/b',
        'chown -R 10321:10321 store && chmod 0750 store',
        'touch -d "2020-01-02 03:04:05" store/abc-tool/bin/tool',
      ].join(' && '),
    );
    original = listing(image, `${prefix}-wk-general`);
    archive = join(work, 'praktor.tar.zst');
    stack.telegram.sendText({ userId: TEST_USER_ID, text: 'note 2' });
    const result = await praktor(stack.praktor.home, ['backup', '-f', archive]);
    expect(result.stderr).toBe('');
    expect(result.stdout).toMatch(/^Backup complete: \d+ files, 3 volumes, /);
    await stack.telegram.waitFor(() => answers().some((a) => a.startsWith('notes so far: 2')), 90_000);
    await stack.praktor.stop();
    restoredHome = join(work, 'restored');
    mkdirSync(restoredHome);
    const yaml = readFileSync(join(stack.praktor.home, 'praktor.yaml'), 'utf8');
    writeFileSync(join(restoredHome, 'praktor.yaml'), yaml.replaceAll(prefix, restoredPrefix));
  }, TEST_IMAGE_TIMEOUT_MS);

  afterAll(async () => {
    await restored?.stop();
    await stack?.close();
    removeInstallation(prefix);
    removeInstallation(restoredPrefix);
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('restores every volume under the new prefix, exactly', async () => {
    const result = await praktor(restoredHome, ['restore', '-f', archive]);
    expect(result.stderr).toBe('');
    expect(result.stdout).toContain(`${restoredPrefix}-wk-general`);
    expect(result.stdout).toMatch(/3 volumes/);
    expect(listing(image, `${restoredPrefix}-wk-general`)).toBe(original);
  });

  it('gives a gateway on the new prefix that resumes the agent’s conversation', async () => {
    restored = await startPraktor({
      home: restoredHome,
      config: readFileSync(join(restoredHome, 'praktor.yaml'), 'utf8'),
      anthropicUrl: stack.anthropic.url,
    });
    await restored.waitForLog('telegram connected', undefined, 30_000);
    const before = answers().length;
    stack.telegram.sendText({ userId: TEST_USER_ID, text: 'note 3' });
    const answer = await stack.telegram.waitFor(() => answers().slice(before)[0], 90_000);
    expect(Number(/notes so far: (\d+)/.exec(answer)?.[1])).toBeGreaterThanOrEqual(2);
  });

  it('refuses to write over existing volumes without --overwrite', async () => {
    const other = join(work, 'other');
    mkdirSync(other);
    writeFileSync(join(other, 'praktor.yaml'), readFileSync(join(restoredHome, 'praktor.yaml')));
    const result = await praktor(other, ['restore', '-f', archive]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/volume .+ already exists: add --overwrite/);
  });
});
