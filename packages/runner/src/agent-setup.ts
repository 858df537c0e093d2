/**
 * What every Claude Code process of one agent shares, the conversation's and each task's: model, tools, working
 * folder, environment, system prompt and the built-in tools; and how the SDK's final message becomes a result.
 */
import type { CanUseTool, McpServerConfig, Options, SDKMessage } from '@anthropic-ai/claude-agent-sdk';
import type { ModelSpend, ResultMessage, ToolRequest, TurnUsage } from '@praktor/protocol';
import { FILE_TOOL_NAMES, FILES_SERVER, fileTools, type OpenFileStream } from './file-tools.js';
import {
  GATEWAY_TOOL_NAMES,
  HISTORY_SERVER,
  historyTools,
  PROFILE_SERVER,
  profileTools,
} from './gateway-tools.js';
import type { MemoryStore } from './memory/memory-store.js';
import { MEMORY_SERVER, MEMORY_TOOL_NAMES, memoryTools } from './memory/memory-tools.js';
import type { AgentNix } from './nix.js';
import { NIX_SERVER, NIX_TOOL_NAMES, nixTools } from './nix-tools.js';
import { SWARM_ROLE_ENV, SWARM_SERVER, SWARM_TOOL_NAMES, swarmTools } from './swarm-tools.js';
import { TASK_TOOL_NAMES, TASKS_SERVER, taskTools } from './tools.js';

/** The agent as the runner was told at init, and the runner's ways to talk to the gateway. */
export interface AgentSetup {
  agentId: string;
  model: string;
  cwd: string;
  tools: string[] | null;
  /** Environment for the Claude Code process. */
  env: Record<string, string | undefined>;
  /** The system prompt as the files say now. */
  systemPrompt: () => string;
  /** Carries a built-in tool's request to the gateway, for the turn or task `turnId`. */
  call: (turnId: string | null, request: ToolRequest) => Promise<{ ok: boolean; text: string }>;
  /** Opens a stream to the gateway for the bytes of a file a `file_send` call names. */
  openFileStream: OpenFileStream;
  /** Tool-call patterns (Claude Code permission rules) that need a person's yes before they run. */
  approvals: string[];
  /** Asks the gateway whether a call that matched an approval rule may run, for the turn or task `turnId`. */
  approve: (
    turnId: string | null,
    toolName: string,
    input: Record<string, unknown>,
  ) => ReturnType<CanUseTool>;
  log: (line: string) => void;
  /** The agent's memory, in its workspace. */
  memory: MemoryStore;
  /** Told whenever the agent's tools changed its memory. */
  memoryChanged: () => void;
  /** The agent's nix profile (its tools say so when the agent has no nix). */
  nix: AgentNix;
  /** The agent's own MCP servers (its extensions), by name. */
  mcpServers: Record<string, McpServerConfig>;
  /** Whether to load the agent's user settings: its installed plugins and its skills. */
  loadsUserSettings: boolean;
}

