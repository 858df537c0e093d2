/**
 * A big file an agent in a Docker container sends crosses the container's attached stdio on its link stream whole:
 * the 30 MB the sandbox wrote reach Telegram as a document, byte for byte.
 */
import { createHash } from 'node:crypto';
import {
  defaultStackConfig,
  ensureTestImage,
  type ModelRequest,
  removeInstallation,
  reply,
  requireDocker,
  type Stack,
  startStack,
  TEST_IMAGE_TIMEOUT_MS,
  TEST_USER_ID,
  testPrefix,
  withDocker,
} from '@praktor/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const missing = requireDocker('the Docker suite of files agents send');
const SIZE = 30 * 1024 * 1024;

describe.skipIf(missing !== null)('files an agent in Docker sends', () => {
  const prefix = testPrefix('files-out');
  let stack: Stack;
  /** The sha256sum the sandbox printed of the file it wrote. */
  let written = '';

  /** The agent writes random bytes with Bash, sends them with file_send, then answers. */
  function agent(req: ModelRequest) {
    if (req.kind !== 'main') return reply.text('side call');
    const last = req.toolResults[0]?.content ?? null;
    if (last === null)
      return reply.toolUse('Bash', {
        command: `head -c ${SIZE} /dev/urandom > big.bin && sha256sum big.bin`,
        description: 'write the file',
      });
    if (!last.startsWith('Sent') && !last.startsWith('Error')) {
      written = last.trim().split(/\s+/)[0] ?? '';
      return reply.toolUse('mcp__praktor-files__file_send', { path: 'big.bin' });
    }
    return reply.text(last.startsWith('Sent') ? 'Here it is.' : `failed: ${last}`);
  }

  beforeAll(async () => {
    const image = ensureTestImage();
    stack = await startStack({
      handler: agent,
      config: (urls) => withDocker(defaultStackConfig(urls), { prefix, image }),
    });
  }, TEST_IMAGE_TIMEOUT_MS);

  afterAll(async () => {
    await stack?.close();
    removeInstallation(prefix);
  });

  it('sends a 30 MB file as a document, byte for byte', async () => {
    const sent = await stack.telegram.say(TEST_USER_ID, 'the big file please', {
      until: (m) => m.method === 'sendMessage',
      timeoutMs: 150_000,
    });
    expect(sent.map((m) => m.text)).toEqual(['', 'Here it is.']);
    const upload = stack.telegram.calls.find((c) => c.method === 'sendDocument')?.files[0];
    expect(upload?.bytes.length).toBe(SIZE);
    expect(
      createHash('sha256')
        .update(upload?.bytes ?? Buffer.alloc(0))
        .digest('hex'),
    ).toBe(written);
  }, 180_000);
});
