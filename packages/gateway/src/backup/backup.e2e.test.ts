/**
 * `praktor backup` and `praktor restore` on real gateways with agents on the local runtime: a backup taken while
 * the gateway answers, restored into a new data directory, gives a gateway with every message, task, secret,
 * memory and file, and the agent's conversation (the fake model sees the earlier turns again); restored, a backup
 * is the whole data directory as it was, file for file; a damaged archive is found before anything is written;
 * data in the way is never overwritten unless asked.
 */
import { execFile, execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readlinkSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import {
  callApi,
  type ModelRequest,
  PRAKTOR_BIN,
  type PraktorProcess,
  reply,
  type Stack,
  startPraktor,
  startStack,
  TEST_USER_ID,
} from '@praktor/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  filesKept,
  type MemoryCheck,
  memoryChecker,
  RUNNER_MEMORY_HERE,
  tree,
} from './backup.test-support.js';

const run = promisify(execFile);
const PASSPHRASE = 'backup test passphrase 7781';

/** Answers with how many of the user's notes the conversation holds: a resumed session counts the earlier ones. */
function countNotes(req: ModelRequest) {
  if (req.kind !== 'main') return reply.text('side call');
  const notes = req.transcript.match(/\bnote \d+\b/g) ?? [];
  return reply.text(`notes so far: ${notes.length}`, { chunkChars: 8, chunkDelayMs: 20 });
}

function stackConfig({ telegramApiRoot, telegramToken }: { telegramApiRoot: string; telegramToken: string }) {
  return {
    telegram: { token: telegramToken, api_root: telegramApiRoot, allow_from: [TEST_USER_ID] },
    defaults: { model: 'claude-test' },
    agents: { general: { description: 'Generalist' } },
    router: { default_agent: 'general' },
  };
}