/** SDK options for a new Claude Code process; `turnId` tells which turn or task the tools act for. */
export function sdkOptions(setup: AgentSetup, systemPrompt: string, turnId: () => string | null): Options {
  const options: Options = {
    model: setup.model,
    cwd: setup.cwd,
    systemPrompt,
    permissionMode: 'bypassPermissions',
    allowDangerouslySkipPermissions: true,
    includePartialMessages: true,
    settingSources: setup.loadsUserSettings ? ['user'] : [],
    env: setup.env,
    mcpServers: {
      // Listed first, so that a server named like a built-in one cannot replace it.
      ...setup.mcpServers,
      [TASKS_SERVER]: taskTools((request) => setup.call(turnId(), request)),
      [FILES_SERVER]: fileTools((request) => setup.call(turnId(), request), setup.openFileStream, setup.cwd),
      [MEMORY_SERVER]: memoryTools(setup.memory, setup.memoryChanged),
      [PROFILE_SERVER]: profileTools((request) => setup.call(turnId(), request)),
      [HISTORY_SERVER]: historyTools((request) => setup.call(turnId(), request)),
      [NIX_SERVER]: nixTools(setup.nix),
    },
    allowedTools: [
      ...TASK_TOOL_NAMES,
      ...FILE_TOOL_NAMES,
      ...MEMORY_TOOL_NAMES,
      ...GATEWAY_TOOL_NAMES,
      ...NIX_TOOL_NAMES,
      ...Object.keys(setup.mcpServers).map((name) => `mcp__${name}`),
    ],
    stderr: (data) => {
      for (const line of data.split('\n')) if (line.trim() !== '') setup.log(`[claude] ${line}`);
    },
  };
  if (setup.env[SWARM_ROLE_ENV]) {
    // Only a swarm member with collaborators has someone to talk to.
    options.mcpServers = {
      ...options.mcpServers,
      [SWARM_SERVER]: swarmTools((request) => setup.call(turnId(), request)),
    };
    options.allowedTools = [...(options.allowedTools ?? []), ...SWARM_TOOL_NAMES];
  }
  if (setup.tools) options.tools = setup.tools;
  if (setup.approvals.length > 0) {
    // Claude Code matches the rules (compound shell commands included) and asks canUseTool only for a match; every
    // other call still runs without asking, as permissionMode says.
    options.settings = { permissions: { ask: setup.approvals } };
    options.canUseTool = (toolName, input) => setup.approve(turnId(), toolName, input);
  }
  return options;
}

type SdkResult = Extract<SDKMessage, { type: 'result' }>;

/** The tokens a result reports. */
export function usageOf(message: SdkResult): TurnUsage {
  return {
    inputTokens: message.usage.input_tokens ?? 0,
    outputTokens: message.usage.output_tokens ?? 0,
    cacheReadTokens: message.usage.cache_read_input_tokens ?? 0,
    cacheWriteTokens: message.usage.cache_creation_input_tokens ?? 0,
  };
}

/** The process's spend so far per model: the SDK's running totals. */
export function processSpendOf(message: SdkResult): ModelSpend[] {
  return Object.entries(message.modelUsage ?? {}).map(([model, usage]) => ({
    model,
    inputTokens: usage.inputTokens,
    outputTokens: usage.outputTokens,
    cacheReadTokens: usage.cacheReadInputTokens,
    cacheWriteTokens: usage.cacheCreationInputTokens,
    costUsd: usage.costUSD,
  }));
}

/** Why the SDK stopped, when it was not a normal end. */
export function terminalReasonOf(message: SdkResult): string | null {
  return message.terminal_reason && message.terminal_reason !== 'completed' ? message.terminal_reason : null;
}

/** How a result ends the turn: the answer, or a one-line reason a user can act on. */
export function outcomeOf(message: SdkResult): Pick<ResultMessage, 'status' | 'text'> {
  if (message.subtype === 'success' && !message.is_error) return { status: 'ok', text: message.result };
  return { status: 'error', text: describeFailure(message) };
}

/** Whether Claude Code failed because the session to resume does not exist. */
export function isMissingSession(message: SdkResult): boolean {
  const texts = message.subtype === 'success' ? [message.result] : message.errors;
  return texts.some((text) => text.includes('No conversation found with session ID'));
}

function describeFailure(message: SdkResult): string {
  if (message.subtype === 'success') {
    const text = message.result.trim();
    return text === '' ? 'The model returned an error.' : text;
  }
  switch (message.subtype) {
    case 'error_max_turns':
      return 'The agent stopped after reaching its maximum number of steps.';
    case 'error_max_budget_usd':
      return 'The agent stopped after reaching its cost budget.';
    default: {
      const detail = message.errors.find((e) => e.trim() !== '');
      return detail ? `The agent failed: ${detail}` : 'The agent failed while working on this message.';
    }
  }
}
