/**
 * `praktor backup` and `praktor restore` with agents in Docker: every volume of the installation goes into the
 * archive (owners, modes, times, absolute and relative symlinks, hard links; a nix store as the gateway creates
 * it) and comes back under another installation's prefix, where a gateway resumes the agent's conversation from
 * the restored home volume and recalls its memory; a memory written in a loop while the backup is taken comes back
 * sound, with every memory stored before; a backup at rest restores every volume and the data directory exactly.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import {
  callApi,
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
import { AGENT_UID } from '../runtimes/layout.js';
import {
  filesKept,
  keysUpTo,
  type MemoryCheck,
  memoryChecker,
  memoryWriter,
  RUNNER_MEMORY_IN_IMAGE,
} from './backup.test-support.js';

const run = promisify(execFile);
const missing = requireDocker('backup and restore of Docker volumes');
/** Where an agent's workspace volume is in its container. */
const WORKSPACE = '/workspace/agent';
const USER_MD = '# About me\n\nI live by the Loire and swim in it every summer.\n';
const MEMORY = {
  key: 'favourite-river',
  content: 'The user swims in the Loire every summer',
  tags: 'places',
};

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

/**
 * Every path in `volume` with its type, mode, owner, link target, size, time and content hash; a workspace's
 * memory and SQLite's files beside it are left out (a backup holds a snapshot of it, compared through the runner).
 */
function listing(image: string, volume: string): string {
  const kept = "! -name 'memory.db' ! -name 'memory.db-*'";
  return inVolume(
    image,
    volume,
    // Times to the second: a tar header holds no more.
    `cd /w && find . ${kept} -exec stat -c "%n %F %a %u:%g %s %Y %h %N" {} + | sort && find . -type f ${kept} -print0 | sort -z | xargs -0 -r sha256sum`,
  );
}

/** Node, as the agent user, in a throwaway container of `image` with `volume` as the agent's workspace. */
function nodeArgs(image: string, volume: string, script: string): string[] {
  const user = `${AGENT_UID}:${AGENT_UID}`;
  return [
    '--network',
    'none',
    '--user',
    user,
    '--entrypoint',
    'node',
    '-v',
    `${volume}:${WORKSPACE}`,
    image,
  ].concat(['--no-warnings', '--input-type=module', '-e', script, WORKSPACE]);
}

/** What the runner's own memory code finds in the memory of the workspace volume `volume`. */
function memoryIn(image: string, volume: string): MemoryCheck {
  return JSON.parse(
    docker(['run', '--rm', ...nodeArgs(image, volume, memoryChecker(RUNNER_MEMORY_IN_IMAGE))]),
  );
}

