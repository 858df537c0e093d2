/**
 * Files agents send with `file_send` reach the chat the message came from, byte for byte: an image as a photo, a
 * PDF as a document, before the answer that follows them; Mission Control lists them with the message and serves
 * their bytes. Files up to Telegram's 50 MB upload limit go whole; a larger one is refused in the tool's result.
 */
import { createHash } from 'node:crypto';
import { eventually, type ModelRequest, reply, type Stack, startStack, TEST_USER_ID } from '@praktor/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==',
  'base64',
);
const PDF = Buffer.from('%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n');
const FILE_SEND = 'mcp__praktor-files__file_send';

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');
const MB = 1024 * 1024;

/** Big files the agent writes with random bytes, by what the user asks: their name and size. */
const BIG: Record<string, { name: string; size: number }> = {
  // An image over Telegram's 10 MB photo limit: it can only go as a document.
  'scan please': { name: 'scan.png', size: 30 * MB },
  'archive please': { name: 'archive.bin', size: 60 * MB },
};

/**
 * The agent writes the file the user asked for with Bash, sends it, then answers. Of a big file, the sandbox's
 * sha256sum is kept in `sums` by name.
 */
function agent(sums: Map<string, string>) {
  let asked = '';
  return (req: ModelRequest) => {
    if (req.kind !== 'main') return reply.text('side call');
    if (req.lastUserText !== '') asked = req.lastUserText;
    const big = BIG[asked];
    const [name, bytes, caption] =
      asked === 'chart please' ? ['chart.png', PNG, 'Sales by month'] : ['report.pdf', PDF, undefined];
    const last = req.toolResults[0]?.content ?? null;
    if (big && last === null)
      return reply.toolUse('Bash', {
        command: `head -c ${big.size} /dev/urandom > ${big.name} && sha256sum ${big.name}`,
        description: 'write the file',
      });
    if (big && last !== null && !last.startsWith('Sent') && !last.startsWith('Error')) {
      sums.set(big.name, last.trim().split(/\s+/)[0] ?? '');
      return reply.toolUse(FILE_SEND, { path: big.name });
    }
    if (last === null)
      return reply.toolUse('Bash', {
        command: `printf '%s' '${bytes.toString('base64')}' | base64 -d > ${name}`,
        description: 'write the file',
      });
    if (!last.startsWith('Sent') && !last.startsWith('Error'))
      return reply.toolUse(FILE_SEND, caption ? { path: name, caption } : { path: `./${name}` });
    return reply.text(last.startsWith('Sent') ? 'Here it is.' : `failed: ${last}`);
  };
}

