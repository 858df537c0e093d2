/**
 * The model API's credentials never enter a sandbox, on either runtime: the agent searches its environment, every
 * process environment it can see, and its home and workspace for the real key and finds nothing, while its
 * conversation works end to end because the gateway adds the key on the way out (checked at the fake model API).
 */
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
import { describeOnEachRuntime, type WithRuntime } from './each-runtime.test-support.js';
import { probeOutput } from './probe.test-support.js';

// Two halves, joined only inside the probe: the command's own text, which Claude Code keeps in the agent's home,
// then does not hold the key either.
const KEY_HEAD = 'sk-ant-api03-';
const KEY_TAIL = 'never-in-a-sandbox-7f3a91';
const REAL_KEY = KEY_HEAD + KEY_TAIL;

const PROBE = `K="${KEY_HEAD}""${KEY_TAIL}"
printenv | grep -qF "$K" && echo ENV_HAS_KEY || echo ENV_CLEAN
for f in /proc/[0-9]*/environ; do tr '\\0' '\\n' < "$f" 2>/dev/null; done | grep -qF "$K" && echo PROC_HAS_KEY || echo PROC_CLEAN
grep -rqF "$K" "$HOME" "$PRAKTOR_WORKSPACE" 2>/dev/null && echo FILES_HAVE_KEY || echo FILES_CLEAN
echo "SANDBOX_KEY=$ANTHROPIC_API_KEY"`;

/** The suite for one runtime; `config` adds the runtime's settings to the stack's configuration. */
function describeCredentials(name: string, config: WithRuntime) {
  describe(`model credentials in the ${name} runtime`, () => {
    let stack: Stack;
    let report = '';

    beforeAll(async () => {
      stack = await startStack({
        env: { ANTHROPIC_API_KEY: REAL_KEY },
        config: (urls) => config(defaultStackConfig(urls)),
        handler: (req: ModelRequest) => {
          if (req.kind !== 'main') return reply.text('side call');
          if (req.lastUserText === 'look for the key')
            return reply.toolUse('Bash', { command: PROBE, description: 'look for the key' });
          return reply.text(req.toolResults.length > 0 ? 'looked' : 'nothing to do');
        },
      });
      report = await probeOutput(stack, 'look for the key');
    }, TEST_IMAGE_TIMEOUT_MS);

    afterAll(async () => {
      await stack?.close();
    });

    it('answers: the conversation works through the gateway', () => {
      expect(stack.telegram.messagesIn(TEST_USER_ID).at(-1)?.text).toBe('looked');
    });

    it('reaches the model API with the real key, added by the gateway', () => {
      expect(stack.anthropic.requests.length).toBeGreaterThan(0);
      for (const request of stack.anthropic.requests) expect(request.headers['x-api-key']).toBe(REAL_KEY);
    });

    it('finds the key nowhere in the sandbox: not in its environment, any process’s, or its files', () => {
      expect(report).toContain('ENV_CLEAN');
      expect(report).toContain('PROC_CLEAN');
      expect(report).toContain('FILES_CLEAN');
      expect(report).toMatch(/^SANDBOX_KEY=praktor-adds-this-on-the-way-out$/m);
    });
  });
}

describeOnEachRuntime('the credentials suite', (runtime, withRuntime) =>
  describeCredentials(runtime, withRuntime),
);
