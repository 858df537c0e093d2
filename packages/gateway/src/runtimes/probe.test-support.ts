/**
 * How the sandbox suites look inside a sandbox: the user writes, the fake model answers with one tool call (a probe
 * script run by Claude Code's real tool), and the suite reads what the probe printed.
 */
import { type Stack, TEST_USER_ID } from '@praktor/testkit';

/**
 * The test user sends `text`; once the bot has answered, resolves with the output of the first tool call the model
 * saw a result of ('' when none ran). `timeoutMs` covers starting a sandbox cold.
 */
export async function probeOutput(stack: Stack, text: string, timeoutMs = 120_000): Promise<string> {
  await stack.telegram.say(TEST_USER_ID, text, { timeoutMs });
  return stack.anthropic.requests.find((r) => r.toolResults.length > 0)?.toolResults[0]?.content ?? '';
}
