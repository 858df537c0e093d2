/**
 * Files sent to the bot reach the agent, on either runtime: saved byte for byte under `uploads/` of the workspace of
 * the agent the message goes to, named safely whatever the sender called them, never over a file already there, with
 * the caption as the text and a note naming each file. The agent itself looks (a scripted Bash call), so the check
 * sees what the sandbox sees; the gateway's data directory is hashed from outside.
 */
import { createHash } from 'node:crypto';
import { lstatSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { join, relative } from 'node:path';
import {
  defaultStackConfig,
  type ModelRequest,
  reply,
  type Stack,
  startStack,
  TEST_IMAGE_TIMEOUT_MS,
  TEST_USER_ID,
} from '@praktor/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeOnEachRuntime, type WithRuntime } from '../../runtimes/each-runtime.test-support.js';

// Everything but uploads/, hashed; then each upload's name and hash.
const INVENTORY = `cd "$PRAKTOR_WORKSPACE"
echo "REST $(find . -path ./uploads -prune -o -type f -print | LC_ALL=C sort | xargs -r sha256sum | sha256sum | cut -c1-64)"
ls -A uploads 2>/dev/null | LC_ALL=C sort | while IFS= read -r f; do echo "FILE $(sha256sum "uploads/$f" | cut -c1-64) $f"; done`;

const AGENT_FILE = 'made by the agent before any upload';
const MAKE_X = `mkdir -p "$PRAKTOR_WORKSPACE/uploads" && printf '%s' '${AGENT_FILE}' > "$PRAKTOR_WORKSPACE/uploads/x.txt"`;

const sha256 = (bytes: Buffer | string) => createHash('sha256').update(bytes).digest('hex');

function handler(req: ModelRequest) {
  if (req.kind !== 'main') return reply.text('side call');
  if (req.toolResults.length > 0) return reply.text('looked');
  if (req.lastUserText === 'inventory')
    return reply.toolUse('Bash', { command: INVENTORY, description: 'look' });
  if (req.lastUserText === 'make x') return reply.toolUse('Bash', { command: MAKE_X, description: 'make x' });
  return reply.text('got it');
}

/**
 * Every path in the gateway's data directory with its content's hash (a link's target, `dir` for a folder), but
 * for what a conversation changes by itself, so that a file a sender plants or overwrites anywhere else shows:
 * - `praktor.db` and its `-wal`, `-shm` and `-journal`: every message is recorded there;
 * - in each agent's home, Claude Code's record of its sessions (`.claude/projects/` holds the transcripts,
 *   `.claude/sessions/` and the others each session's state), written on every turn. Only these: the rest of the
 *   home holds what Claude Code reads as settings and instructions (`.claude/CLAUDE.md`, `.claude/settings.json`),
 *   exactly what a planted upload must not reach;
 * - each agent's `workspace/uploads/`: where uploads belong, checked name by name by the inventory instead.
 * An upload escaping `uploads/` (`../../CLAUDE.md` lands in `agents/general/`) is in none of these.
 */
function dataDirDigest(dataDir: string): Map<string, string> {
  const changesByItself = [
    /^praktor\.db(-wal|-shm|-journal)?$/,
    /^agents\/[^/]+\/home\/\.claude\/(projects|sessions|session-env|shell-snapshots|todos)$/,
    /^agents\/[^/]+\/workspace\/uploads$/,
  ];
  const digest = new Map<string, string>();
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir)) {
      const path = join(dir, entry);
      const name = relative(dataDir, path);
      if (changesByItself.some((pattern) => pattern.test(name))) continue;
      const stat = lstatSync(path);
      if (stat.isDirectory()) {
        digest.set(name, 'dir');
        walk(path);
      } else if (stat.isSymbolicLink()) digest.set(name, `link ${readlinkSync(path)}`);
      else digest.set(name, sha256(readFileSync(path)));
    }
  };
  walk(dataDir);
  return digest;
}

const PHOTO_SMALL = Buffer.from('a small preview of the photo');
const PHOTO_LARGE = Buffer.from(`the full photo ${'▒'.repeat(2000)}`);
const HOSTILE_NAMES = [
  '../../CLAUDE.md',
  'AGENT.md',
  '.bashrc',
  'evil\u0000name.txt',
  `${'n'.repeat(300)}.txt`,
];

