/**
 * The agent image's workbench: every command docs/docker.md promises runs as the agent user in a container
 * hardened as the Docker runtime hardens agents' (read-only root, no capabilities, no network), and does its job.
 */
import { PassThrough } from 'node:stream';
import { ensureTestImage, requireDocker, TEST_IMAGE_TIMEOUT_MS } from '@praktor/testkit';
import Docker from 'dockerode';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../config/index.js';
import { hardening } from './docker-hardening.js';
import { AGENT_UID } from './layout.js';

const missing = requireDocker('the agent image suite');

/** A page whose text exists only once its script ran. */
const PAGE =
  "data:text/html,<p id=v>static</p><script>document.getElementById('v').textContent='dynamic-'+6*7</script>";

/** Each promised command, a shell line using it, and what it prints when it works. */
const COMMANDS: [string, string, RegExp][] = [
  ['chromium', `chromium --headless --no-sandbox --disable-gpu --dump-dom "${PAGE}"`, /dynamic-42/],
  ['playwright-cli', 'playwright-cli --version', /^\d+\.\d+\.\d+/m],
  ['git', 'git init -q /tmp/repo && git -C /tmp/repo status --short --branch', /## No commits yet on/],
  ['curl', 'curl --silent --show-error file:///etc/debian_version', /^12\./m],
  ['jq', `echo '{"tools":["jq"]}' | jq -r '.tools[0]'`, /^jq$/m],
  ['ripgrep', 'rg --no-filename --max-count 1 "^ID=" /etc/os-release', /^ID=debian$/m],
  [
    'python3',
    `python3 -c 'import json, sqlite3; print(json.dumps({"ok": sqlite3.sqlite_version != ""}))'`,
    /\{"ok": true\}/,
  ],
  [
    'ffmpeg',
    'ffmpeg -hide_banner -f lavfi -i testsrc=size=32x24:duration=1 -frames:v 1 /tmp/frame.png && file_size=$(stat -c %s /tmp/frame.png) && echo "png $file_size"',
    /png [1-9]\d*/,
  ],
  ['fonts for CJK', 'fc-match -f "%{family}\\n" "sans-serif:lang=zh-cn"', /WenQuanYi Zen Hei/],
  ['locales', 'echo "LANG=$LANG"; locale -a', /LANG=en_US\.UTF-8[\s\S]*en_US\.utf8/],
  ['nix', 'nix --version', /nix \(Nix\) 2\.\d+/],
  ['node', 'node --version', /^v24\./m],
  ['npm', 'npm --version', /^\d+\.\d+\.\d+$/m],
  ['npx', 'npx --version', /^\d+\.\d+\.\d+$/m],
  ['procps', 'sleep 30 & pgrep -x sleep >/dev/null && ps -o user=,comm= -p $!', /praktor\s+sleep/],
];

const security = parseConfig('{}', { env: {}, source: 'praktor.yaml', cwd: '/srv' }).config.defaults.security;

/** Runs `script` with bash as the agent user in a hardened container of `image`; resolves with its output. */
async function runInImage(
  docker: Docker,
  image: string,
  script: string,
): Promise<{ code: number; output: string }> {
  const host = hardening(security);
  const container = await docker.createContainer({
    Image: image,
    User: `${AGENT_UID}:${AGENT_UID}`,
    Entrypoint: ['bash', '-c'],
    Cmd: [script],
    Env: ['HOME=/home/praktor'],
    HostConfig: {
      ...host,
      // The home is a volume in the runtime; here a scratch folder of the agent's stands in for it.
      Tmpfs: { ...host.Tmpfs, '/home/praktor': `rw,nosuid,nodev,size=64m,uid=${AGENT_UID},gid=${AGENT_UID}` },
      NetworkMode: 'none',
      Init: true,
    },
  });
  try {
    const stream = await container.attach({ stream: true, stdout: true, stderr: true });
    const chunks: Buffer[] = [];
    const sink = new PassThrough();
    sink.on('data', (chunk: Buffer) => chunks.push(chunk));
    docker.modem.demuxStream(stream, sink, sink);
    const ended = new Promise((resolve) => stream.once('end', resolve));
    await container.start();
    const { StatusCode } = (await container.wait()) as { StatusCode: number };
    await ended;
    return { code: StatusCode, output: Buffer.concat(chunks).toString('utf8') };
  } finally {
    await container.remove({ force: true });
  }
}

describe.skipIf(missing !== null)('the agent image', () => {
  const docker = new Docker();
  let image: string;

  beforeAll(() => {
    image = ensureTestImage();
  }, TEST_IMAGE_TIMEOUT_MS);

  it.each(COMMANDS)(
    'has %s, working for the agent user in the hardened container',
    async (_name, script, expected) => {
      const { code, output } = await runInImage(docker, image, script);
      expect({ code, output }).toMatchObject({ code: 0, output: expect.stringMatching(expected) });
    },
    60_000,
  );
});
