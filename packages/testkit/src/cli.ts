/**
 * `praktor-testkit`: the fake Anthropic and Telegram servers for trying Praktor by hand, with no keys and no network.
 * Lines typed here arrive at the bot as Telegram messages from the test user; the bot's messages are printed.
 */
import { createInterface } from 'node:readline';
import { startFakeAnthropic } from './anthropic/index.js';
import { TEST_USER_ID } from './stack.js';
import { startFakeTelegram } from './telegram/index.js';

const anthropic = await startFakeAnthropic({ port: Number(process.env.FAKE_ANTHROPIC_PORT ?? 0) });
const telegram = await startFakeTelegram({ port: Number(process.env.FAKE_TELEGRAM_PORT ?? 0) });

process.stdout.write(`Fake Anthropic API:  ${anthropic.url}  (answers "echo: <your text>")
Fake Telegram API:   ${telegram.apiRoot}

Start Praktor against them in another terminal:

  ANTHROPIC_BASE_URL=${anthropic.url} ANTHROPIC_API_KEY=fake \\
  PRAKTOR_TELEGRAM_TOKEN=${telegram.token} PRAKTOR_TELEGRAM_API_ROOT=${telegram.apiRoot} \\
  npm start

and allow the test user with \`telegram: { allow_from: [${TEST_USER_ID}] }\` in praktor.yaml.
Then type a message here and press Enter. Ctrl-D quits.

`);

let shown = 0;
const printer = setInterval(() => {
  for (const message of telegram.sent.slice(shown)) process.stdout.write(`bot> ${message.text}\n`);
  shown = telegram.sent.length;
}, 100);

const input = createInterface({ input: process.stdin });
input.on('line', (line) => {
  if (line.trim() !== '') telegram.sendText({ userId: TEST_USER_ID, text: line });
});
input.on('close', async () => {
  clearInterval(printer);
  await Promise.all([anthropic.close(), telegram.close()]);
  process.exit(0);
});
