import { isRecord } from './guards.js';
import type { RequestKind } from './types.js';

// Evidence, from running Claude Code CLI 2.1.331 (agent SDK 0.3.331) against this fake:
// - Agent-loop turns always carry `context_management` (and `thinking`), even with `tools: []`,
//   thinking disabled, a custom system prompt or a non-Claude model name.
// - Session-title generation is the only side call seen in ordinary runs: no `thinking`, no
//   `context_management`, `tools: []`, and a json_schema `output_config.format` asking for `title`.
//   CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC=1 suppresses it.
// - Compaction (`/compact`) is shaped exactly like an agent-loop turn; only its last user message,
//   which asks for an <analysis>/<summary> of the conversation, tells it apart.
// The binary names ~30 other internal query sources (away_summary, prompt_suggestion, …) that were
// not observed; anything without the agent-loop markers is reported as `auxiliary`.

/** Decides which of the CLI's purposes a parsed request body serves. */
export function classifyRequest(body: Record<string, unknown>, lastUserText: string): RequestKind {
  if (isCompactionPrompt(lastUserText)) return 'compact';
  if ('context_management' in body || 'thinking' in body) return 'main';
  return asksForTitle(body) ? 'title' : 'auxiliary';
}

function asksForTitle(body: Record<string, unknown>): boolean {
  const outputConfig = body.output_config;
  if (!isRecord(outputConfig) || !isRecord(outputConfig.format)) return false;
  const schema = outputConfig.format.schema;
  return isRecord(schema) && isRecord(schema.properties) && 'title' in schema.properties;
}

function isCompactionPrompt(text: string): boolean {
  return text.includes('create a detailed summary of the conversation so far') && text.includes('<summary>');
}
