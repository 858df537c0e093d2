/**
 * The Docker runtime's confinement, checked on the real engine the way an attacker would try it: the fake model
 * makes an agent run shell commands through Claude Code's real Bash tool, and the test reads what the tool
 * reported back — beside what `docker inspect` says about the container, and what is on the host's disk.
 */
import { execFileSync } from 'node:child_process';
import {
  callApi,
  containersOf,
  dockerInspect,
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

const missing = requireDocker('the Docker runtime suite');

const PASS = 'vault passphrase for the docker suite';
const SA = '{"type":"service_account","private_key_id":"docker0suite0sa0key"}';
const SSH_KEY = 'ssh-private-key-docker0suite0value';
const TMP_TOKEN = 'tmp-token-docker0suite0value';
const ENV_TOKEN = 'env-token-docker0suite0value';

/** Commands the fake model runs with Bash, by the marker the test sends as the message. */
const commands = new Map<string, string>();
let probes = 0;

function model(req: ModelRequest) {
  if (req.kind !== 'main') return reply.text('side call');
  if (req.toolResults.length > 0) return reply.text('probe done');
  // The marker is the message's last line: edited instructions may come before it.
  const command = commands.get(req.lastUserText.split('\n').at(-1) ?? '');
  if (command) return reply.toolUse('Bash', { command, description: 'probe the container' });
  return reply.text(`heard: ${req.lastUserText}`);
}

const api = (base: string, method: string, path: string, body?: unknown) =>
  callApi(base, method, path, { body }).then(({ status, json }) => ({ status, json }));

describe.skipIf(missing !== null)('the Docker runtime', () => {
  const prefix = testPrefix('runtime');
  let stack: Stack;
  let base: string;

  /** Has `agent` run `command` in its container and returns what Bash printed. */
  async function run(agent: string, command: string): Promise<string> {
    probes += 1;
    const marker = `probe-${probes}`;
    commands.set(marker, `echo ${marker}-output; ${command}`);
    const sent = await api(base, 'POST', `/api/agents/definitions/${agent}/messages`, { text: marker });
    expect(sent.status).toBe(202);
    const request = await stack.anthropic.waitForRequest(
      (r) => r.toolResults.some((t) => t.content.includes(`${marker}-output`)),
      60_000,
    );
    return request.toolResults[0]?.content ?? '';
  }

  beforeAll(async () => {
    const image = ensureTestImage();
    stack = await startStack({
      handler: model,
      config: ({ telegramApiRoot, telegramToken }) =>
        withDocker(
          {
            telegram: { token: telegramToken, api_root: telegramApiRoot, allow_from: [TEST_USER_ID] },
            defaults: { model: 'claude-test', idle_timeout: '10m' },
            vault: { passphrase: PASS },
            agents: {
              alpha: {
                files: [
                  { secret: 'gcp_sa', target: '/etc/gcp/sa.json', mode: '0640' },
                  { secret: 'ssh_key', target: '/home/praktor/.ssh/id_test' },
                  { secret: 'tmp_token', target: '/tmp/token.txt' },
                ],
              },
              beta: { env: { PROBE_TOKEN: 'secret:env_token' } },
              gamma: {},
              delta: { files: [{ secret: 'gcp_sa', target: '/etc/ssl/sa.json' }] },
            },
            router: { default_agent: 'alpha' },
          },
          { prefix, image },
        ),
    });
    base = stack.praktor.webUrl;
    for (const [name, value] of [
      ['gcp_sa', SA],
      ['ssh_key', SSH_KEY],
      ['tmp_token', TMP_TOKEN],
    ] as const) {
      const created = await api(base, 'POST', '/api/secrets', {
        name,
        value,
        kind: 'file',
        agent_ids: ['alpha', 'delta'],
      });
      expect(created.status).toBe(201);
    }
    const token = await api(base, 'POST', '/api/secrets', {
      name: 'env_token',
      value: ENV_TOKEN,
      agent_ids: ['beta'],
    });
    expect(token.status).toBe(201);
  }, TEST_IMAGE_TIMEOUT_MS);

  afterAll(async () => {
    await stack?.close();
    removeInstallation(prefix);
  });

  it('runs the agent in a container with every hardening setting, and only its own volumes', async () => {
    await run('alpha', 'true');
    const info = dockerInspect('container', `${prefix}-agent-alpha`) as {
      Config: { User: string; Labels: Record<string, string> };
      HostConfig: Record<string, unknown>;
      Mounts: { Type: string; Name?: string; Destination: string; RW: boolean }[];
    };
    const host = info.HostConfig;
    expect(host.CapDrop).toEqual(['ALL']);
    expect(host.CapAdd ?? []).toEqual([]);
    expect(host.SecurityOpt).toContain('no-new-privileges:true');
    expect(host.ReadonlyRootfs).toBe(true);
    expect(host.Tmpfs).toMatchObject({ '/tmp': expect.any(String), '/var/tmp': expect.any(String) });
    expect(host.Memory).toBe(2048 * 1024 * 1024);
    expect(host.PidsLimit).toBe(1024);
    expect(host.NanoCpus).toBe(2e9);
    expect(host.Init).toBe(true);
    expect(host.Privileged).toBe(false);
    expect(host.Binds ?? []).toEqual([]);
    expect(host.LogConfig).toMatchObject({ Type: 'none' });
    expect(info.Config.User).toBe('10321:10321');
    expect(info.Config.Labels).toMatchObject({
      'praktor.managed': 'true',
      'praktor.installation': prefix,
      'praktor.agent': 'alpha',
    });
    const mounts = info.Mounts.map((m) => [m.Type, m.Name, m.Destination, m.RW]).sort();
    expect(mounts).toEqual([
      ['volume', `${prefix}-global`, '/workspace/global', false],
      ['volume', `${prefix}-home-alpha`, '/home/praktor', true],
      ['volume', `${prefix}-wk-alpha`, '/workspace/agent', true],
    ]);
  });

  it('gives the agent its secret variables without putting them in the container’s configuration', async () => {
    expect(await run('beta', 'printenv PROBE_TOKEN')).toContain(ENV_TOKEN);
    const info = dockerInspect('container', `${prefix}-agent-beta`);
    expect(JSON.stringify(info)).not.toContain(ENV_TOKEN);
  });

  it('runs the agent as the non-root user, without capabilities and unable to gain any', async () => {
    const report = await run(
      'alpha',
      'id -u; id -un; grep -E "^(CapEff|CapBnd|NoNewPrivs)" /proc/self/status',
    );
    expect(report).toMatch(/^10321$/m);
    expect(report).toMatch(/^praktor$/m);
    expect(report).toMatch(/CapEff:\s+0000000000000000/);
    expect(report).toMatch(/CapBnd:\s+0000000000000000/);
    expect(report).toMatch(/NoNewPrivs:\s+1/);
  });

  it('lets the agent write its workspace, its home and /tmp, and nothing else', async () => {
    const report = await run(
      'alpha',
      [
        'for dir in /workspace/agent /home/praktor /tmp /var/tmp /etc /usr /app /workspace/global /; do',
        '  (echo x > "$dir/planted.txt") 2>/dev/null && echo "WRITE_OK $dir" || echo "WRITE_DENIED $dir"',
        'done',
        'test -S /var/run/docker.sock && echo DOCKER_SOCKET || echo NO_DOCKER_SOCKET',
      ].join('\n'),
    );
    for (const dir of ['/workspace/agent', '/home/praktor', '/tmp', '/var/tmp']) {
      expect(report).toContain(`WRITE_OK ${dir}\n`);
    }
    for (const dir of ['/etc', '/usr', '/app', '/workspace/global', '/']) {
      expect(report).toContain(`WRITE_DENIED ${dir}\n`);
    }
    expect(report).toContain('NO_DOCKER_SOCKET');
  });

  it('keeps agent A out of agent B’s workspace and home', async () => {
    const find =
      "find / \\( -path /proc -o -path /sys \\) -prune -o -name 'beta-marker*' -print 2>/dev/null; echo FIND_DONE";
    const own = await run(
      'beta',
      `echo b > /workspace/agent/beta-marker-wk; echo b > /home/praktor/beta-marker-home; ${find}`,
    );
    // The search does find the files where they are: from inside beta.
    expect(own).toContain('/workspace/agent/beta-marker-wk');
    expect(own).toContain('/home/praktor/beta-marker-home');
    const other = await run('alpha', `ls -a /workspace /home; ${find}`);
    expect(other).toContain('FIND_DONE');
    expect(other).not.toContain('beta-marker');
  });

  it('refuses a secret file whose folder is part of the image, which its tmpfs would hide', async () => {
    stack.telegram.sendText({ userId: TEST_USER_ID, text: '@delta hello' });
    const refusal = await stack.telegram.waitFor(
      () => stack.telegram.messagesIn(TEST_USER_ID).find((m) => m.text.includes('could not start')),
      30_000,
    );
    expect(refusal.text).toContain(
      'the file of secret "gcp_sa" cannot be placed at /etc/ssl/sa.json: its folder /etc/ssl is part of the image',
    );
    expect(containersOf(prefix).map((c) => c.agent)).not.toContain('delta');
  });

  it('never writes a secret file to the host’s disk: not to the volumes, nor the container’s layer', async () => {
    // Read, but not printed: Claude Code keeps what tools print in its session files in the home volume.
    const read = await run('alpha', 'cat /etc/gcp/sa.json /home/praktor/.ssh/id_test /tmp/token.txt | wc -c');
    expect(read).toContain(String(SA.length + SSH_KEY.length + TMP_TOKEN.length));
    const container = dockerInspect('container', `${prefix}-agent-alpha`) as {
      Id: string;
      GraphDriver: { Data: { UpperDir?: string } };
    };
    const root = execFileSync('docker', ['info', '--format', '{{.DockerRootDir}}'], {
      encoding: 'utf8',
    }).trim();
    const volumes = [`${prefix}-wk-alpha`, `${prefix}-home-alpha`, `${prefix}-global`].map(
      (name) => (dockerInspect('volume', name) as { Mountpoint: string }).Mountpoint,
    );
    const places = [
      ...volumes,
      `${root}/containers/${container.Id}`,
      container.GraphDriver.Data.UpperDir ?? '',
    ];
    for (const value of [SA, SSH_KEY, TMP_TOKEN]) {
      let found = '';
      try {
        found = execFileSync('grep', ['-rlF', value, ...places], { encoding: 'utf8' });
      } catch (err) {
        // grep exits 1 when it finds nothing.
        expect((err as { status?: number }).status).toBe(1);
      }
      expect(found).toBe('');
    }
    // The home volume holds only a link to the secrets tmpfs.
    const link = execFileSync('readlink', [`${volumes[1]}/.ssh/id_test`], { encoding: 'utf8' }).trim();
    expect(link).toMatch(/^\/run\/praktor-secrets\//);
  });

  it('places secret files at their targets, with their modes, owned by the agent, in memory only', async () => {
    const report = await run(
      'alpha',
      [
        'stat -L -c "%a %U %n" /etc/gcp/sa.json /home/praktor/.ssh/id_test /tmp/token.txt',
        'cat /etc/gcp/sa.json; echo; cat /home/praktor/.ssh/id_test; echo; cat /tmp/token.txt; echo',
        'grep -E " (/etc/gcp|/run/praktor-secrets|/tmp) " /proc/mounts | cut -d" " -f2,3',
      ].join('\n'),
    );
    expect(report).toContain('640 praktor /etc/gcp/sa.json');
    expect(report).toContain('600 praktor /home/praktor/.ssh/id_test');
    expect(report).toContain('600 praktor /tmp/token.txt');
    for (const value of [SA, SSH_KEY, TMP_TOKEN]) expect(report).toContain(value);
    expect(report).toContain('/etc/gcp tmpfs');
    expect(report).toContain('/run/praktor-secrets tmpfs');
    expect(report).toContain('/tmp tmpfs');
  });

  it('serves AGENT.md from the agent’s workspace volume: edits reach the running agent and stay its own to edit', async () => {
    const put = await api(base, 'PUT', '/api/agents/definitions/alpha/agent-md', {
      content: '# Agent Identity\n\nI am Alpha, the docker tester.\n',
    });
    expect(put.status).toBe(200);
    const report = await run(
      'alpha',
      'cat /workspace/agent/AGENT.md; echo "Edited by the agent itself." >> /workspace/agent/AGENT.md && stat -c "%U %a" /workspace/agent/AGENT.md',
    );
    expect(report).toContain('I am Alpha, the docker tester.');
    expect(report).toContain('praktor 644');
    const told = stack.anthropic.requests.filter((r) =>
      r.lastUserText.includes('I am Alpha, the docker tester.'),
    );
    expect(told).toHaveLength(1);
    const got = await api(base, 'GET', '/api/agents/definitions/alpha/agent-md');
    expect(got.json.content).toBe(
      '# Agent Identity\n\nI am Alpha, the docker tester.\nEdited by the agent itself.\n',
    );
  });

  it('answers AGENT.md of an agent that never ran with the template, without creating its volume', async () => {
    const got = await api(base, 'GET', '/api/agents/definitions/gamma/agent-md');
    expect(got.status).toBe(200);
    expect(got.json.content).toContain('Agent Identity');
    expect(() => dockerInspect('volume', `${prefix}-wk-gamma`)).toThrow();
  });

  it('shows a USER.md edited in Mission Control to a running agent at its next turn', async () => {
    expect(await run('alpha', 'cat /workspace/global/USER.md')).toContain('# About me');
    const put = await api(base, 'PUT', '/api/user-profile', { content: '# About me\n\nName: Ada Docker\n' });
    expect(put.status).toBe(200);
    expect(await run('alpha', 'cat /workspace/global/USER.md')).toContain('Name: Ada Docker');
  });

  it('stops and removes the container when the agent is stopped', async () => {
    await run('beta', 'true');
    expect(containersOf(prefix).map((c) => c.agent)).toContain('beta');
    const started = Date.now();
    const stopped = await api(base, 'POST', '/api/agents/definitions/beta/stop');
    expect(stopped.status).toBe(200);
    expect(Date.now() - started).toBeLessThan(3_000);
    expect(containersOf(prefix).map((c) => c.agent)).not.toContain('beta');
  });
});
