/**
 * The agent's built-in tools over what the gateway keeps: the user's profile (`praktor-profile`) and its own past
 * conversation (`praktor-history`). Like the task tools, each handler sends a `call` over the link; the gateway
 * knows which agent asks.
 */
import {
  createSdkMcpServer,
  type McpSdkServerConfigWithInstance,
  tool,
} from '@anthropic-ai/claude-agent-sdk';
import { praktorToolNames } from '@praktor/protocol';
import { z } from 'zod';
import type { CallGateway } from './tools.js';

/** The MCP servers' names; the model sees the tools as `mcp__<server>__<tool>`. */
export const PROFILE_SERVER = 'praktor-profile';
export const HISTORY_SERVER = 'praktor-history';

/** Every tool name as the model and `allowedTools` spell it. */
export const GATEWAY_TOOL_NAMES = [...praktorToolNames(PROFILE_SERVER), ...praktorToolNames(HISTORY_SERVER)];

function text(outcome: { ok: boolean; text: string }) {
  return { content: [{ type: 'text' as const, text: outcome.text }], isError: !outcome.ok };
}

/** The `praktor-profile` server. */
export function profileTools(call: CallGateway): McpSdkServerConfigWithInstance {
  return createSdkMcpServer({
    name: PROFILE_SERVER,
    version: '1.0.0',
    tools: [
      tool(
        'user_profile_read',
        "Read the user's profile (USER.md): the human you work for, shared by all agents. It is not your own " +
          'identity, which is your AGENT.md.',
        {},
        async () => text(await call({ tool: 'user_profile_read' })),
        { alwaysLoad: true },
      ),
      tool(
        'user_profile_update',
        "Replace the user's profile (USER.md) with new Markdown. Only when the user asks to change what it says " +
          'about them; read it first and send the whole profile, changed. Every agent sees it from its next message.',
        { content: z.string().describe('The whole profile as Markdown.') },
        async (args) => text(await call({ tool: 'user_profile_update', content: args.content })),
        { alwaysLoad: true },
      ),
    ],
  });
}

/** The `praktor-history` server. */
export function historyTools(call: CallGateway): McpSdkServerConfigWithInstance {
  return createSdkMcpServer({
    name: HISTORY_SERVER,
    version: '1.0.0',
    tools: [
      tool(
        'history_search',
        'Search your past conversation with the user, also from before a reset: the messages that best match, ' +
          'with who said them and when. Words match by stem and prefix; no search syntax is needed.',
        {
          query: z.string().describe('Words to look for.'),
          limit: z
            .number()
            .int()
            .min(1)
            .max(100)
            .optional()
            .describe('How many messages at most (default 20).'),
        },
        async (args) => text(await call({ tool: 'history_search', query: args.query, limit: args.limit })),
        { alwaysLoad: true },
      ),
    ],
  });
}
