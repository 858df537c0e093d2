/**
 * A local Bot API server (`telegram.api_root` pointing at one started with `--local`) lifts Telegram's 20 MB limit
 * on files a bot downloads, and names each file by its absolute path on the disk it shares with the gateway: a file
 * over 20 MB sent that way reaches the agent's workspace byte for byte.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  defaultStackConfig,
  type ModelRequest,
  reply,
  requireCommand,
  type Stack,
  startStack,
  TEST_USER_ID,
} from '@praktor/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const missing = requireCommand('bwrap', 'the local Bot API suite', 'apt-get install bubblewrap');

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');
/** Over the cloud API's 20 MB. */
const LARGE = Buffer.alloc(21 * 1024 * 1024, 'praktor ');

function handler(req: ModelRequest) {
  return req.kind === 'main' ? reply.text('received') : reply.text('side call');
}

describe.skipIf(missing)('files from a local Bot API server', () => {
  let stack: Stack;
  let filesDir: string;

  beforeAll(async () => {
    filesDir = mkdtempSync(join(tmpdir(), 'praktor-bot-api-'));
    stack = await startStack({
      handler,
      telegram: { localFilesDir: filesDir },
      config: (urls) => defaultStackConfig(urls),
    });
    const fileId = stack.telegram.addFile(LARGE, 'big.bin', 'application/octet-stream');
    stack.telegram.injectUpdate({
      message: {
        message_id: 30,
        date: Math.floor(Date.now() / 1000),
        chat: { id: TEST_USER_ID, type: 'private', first_name: 'Ann' },
        from: { id: TEST_USER_ID, is_bot: false, first_name: 'Ann' },
        document: { file_id: fileId, file_unique_id: 'b', file_name: 'big.bin', file_size: LARGE.length },
      },
    });
    await stack.telegram.waitFor(() => stack.telegram.messagesIn(TEST_USER_ID)[0], 120_000);
  }, 180_000);

  afterAll(async () => {
    await stack?.close();
    rmSync(filesDir, { recursive: true, force: true });
  });

  it('saves a file over 20 MB into the workspace, byte for byte, read from the absolute path', () => {
    const saved = readFileSync(join(stack.praktor.dataDir, 'agents/general/workspace/uploads/big.bin'));
    expect(sha256(saved)).toBe(sha256(LARGE));
    expect(stack.telegram.calls.some((c) => c.method === 'getFile' && c.response?.ok)).toBe(true);
  });

  it('tells the agent about the file, not that it was too large', () => {
    expect(stack.telegram.messagesIn(TEST_USER_ID).map((m) => m.text)).toEqual(['received']);
    expect(stack.anthropic.requests.some((r) => r.lastUserText.includes('uploads/big.bin'))).toBe(true);
  });
});