/** Runs the praktor command with the config and data directory of `home`; never rejects. */
async function praktor(home: string, args: string[]) {
  try {
    const { stdout, stderr } = await run(process.execPath, [PRAKTOR_BIN, ...args], {
      env: {
        PATH: process.env.PATH,
        HOME: home,
        PRAKTOR_CONFIG: join(home, 'praktor.yaml'),
        PRAKTOR_DATA_DIR: join(home, 'data'),
        PRAKTOR_VAULT_PASSPHRASE: PASSPHRASE,
      },
      cwd: home,
    });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const failed = err as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

/** What the runner's own memory code finds in the memory of the workspace `workspace`. */
function memoryIn(workspace: string): MemoryCheck {
  const printed = execFileSync(process.execPath, [
    '--input-type=module',
    '-e',
    memoryChecker(RUNNER_MEMORY_HERE),
    workspace,
  ]);
  return JSON.parse(printed.toString('utf8')) as MemoryCheck;
}

function api(praktor: PraktorProcess, path: string, body?: unknown) {
  return callApi(
    praktor.webUrl,
    body === undefined ? 'GET' : 'POST',
    path,
    body === undefined ? {} : { body },
  );
}

const USER_MD = '# About me\n\nI live by the Loire and swim in it every summer.\n';
const MEMORY = {
  key: 'favourite-river',
  content: 'The user swims in the Loire every summer',
  tags: 'places',
};

function answers(stack: Stack): string[] {
  return stack.telegram.messagesIn(TEST_USER_ID).map((m) => m.text);
}

describe('backup and restore on the local runtime', () => {
  let stack: Stack;
  let archive: string;
  let backedUp: { code: number; stdout: string; stderr: string };
  let restoredHome: string;
  let restored: PraktorProcess | null = null;
  const upload = randomBytes(256 * 1024 + 17);
  let work: string;

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'praktor-backup-e2e-'));
    stack = await startStack({
      handler: countNotes,
      config: stackConfig,
      env: { PRAKTOR_VAULT_PASSPHRASE: PASSPHRASE },
    });
    const { praktor: gateway, telegram } = stack;
    telegram.sendText({ userId: TEST_USER_ID, text: 'note 1' });
    await telegram.waitFor(() => answers(stack).includes('notes so far: 1'), 60_000);
    expect(
      (await api(gateway, '/api/secrets', { name: 'github_token', value: 'ghp_restored_0123456789' })).status,
    ).toBe(201);
    const task = await api(gateway, '/api/tasks', {
      agent_id: 'general',
      name: 'weekly report',
      schedule: '0 9 * * MON',
      prompt: 'write the weekly report',
    });
    expect(task.status).toBe(201);
    const memory = await callApi(
      gateway.webUrl,
      'PUT',
      `/api/agents/definitions/general/memories/${MEMORY.key}`,
      {
        body: { content: MEMORY.content, tags: MEMORY.tags },
      },
    );
    expect(memory.status).toBe(200);
    expect(
      (await callApi(gateway.webUrl, 'PUT', '/api/user-profile', { body: { content: USER_MD } })).status,
    ).toBe(200);
    const uploads = join(gateway.dataDir, 'agents', 'general', 'workspace', 'uploads');
    mkdirSync(uploads, { recursive: true });
    writeFileSync(join(uploads, 'photo.bin'), upload);
    symlinkSync('photo.bin', join(uploads, 'latest'));
    archive = join(work, 'praktor.tar.zst');
    // The backup is taken while the gateway answers another message.
    telegram.sendText({ userId: TEST_USER_ID, text: 'note 2' });
    backedUp = await praktor(gateway.home, ['backup', '-f', archive]);
    await telegram.waitFor(() => answers(stack).some((a) => a.startsWith('notes so far: 2')), 60_000);
    restoredHome = join(work, 'restored');
    mkdirSync(restoredHome);
    writeFileSync(join(restoredHome, 'praktor.yaml'), readFileSync(join(gateway.home, 'praktor.yaml')));
  }, 120_000);

  afterAll(async () => {
    await restored?.stop();
    await stack?.close();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('writes the archive while the gateway answers, and says what it holds', () => {
    expect(backedUp.stderr).toBe('');
    expect(backedUp.code).toBe(0);
    expect(backedUp.stdout).toMatch(
      /^Backup complete: \d+ files, 0 volumes, .+ compressed\) in .+praktor\.tar\.zst\n$/,
    );
    expect(existsSync(`${archive}.partial`)).toBe(false);
  });

  it('verifies a sound archive', async () => {
    const result = await praktor(restoredHome, ['restore', '-f', archive, '--verify']);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^Archive OK: \d+ files \(.+\), 0 volumes, written by praktor /);
    expect(existsSync(join(restoredHome, 'data'))).toBe(false);
  });

  it('refuses to restore over the data of a running gateway, even with --overwrite', async () => {
    // The running gateway writes its own database meanwhile; every other file must stay as it is.
    const files = () =>
      Object.fromEntries(
        Object.entries(tree(stack.praktor.dataDir)).filter(([n]) => !n.startsWith('praktor.db')),
      );
    const before = files();
    const result = await praktor(stack.praktor.home, ['restore', '-f', archive, '-overwrite']);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/a gateway is running on .+: stop it, then restore/);
    expect(files()).toEqual(before);
  });

  it('detects a truncated archive with --verify and in restore, before writing anything', async () => {
    const truncated = join(work, 'truncated.tar.zst');
    const bytes = readFileSync(archive);
    writeFileSync(truncated, bytes.subarray(0, Math.floor(bytes.length * 0.6)));
    const verify = await praktor(restoredHome, ['restore', '-f', truncated, '--verify']);
    expect(verify.code).toBe(1);
    expect(verify.stderr).toContain('the archive is damaged or incomplete');
    const restore = await praktor(restoredHome, ['restore', '-f', truncated]);
    expect(restore.code).toBe(1);
    expect(restore.stderr).toContain('the archive is damaged or incomplete');
    expect(existsSync(join(restoredHome, 'data'))).toBe(false);
  });

  it('detects a corrupted archive with --verify and in restore, before writing anything', async () => {
    const corrupted = join(work, 'corrupted.tar.zst');
    const bytes = Buffer.from(readFileSync(archive));
    const middle = Math.floor(bytes.length / 2);
    for (let i = 0; i < 8; i++) bytes.writeUInt8(bytes.readUInt8(middle + i * 7) ^ 0x5a, middle + i * 7);
    writeFileSync(corrupted, bytes);
    const verify = await praktor(restoredHome, ['restore', '-f', corrupted, '--verify']);
    expect(verify.code).toBe(1);
    expect(verify.stderr).toMatch(/damaged|checksum/);
    const restore = await praktor(restoredHome, ['restore', '-f', corrupted]);
    expect(restore.code).toBe(1);
    expect(existsSync(join(restoredHome, 'data'))).toBe(false);
  });

  describe('restored into a new data directory', () => {
    beforeAll(async () => {
      const result = await praktor(restoredHome, ['restore', '-f', archive]);
      expect(result.stderr).toBe('');
      expect(result.stdout).toMatch(/^Restore complete: \d+ files into .+restored\/data, 0 volumes\n$/);
      // One bot polls a token at a time: the old gateway hands Telegram over to the restored one.
      await stack.praktor.stop();
      restored = await startPraktor({
        home: restoredHome,
        config: readFileSync(join(restoredHome, 'praktor.yaml'), 'utf8'),
        anthropicUrl: stack.anthropic.url,
        env: { PRAKTOR_VAULT_PASSPHRASE: PASSPHRASE },
      });
      await restored.waitForLog('telegram connected', undefined, 30_000);
    }, 120_000);

    it('has the files byte for byte, links included', () => {
      const uploads = join(restoredHome, 'data', 'agents', 'general', 'workspace', 'uploads');
      expect(readFileSync(join(uploads, 'photo.bin')).equals(upload)).toBe(true);
      expect(readlinkSync(join(uploads, 'latest'))).toBe('photo.bin');
      expect(statSync(join(restoredHome, 'data', 'praktor.db')).mode & 0o777).toBe(0o600);
    });

    it('has every message, the task and the secret (read with the same passphrase)', async () => {
      const gateway = restored as PraktorProcess;
      const messages = (await api(gateway, '/api/agents/definitions/general/messages')).json as {
        text: string;
      }[];
      const texts = messages.map((m) => m.text);
      expect(texts).toEqual(expect.arrayContaining(['note 1', 'notes so far: 1', 'note 2']));
      const tasks = (await api(gateway, '/api/tasks')).json as { name: string }[];
      expect(tasks.map((t) => t.name)).toEqual(['weekly report']);
      const secret = await praktor(restoredHome, ['vault', 'get', 'github_token']);
      expect(secret.stdout.trim()).toBe('ghp_restored_0123456789');
    });

    it('has the agent’s memory, recalled through Mission Control’s API, and the user’s profile', async () => {
      const gateway = restored as PraktorProcess;
      const found = await callApi(gateway.webUrl, 'GET', '/api/agents/definitions/general/memories?q=Loire');
      expect(found.status).toBe(200);
      expect(found.json.memories).toEqual([expect.objectContaining(MEMORY)]);
      const profile = await callApi(gateway.webUrl, 'GET', '/api/user-profile');
      expect(profile.json).toEqual({ content: USER_MD });
      expect(readFileSync(join(restoredHome, 'data', 'global', 'USER.md'), 'utf8')).toBe(USER_MD);
    });

    it('resumes the agent’s conversation: the model sees the notes from before the backup', async () => {
      const before = answers(stack).length;
      stack.telegram.sendText({ userId: TEST_USER_ID, text: 'note 3' });
      const answer = await stack.telegram.waitFor(() => answers(stack).slice(before)[0], 60_000);
      const count = Number(/notes so far: (\d+)/.exec(answer)?.[1]);
      expect(count).toBeGreaterThanOrEqual(2);
    });

    it('refuses a second restore without --overwrite and changes nothing', async () => {
      await (restored as PraktorProcess).stop();
      restored = null;
      const before = tree(join(restoredHome, 'data'));
      const result = await praktor(restoredHome, ['restore', '-f', archive]);
      expect(result.code).toBe(1);
      expect(result.stderr).toContain('already holds data: add --overwrite');
      expect(tree(join(restoredHome, 'data'))).toEqual(before);
    });
  });

  describe('restored, a backup of a data directory at rest', () => {
    let original: Record<string, string>;
    let quietData: string;

    beforeAll(async () => {
      // The first gateway is stopped by now: nothing changes its data directory while this backup is taken.
      original = filesKept(stack.praktor.dataDir);
      const quiet = join(work, 'quiet.tar.zst');
      expect((await praktor(stack.praktor.home, ['backup', '-f', quiet])).code).toBe(0);
      expect(filesKept(stack.praktor.dataDir)).toEqual(original);
      const quietHome = join(work, 'quiet');
      mkdirSync(quietHome);
      writeFileSync(join(quietHome, 'praktor.yaml'), readFileSync(join(stack.praktor.home, 'praktor.yaml')));
      const result = await praktor(quietHome, ['restore', '-f', quiet]);
      expect(result.stderr).toBe('');
      quietData = join(quietHome, 'data');
    }, 120_000);

    it('is the whole data directory as it was: every file, folder and link, with its mode and content', () => {
      expect(Object.keys(original)).toEqual(
        expect.arrayContaining(['global/USER.md', 'agents/general/workspace/uploads/photo.bin']),
      );
      expect(filesKept(quietData)).toEqual(original);
    });

    it('has the agent’s memory as it was, sound', () => {
      const workspace = (data: string) => join(data, 'agents', 'general', 'workspace');
      const restoredMemory = memoryIn(workspace(quietData));
      expect(restoredMemory.integrity).toEqual(['ok']);
      expect(restoredMemory.keys).toEqual(memoryIn(workspace(stack.praktor.dataDir)).keys);
      expect(restoredMemory.keys).toContain(MEMORY.key);
    });
  });
});