describe.skipIf(missing !== null)('backup and restore of Docker volumes', () => {
  const prefix = testPrefix('backup');
  const restoredPrefix = testPrefix('restored');
  const quietPrefix = testPrefix('quiet');
  let image = '';
  let stack: Stack;
  let work: string;
  let archive: string;
  let backedUp: { code: number; stdout: string; stderr: string };
  let restoredHome: string;
  let restored: PraktorProcess | null = null;
  let nixStore = '';
  /** The last memory the writer had stored when the backup began, and when it ended. */
  let storedBefore = -1;
  let storedDuring = -1;

  const config = (p: string) => (urls: { telegramApiRoot: string; telegramToken: string }) =>
    withDocker(
      {
        telegram: { token: urls.telegramToken, api_root: urls.telegramApiRoot, allow_from: [TEST_USER_ID] },
        defaults: { model: 'claude-test' },
        agents: { general: { description: 'Generalist', nix_enabled: true } },
      },
      { prefix: p, image },
    );
  const answers = () => stack.telegram.messagesIn(TEST_USER_ID).map((m) => m.text);
  const volumeNames = (p: string) =>
    ['global', 'home-general', 'nix-general', 'wk-general'].map((v) => `${p}-${v}`);

  beforeAll(async () => {
    image = ensureTestImage();
    work = mkdtempSync(join(tmpdir(), 'praktor-backup-docker-'));
    stack = await startStack({ handler: countNotes, config: config(prefix) });
    const gateway = stack.praktor;
    stack.telegram.sendText({ userId: TEST_USER_ID, text: 'note 1' });
    await stack.telegram.waitFor(() => answers().includes('notes so far: 1'), 90_000);
    const memory = await callApi(
      gateway.webUrl,
      'PUT',
      `/api/agents/definitions/general/memories/${MEMORY.key}`,
      {
        body: { content: MEMORY.content, tags: MEMORY.tags },
      },
    );
    expect(memory.status).toBe(200);
    const profile = await callApi(gateway.webUrl, 'PUT', '/api/user-profile', { body: { content: USER_MD } });
    expect(profile.status).toBe(200);
    // The nix store volume the gateway created for the agent (nix_enabled), filled as nix fills one: absolute and
    // relative symlinks, hard links, files of the agent user and of root, read-only files with old times.
    inVolume(
      image,
      `${prefix}-nix-general`,
      [
        'mkdir -p store/abc-tool/bin store/def-lib/lib var/nix/profiles',
        'printf "#!/bin/sh\\necho tool\\n" > store/abc-tool/bin/tool && chmod 0555 store/abc-tool/bin/tool',
        'head -c 70000 /dev/urandom > store/def-lib/lib/libdef.so && ln store/def-lib/lib/libdef.so store/abc-tool/libdef.so',
        'ln -s /nix/store/abc-tool var/nix/profiles/profile-1-link && ln -s profile-1-link var/nix/profiles/profile',
        'ln -s ../../def-lib/lib store/abc-tool/bin/lib',
        'chown -R 0:0 store/def-lib && chmod 0555 store/abc-tool',
        'touch -h -d "1970-01-01 00:00:01" store/abc-tool/bin/tool var/nix/profiles/profile',
      ].join(' && '),
    );
    nixStore = listing(image, `${prefix}-nix-general`);

    // The agent stores memories in a loop (the runner's own code, in the agent image) while the backup is taken;
    // paced, so that the restored agent's list of them all stays a reasonable answer.
    const writer = `${prefix}-memory-writer`;
    docker(
      ['run', '-d', '--name', writer, '--label', `praktor.installation=${prefix}`].concat(
        nodeArgs(image, `${prefix}-wk-general`, memoryWriter(RUNNER_MEMORY_IN_IMAGE, 20)),
      ),
    );
    const lastStored = () => Number(docker(['logs', '--tail', '1', writer]).trim() || '-1');
    await stack.telegram.waitFor(() => lastStored() >= 200, 60_000);
    archive = join(work, 'praktor.tar.zst');
    stack.telegram.sendText({ userId: TEST_USER_ID, text: 'note 2' });
    storedBefore = lastStored();
    backedUp = await praktor(gateway.home, ['backup', '-f', archive, '-image', image]);
    storedDuring = lastStored();
    docker(['rm', '--force', writer]);
    await stack.telegram.waitFor(() => answers().some((a) => a.startsWith('notes so far: 2')), 90_000);
    await gateway.stop();
    restoredHome = join(work, 'restored');
    mkdirSync(restoredHome);
    const yaml = readFileSync(join(gateway.home, 'praktor.yaml'), 'utf8');
    writeFileSync(join(restoredHome, 'praktor.yaml'), yaml.replaceAll(prefix, restoredPrefix));
  }, TEST_IMAGE_TIMEOUT_MS);

  afterAll(async () => {
    await restored?.stop();
    await stack?.close();
    for (const p of [prefix, restoredPrefix, quietPrefix]) removeInstallation(p);
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('backs up every volume, the nix store too, with the helper image that -image names', () => {
    expect(backedUp.stderr).toBe('');
    expect(backedUp.stdout).toMatch(/^Backup complete: \d+ files, 4 volumes, /);
    expect(backedUp.stdout).toContain(`${prefix}-nix-general`);
  });

  it('restores every volume under the new prefix, the nix store exactly', async () => {
    const result = await praktor(restoredHome, ['restore', '-f', archive]);
    expect(result.stderr).toBe('');
    for (const volume of volumeNames(restoredPrefix)) expect(result.stdout).toContain(volume);
    expect(result.stdout).toMatch(/4 volumes/);
    expect(listing(image, `${restoredPrefix}-nix-general`)).toBe(nixStore);
  });

  it('restores a sound memory holding every memory stored before the backup began, taken while the agent stored more', () => {
    expect(storedDuring).toBeGreaterThan(storedBefore);
    const check = memoryIn(image, `${restoredPrefix}-wk-general`);
    expect(check.integrity).toEqual(['ok']);
    expect(check.keys).toEqual(expect.arrayContaining([...keysUpTo(storedBefore), MEMORY.key]));
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

  it('gives a gateway that recalls the agent’s memory through Mission Control’s API, with the user’s profile', async () => {
    const gateway = restored as PraktorProcess;
    const found = await callApi(gateway.webUrl, 'GET', '/api/agents/definitions/general/memories?q=Loire');
    expect(found.status).toBe(200);
    expect(found.json.memories).toEqual([expect.objectContaining(MEMORY)]);
    expect((await callApi(gateway.webUrl, 'GET', '/api/user-profile')).json).toEqual({ content: USER_MD });
    expect(inVolume(image, `${restoredPrefix}-global`, 'cat /w/USER.md')).toBe(USER_MD);
  }, 120_000);

  it('refuses to write over existing volumes without --overwrite', async () => {
    const other = join(work, 'other');
    mkdirSync(other);
    writeFileSync(join(other, 'praktor.yaml'), readFileSync(join(restoredHome, 'praktor.yaml')));
    const result = await praktor(other, ['restore', '-f', archive]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/volume .+ already exists: add --overwrite/);
  });

  it('-image names the image of the helper containers: one that is not there stops the backup, named', async () => {
    const result = await praktor(stack.praktor.home, [
      'backup',
      '-f',
      join(work, 'no-image.tar.zst'),
      '-image',
      'praktor-agent:no-such-tag',
    ]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('praktor-agent:no-such-tag');
  });

  describe('restored, a backup of volumes at rest', () => {
    const original: Record<string, string> = {};
    let quietHome: string;

    beforeAll(async () => {
      // The first gateway is stopped by now: its agents' volumes and its data directory stay as they are.
      const quiet = join(work, 'quiet.tar.zst');
      expect((await praktor(stack.praktor.home, ['backup', '-f', quiet])).stderr).toBe('');
      // Looked at after the backup: opening the memory to copy it may end its log, which touches its folder's time.
      for (const volume of volumeNames(prefix))
        original[volume.slice(prefix.length + 1)] = listing(image, volume);
      original.data = JSON.stringify(filesKept(stack.praktor.dataDir));
      quietHome = join(work, 'quiet');
      mkdirSync(quietHome);
      const yaml = readFileSync(join(stack.praktor.home, 'praktor.yaml'), 'utf8');
      writeFileSync(join(quietHome, 'praktor.yaml'), yaml.replaceAll(prefix, quietPrefix));
      const result = await praktor(quietHome, ['restore', '-f', quiet, '--image', image]);
      expect(result.stderr).toBe('');
    }, 180_000);

    it('restores each volume (global, home, nix store, workspace) and the data directory exactly', () => {
      const now: Record<string, string> = {};
      for (const volume of volumeNames(quietPrefix))
        now[volume.slice(quietPrefix.length + 1)] = listing(image, volume);
      now.data = JSON.stringify(filesKept(join(quietHome, 'data')));
      expect(now).toEqual(original);
      expect(original['home-general']).toContain('.claude');
    });

    it('restores the agent’s memory as it was, sound', () => {
      const check = memoryIn(image, `${quietPrefix}-wk-general`);
      expect(check.integrity).toEqual(['ok']);
      expect(check.keys).toEqual(memoryIn(image, `${prefix}-wk-general`).keys);
    });
  });
});
