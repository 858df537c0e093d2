/**
 * A scheduled task's run: its own Claude Code process on a new session, beside the conversation's, so the user's
 * conversation neither sees the task nor waits for it. The process ends with the run.
 */

import { query, type SDKUserMessage } from '@anthropic-ai/claude-agent-sdk';
import type { Activity, ResultMessage } from '@praktor/protocol';
import { messageOf } from '@praktor/protocol';
import { activitiesOf } from './activity.js';
import {
  type AgentSetup,
  outcomeOf,
  processSpendOf,
  sdkOptions,
  terminalReasonOf,
  usageOf,
} from './agent-setup.js';
import { literalPrompt } from './literal-prompt.js';
import { PushQueue } from './push-queue.js';

/**
 * Runs one task prompt to its end; never rejects. `onDelta` receives the answer as it is written, `onActivity` each
 * tool call and retried API error.
 */
export async function runTask(
  setup: AgentSetup,
  turnId: string,
  text: string,
  onDelta: (text: string) => void,
  onActivity: (activity: Activity) => void,
): Promise<ResultMessage> {
  const startedAt = Date.now();
  // Streaming input, because in-process tools need it; it ends once the result is in.
  const input = new PushQueue<SDKUserMessage>();
  // Chat messages reach the runner only after Praktor took every `/command` in them; a task's prompt does not.
  input.push({
    type: 'user',
    message: { role: 'user', content: literalPrompt(text) },
    parent_tool_use_id: null,
  });
  const run = query({ prompt: input, options: sdkOptions(setup, setup.systemPrompt(), () => turnId) });
  const result = (outcome: Omit<ResultMessage, 'type' | 'turnId' | 'durationMs'>): ResultMessage => ({
    type: 'result',
    turnId,
    durationMs: Date.now() - startedAt,
    ...outcome,
  });
  let sessionId: string | null = null;
  try {
    for await (const message of run) {
      if (message.type === 'system' && message.subtype === 'init') sessionId = message.session_id;
      for (const activity of activitiesOf(message)) onActivity(activity);
      if (
        message.type === 'stream_event' &&
        message.parent_tool_use_id === null &&
        message.event.type === 'content_block_delta' &&
        message.event.delta.type === 'text_delta'
      ) {
        onDelta(message.event.delta.text);
      }
      if (message.type === 'result') {
        return result({
          ...outcomeOf(message),
          sessionId,
          terminalReason: terminalReasonOf(message),
          costUsd: message.total_cost_usd,
          usage: usageOf(message),
          processSpend: processSpendOf(message),
        });
      }
    }
    return result(failure(sessionId, 'Claude Code ended without a result.'));
  } catch (err) {
    return result(failure(sessionId, `Claude Code stopped unexpectedly: ${messageOf(err)}`));
  } finally {
    input.end();
    run.close();
  }
}

function failure(sessionId: string | null, text: string) {
  return {
    status: 'error' as const,
    text,
    sessionId,
    terminalReason: null,
    costUsd: null,
    usage: null,
    processSpend: [],
  };
}