function describeFilesIn(name: string, config: WithRuntime) {
  describe(`files sent on Telegram, ${name} runtime`, () => {
    let stack: Stack;
    let messageId = 100;
    let before = '';
    let after = '';
    let dataBefore = new Map<string, string>();
    let dataAfter = new Map<string, string>();
    const sentBytes = new Map<string, Buffer>();
    const REPORTS = [Buffer.from('the first report'), Buffer.from('the second report, same name')];
    const NAMED_LIKE_AGENTS = Buffer.from('an upload named like the agent’s file');

    /** Sends a message carrying `media` and waits for the agent's answer. */
    async function sendMedia(media: Record<string, unknown>) {
      const answered = stack.telegram.messagesIn(TEST_USER_ID).length;
      messageId++;
      stack.telegram.injectUpdate({
        message: {
          message_id: messageId,
          date: Math.floor(Date.now() / 1000),
          chat: { id: TEST_USER_ID, type: 'private', first_name: 'Ann' },
          from: { id: TEST_USER_ID, is_bot: false, first_name: 'Ann' },
          ...media,
        },
      });
      return stack.telegram.waitFor(() => stack.telegram.messagesIn(TEST_USER_ID)[answered], 120_000);
    }

    async function inventory() {
      const asked = stack.anthropic.requests.length;
      await stack.telegram.say(TEST_USER_ID, 'inventory', { timeoutMs: 120_000 });
      return (
        stack.anthropic.requests.slice(asked).find((r) => r.toolResults.length > 0)?.toolResults[0]
          ?.content ?? ''
      );
    }

    /** Sends a document called `fileName` holding `bytes` and waits for the agent's answer. */
    async function sendDocument(fileName: string, bytes: Buffer, uniqueId: string) {
      const fileId = stack.telegram.addFile(bytes, 'x.txt', 'text/plain');
      await sendMedia({
        document: {
          file_id: fileId,
          file_unique_id: uniqueId,
          file_name: fileName,
          mime_type: 'text/markdown',
        },
      });
    }

    beforeAll(async () => {
      stack = await startStack({ config: (urls) => config(defaultStackConfig(urls)), handler });
      await stack.telegram.say(TEST_USER_ID, 'make x', { timeoutMs: 120_000 });
      before = await inventory();
      dataBefore = dataDirDigest(stack.praktor.dataDir);
      const small = stack.telegram.addFile(PHOTO_SMALL, 'small.jpg', 'image/jpeg');
      const large = stack.telegram.addFile(PHOTO_LARGE, 'large.jpg', 'image/jpeg');
      await sendMedia({
        caption: 'what is in this photo?',
        photo: [
          { file_id: small, file_unique_id: 's', width: 90, height: 60, file_size: PHOTO_SMALL.length },
          { file_id: large, file_unique_id: 'l', width: 1280, height: 853, file_size: PHOTO_LARGE.length },
        ],
      });
      for (const [i, fileName] of HOSTILE_NAMES.entries()) {
        const bytes = Buffer.from(`document ${i}: planted?`);
        sentBytes.set(fileName, bytes);
        await sendDocument(fileName, bytes, `d${i}`);
      }
      for (const [i, bytes] of REPORTS.entries()) await sendDocument('report.txt', bytes, `r${i}`);
      await sendDocument('x.txt', NAMED_LIKE_AGENTS, 'x');
      after = await inventory();
      dataAfter = dataDirDigest(stack.praktor.dataDir);
    }, TEST_IMAGE_TIMEOUT_MS);

    afterAll(async () => {
      await stack?.close();
    });

    it('gives the agent the caption and a note naming the saved photo', () => {
      const request = stack.anthropic.requests.find((r) =>
        r.lastUserText.startsWith('what is in this photo?'),
      );
      expect(request?.lastUserText).toMatch(
        /^what is in this photo\?\n\n\[The user sent a photo \(image\/jpeg, [\d.]+ KB\): it is saved in your workspace at uploads\/photo\.jpg\]$/,
      );
    });

    it('saves the largest size of a photo, byte for byte', () => {
      expect(after).toContain(`FILE ${sha256(PHOTO_LARGE)} photo.jpg`);
      expect(after).not.toContain(sha256(PHOTO_SMALL));
    });

    it('saves documents with hostile names under safe names, byte for byte', () => {
      const saved = [...after.matchAll(/^FILE ([0-9a-f]{64}) (.+)$/gm)].map(([, hash, file]) => ({
        hash,
        file,
      }));
      expect(saved.map((s) => s.file).sort()).toEqual(
        [
          'bashrc',
          'evil_name.txt',
          `${'n'.repeat(96)}.txt`,
          'photo.jpg',
          'report-2.txt',
          'report.txt',
          'upload-AGENT.md',
          'upload-CLAUDE.md',
          'x-2.txt',
          'x.txt',
        ].sort(),
      );
      for (const [fileName, bytes] of sentBytes) {
        expect(
          saved.some((s) => s.hash === sha256(bytes)),
          fileName,
        ).toBe(true);
      }
    });

    it('saves a name sent twice as two files', () => {
      expect(after).toContain(`FILE ${sha256(REPORTS[0] ?? '')} report.txt`);
      expect(after).toContain(`FILE ${sha256(REPORTS[1] ?? '')} report-2.txt`);
    });

    it('saves an upload beside a file the agent made under its name, not over it', () => {
      expect(before).toContain(`FILE ${sha256(AGENT_FILE)} x.txt`);
      expect(after).toContain(`FILE ${sha256(AGENT_FILE)} x.txt`);
      expect(after).toContain(`FILE ${sha256(NAMED_LIKE_AGENTS)} x-2.txt`);
    });

    it('changes nothing in the workspace outside uploads/', () => {
      const rest = (report: string) => report.match(/^REST ([0-9a-f]{64})$/m)?.[1];
      expect(rest(before)).toBeDefined();
      expect(rest(after)).toBe(rest(before));
    });

    it('changes nothing in the data directory but what a conversation changes by itself', () => {
      expect(dataBefore.size).toBeGreaterThan(0);
      expect(Object.fromEntries(dataAfter)).toEqual(Object.fromEntries(dataBefore));
    });

    it('tells the agent the name the sender used when it had to change it', () => {
      const request = stack.anthropic.requests.find((r) =>
        r.lastUserText.includes('uploads/upload-CLAUDE.md'),
      );
      expect(request?.lastUserText).toContain('sent as "../../CLAUDE.md"');
    });
  });
}

describeOnEachRuntime('the files-in suite', (runtime, withRuntime) => describeFilesIn(runtime, withRuntime));
