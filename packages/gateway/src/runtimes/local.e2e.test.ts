/**
 * The local runtime's confinement, checked the way an attacker would try it: the fake model makes the agent run
 * shell commands through Claude Code's real Bash tool, and the test reads what the tool reported back.
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type ModelRequest, reply, requireCommand, type Stack, startStack } from '@praktor/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { probeOutput } from './probe.test-support.js';

const missing = requireCommand('bwrap', 'the confinement suite', 'apt-get install bubblewrap');

const PROBE = `
echo in-workspace > "$PRAKTOR_WORKSPACE/written.txt" && echo WORKSPACE_WRITE_OK
echo in-home > "$HOME/written.txt" && echo HOME_WRITE_OK
echo in-tmp > /tmp/written.txt && echo TMP_WRITE_OK
(echo x > "$DATA/planted.txt") 2>/dev/null && echo DATA_WRITE_OK || echo DATA_WRITE_DENIED
(echo x > /etc/praktor-planted) 2>/dev/null && echo ETC_WRITE_OK || echo ETC_WRITE_DENIED
(echo x > "$PRAKTOR_GLOBAL_DIR/USER.md") 2>/dev/null && echo GLOBAL_WRITE_OK || echo GLOBAL_WRITE_DENIED
test -e "$DATA/praktor.db" && echo DB_VISIBLE || echo DB_HIDDEN
(cat "$DATA/agents/coder/workspace/secret.txt") 2>/dev/null && echo OTHER_AGENT_VISIBLE || echo OTHER_AGENT_HIDDEN
test -r "$PRAKTOR_GLOBAL_DIR/USER.md" && echo GLOBAL_READABLE
grep CapEff /proc/self/status
echo "GATEWAY_ONLY=[$PRAKTOR_TEST_GATEWAY_ONLY]"
`;

describe.skipIf(missing !== null)('the local runtime under bubblewrap', () => {
  let stack: Stack;
  let report = '';

  beforeAll(async () => {
    stack = await startStack({
      env: { PRAKTOR_TEST_GATEWAY_ONLY: 'must-not-leak' },
      handler: (req: ModelRequest) => {
        if (req.kind !== 'main') return reply.text('side call');
        if (req.lastUserText === 'probe') {
          const data = stack.praktor.dataDir;
          return reply.toolUse('Bash', {
            command: `DATA=${data}\n${PROBE}`,
            description: 'probe the sandbox',
          });
        }
        const result = req.toolResults[0];
        return reply.text(result ? `probe done` : 'nothing to do');
      },
    });
    const otherWorkspace = join(stack.praktor.dataDir, 'agents', 'coder', 'workspace');
    mkdirSync(otherWorkspace, { recursive: true });
    writeFileSync(join(otherWorkspace, 'secret.txt'), 'coder-only');
    report = await probeOutput(stack, 'probe', 30_000);
  });

  afterAll(async () => {
    await stack?.close();
  });

  it('lets the agent write its own workspace, home and /tmp', () => {
    expect(report).toContain('WORKSPACE_WRITE_OK');
    expect(report).toContain('HOME_WRITE_OK');
    expect(report).toContain('TMP_WRITE_OK');
    expect(existsSync(join(stack.praktor.dataDir, 'agents', 'general', 'workspace', 'written.txt'))).toBe(
      true,
    );
  });

  it('refuses writes anywhere else', () => {
    expect(report).toContain('DATA_WRITE_DENIED');
    expect(report).toContain('ETC_WRITE_DENIED');
    expect(report).toContain('GLOBAL_WRITE_DENIED');
    expect(existsSync(join(stack.praktor.dataDir, 'planted.txt'))).toBe(false);
  });

  it('hides the database and other agents’ folders, but shows the shared profile', () => {
    expect(report).toContain('DB_HIDDEN');
    expect(report).toContain('OTHER_AGENT_HIDDEN');
    expect(report).not.toContain('coder-only');
    expect(report).toContain('GLOBAL_READABLE');
  });

  it('runs the agent without Linux capabilities', () => {
    expect(report).toMatch(/CapEff:\s+0000000000000000/);
  });

  it('passes none of the gateway’s own environment to the agent', () => {
    expect(report).toContain('GATEWAY_ONLY=[]');
  });
});
