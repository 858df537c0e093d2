/**
 * What the agent is doing, read from the SDK's messages: each tool call as the model makes it, and each model API
 * error Claude Code is about to retry, for the gateway to show while the turn runs.
 */
import type { SDKMessage } from '@anthropic-ai/claude-agent-sdk';
import type { Activity } from '@praktor/protocol';

/** The activities one SDK message reports; most report none. */
export function activitiesOf(message: SDKMessage): Activity[] {
  if (message.type === 'assistant') {
    return message.message.content.flatMap((block) =>
      block.type === 'tool_use' ? [{ kind: 'tool' as const, tool: block.name, input: block.input }] : [],
    );
  }
  if (message.type === 'system' && message.subtype === 'api_retry') {
    return [
      {
        kind: 'retry',
        attempt: message.attempt,
        maxRetries: message.max_retries,
        delayMs: message.retry_delay_ms,
        status: message.error_status,
        error: message.error,
      },
    ];
  }
  return [];
}