describe('files an agent sends', () => {
  let stack: Stack;
  const sums = new Map<string, string>();

  async function ask(text: string) {
    return stack.telegram.say(TEST_USER_ID, text, { until: (m) => m.text === 'Here it is.' });
  }

  async function download(fileId: string): Promise<Buffer> {
    const { telegram } = stack;
    const got = await fetch(`${telegram.apiRoot}/bot${telegram.token}/getFile?file_id=${fileId}`);
    const path = ((await got.json()) as { result: { file_path: string } }).result.file_path;
    return Buffer.from(
      await (await fetch(`${telegram.apiRoot}/file/bot${telegram.token}/${path}`)).arrayBuffer(),
    );
  }

  beforeAll(async () => {
    stack = await startStack({ handler: agent(sums) });
  });

  afterAll(async () => {
    await stack?.close();
  });

  it('sends a PNG as a photo with its caption, byte for byte, before the answer', async () => {
    const sent = await ask('chart please');
    expect(sent.map((m) => m.method)).toEqual(['sendPhoto', 'sendMessage']);
    const [photo] = sent;
    expect(photo?.text).toBe('Sales by month');
    expect(sha256(await download(photo?.file?.fileId ?? ''))).toBe(sha256(PNG));
  });

  it('sends a PDF as a document under its name, byte for byte', async () => {
    const sent = await ask('report please');
    expect(sent.map((m) => m.method)).toEqual(['sendDocument', 'sendMessage']);
    expect(sent[0]?.file?.fileName).toBe('report.pdf');
    expect(sha256(await download(sent[0]?.file?.fileId ?? ''))).toBe(sha256(PDF));
  });

  it('shows the file with its message in Mission Control, and serves its bytes', async () => {
    const base = stack.praktor.webUrl;
    const messages = (await (await fetch(`${base}/api/agents/definitions/general/messages`)).json()) as {
      id: number;
      file: { name: string; mime_type: string; size: number } | null;
    }[];
    const withFiles = messages.filter((m) => m.file !== null);
    expect(withFiles.map((m) => m.file)).toEqual([
      { name: 'chart.png', mime_type: 'image/png', size: PNG.length },
      { name: 'report.pdf', mime_type: 'application/pdf', size: PDF.length },
    ]);
    const image = await fetch(`${base}/api/messages/${withFiles[0]?.id}/file`);
    expect(image.headers.get('content-type')).toBe('image/png');
    expect(Buffer.from(await image.arrayBuffer()).equals(PNG)).toBe(true);
    const pdf = await fetch(`${base}/api/messages/${withFiles[1]?.id}/file`);
    expect(pdf.headers.get('content-type')).toBe('application/octet-stream');
    expect(pdf.headers.get('content-disposition')).toBe("attachment; filename*=UTF-8''report.pdf");
    expect(Buffer.from(await pdf.arrayBuffer()).equals(PDF)).toBe(true);
  });

  it('sends a 30 MB image as a document, byte for byte, and Mission Control serves the same bytes', async () => {
    const sent = await ask('scan please');
    expect(sent.map((m) => m.method)).toEqual(['sendDocument', 'sendMessage']);
    expect(sent[0]?.file).toMatchObject({ fileName: 'scan.png', size: 30 * MB });
    // Telegram's getFile stops at 20 MB for bots: the upload the fake received is what the user gets.
    const upload = stack.telegram.calls.filter((c) => c.method === 'sendDocument').at(-1)?.files[0];
    expect(upload?.bytes.length).toBe(30 * MB);
    expect(sha256(upload?.bytes ?? Buffer.alloc(0))).toBe(sums.get('scan.png'));
    const messages = (await (
      await fetch(`${stack.praktor.webUrl}/api/agents/definitions/general/messages`)
    ).json()) as { id: number; file: { name: string } | null }[];
    const scan = messages.find((m) => m.file?.name === 'scan.png');
    const served = await fetch(`${stack.praktor.webUrl}/api/messages/${scan?.id}/file`);
    expect(sha256(Buffer.from(await served.arrayBuffer()))).toBe(sums.get('scan.png'));
  }, 120_000);

  it('refuses a 60 MB file in the tool result, naming its size and the limit, and records nothing', async () => {
    const sent = await stack.telegram.say(TEST_USER_ID, 'archive please', {
      until: (m) => m.text.startsWith('failed'),
    });
    expect(sent.map((m) => m.text)).toEqual([
      'failed: Error: archive.bin is 60 MB; a file may be at most 50 MB',
    ]);
    const messages = (await (
      await fetch(`${stack.praktor.webUrl}/api/agents/definitions/general/messages`)
    ).json()) as { file: { name: string } | null }[];
    expect(messages.filter((m) => m.file?.name === 'archive.bin')).toEqual([]);
  }, 120_000);

  // Its timeout is longer than its steps' own waits together, so a slow step fails with its own message.
  it('delivers a recorded file once after the gateway is killed before sending it', async () => {
    // Telegram throttles the photo: the outbox waits, with the file and the answer recorded but not sent.
    stack.telegram.failNext('sendPhoto', {
      errorCode: 429,
      description: 'Too Many Requests: retry after 60',
      retryAfter: 60,
    });
    const before = stack.telegram.messagesIn(TEST_USER_ID).length;
    const photos = () => stack.telegram.calls.filter((c) => c.method === 'sendPhoto').length;
    const photosBefore = photos();
    stack.telegram.sendText({ userId: TEST_USER_ID, text: 'chart please' });
    const base = stack.praktor.webUrl;
    await eventually(
      'the answer recorded, waiting behind the file',
      async () =>
        (await (await fetch(`${base}/api/agents/definitions/general/messages?limit=3`)).json()) as {
          text: string;
          state: string;
        }[],
      (messages) => messages.some((m) => m.text === 'Here it is.' && m.state === 'pending'),
      { timeoutMs: 45_000 },
    );
    // The throttled attempt was made: the photo now waits in the outbox.
    await stack.telegram.waitFor(() => photos() > photosBefore, 20_000);
    stack.praktor.process.child.kill('SIGKILL');
    await stack.praktor.process.exited;
    await stack.restart();
    await stack.telegram.waitFor(
      () =>
        stack.telegram
          .messagesIn(TEST_USER_ID)
          .slice(before)
          .find((m) => m.text === 'Here it is.'),
      60_000,
    );
    const sent = stack.telegram.messagesIn(TEST_USER_ID).slice(before);
    expect(sent.map((m) => m.method)).toEqual(['sendPhoto', 'sendMessage']);
    expect(sha256(await download(sent[0]?.file?.fileId ?? ''))).toBe(sha256(PNG));
  }, 180_000);
});
