/**
 * `praktor-testkit`: the fake Anthropic and Telegram servers for trying Praktor by hand, with no keys and no network.
 * Lines typed here arrive at the bot as Telegram messages from the test user; the bot's messages are printed.
 */

import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { messageOf } from '@praktor/protocol';
import { startFakeAnthropic } from './anthropic/index.js';
import { FAKE_API_KEY } from './praktor.js';
import { TEST_USER_ID } from './stack.js';
import { startFakeTelegram } from './telegram/index.js';

/** The fakes' ports unless told otherwise: fixed, so that the command printed for Praktor stays the same. */
const DEFAULT_ANTHROPIC_PORT = 18081;
const DEFAULT_TELEGRAM_PORT = 18082;

const USAGE = `Usage: praktor-testkit [--anthropic-port N] [--telegram-port N]

Starts a fake Anthropic API (it answers "echo: <your text>") and a fake Telegram Bot API on 127.0.0.1, and
prints how to start Praktor against them. Lines typed here reach the bot as messages from test user
${TEST_USER_ID}; the bot's answers are printed. Ctrl-D quits.

  --anthropic-port N   the fake Anthropic API's port (default ${DEFAULT_ANTHROPIC_PORT}, or FAKE_ANTHROPIC_PORT; 0: any free one)
  --telegram-port N    the fake Telegram API's port (default ${DEFAULT_TELEGRAM_PORT}, or FAKE_TELEGRAM_PORT; 0: any free one)
  -h, --help           show this help
`;

/** The port `--<flag>` gives, else the variable, else the default; an error naming where a bad one came from. */
function port(values: Record<string, unknown>, flag: string, variable: string, fallback: number): number {
  const fromFlag = values[flag];
  const [given, source] =
    typeof fromFlag === 'string' ? [fromFlag, `--${flag}`] : [process.env[variable], variable];
  if (given === undefined || given === '') return fallback;
  const value = Number(given);
  if (!Number.isInteger(value) || value < 0 || value > 65_535) {
    throw new Error(`${source} must be a port number from 0 to 65535, not "${given}"`);
  }
  return value;
}

let ports: { anthropic: number; telegram: number };
try {
  const { values } = parseArgs({
    options: {
      'anthropic-port': { type: 'string' },
      'telegram-port': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  });
  if (values.help) {
    process.stdout.write(USAGE);
    process.exit(0);
  }
  ports = {
    anthropic: port(values, 'anthropic-port', 'FAKE_ANTHROPIC_PORT', DEFAULT_ANTHROPIC_PORT),
    telegram: port(values, 'telegram-port', 'FAKE_TELEGRAM_PORT', DEFAULT_TELEGRAM_PORT),
  };
} catch (err) {
  process.stderr.write(`praktor-testkit: ${messageOf(err)}\n\n${USAGE}`);
  process.exit(1);
}

const anthropic = await startFakeAnthropic({ port: ports.anthropic });
const telegram = await startFakeTelegram({ port: ports.telegram });

process.stdout.write(`Fake Anthropic API:  ${anthropic.url}  (answers "echo: <your text>")
Fake Telegram API:   ${telegram.apiRoot}

Start Praktor against them in another terminal:

  ANTHROPIC_BASE_URL=${anthropic.url} ANTHROPIC_API_KEY=${FAKE_API_KEY} \\
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
