/**
 * The tools of a swarm member in a collaborative group (`praktor-swarm`): post to the group and read what the others
 * posted, while everyone works. The gateway knows which run and group the member's sandbox belongs to.
 */
import {
  createSdkMcpServer,
  type McpSdkServerConfigWithInstance,
  tool,
} from '@anthropic-ai/claude-agent-sdk';
import { praktorToolNames } from '@praktor/protocol';
import { z } from 'zod';
import type { CallGateway } from './tools.js';

/** The MCP server's name; the model sees the tools as `mcp__praktor-swarm__<tool>`. */
export const SWARM_SERVER = 'praktor-swarm';

/** Every tool name as the model and `allowedTools` spell it. */
export const SWARM_TOOL_NAMES = praktorToolNames(SWARM_SERVER);

/** Set by the gateway in the environment of a swarm member that has collaborators. */
export const SWARM_ROLE_ENV = 'PRAKTOR_SWARM_ROLE';

function text(outcome: { ok: boolean; text: string }) {
  return { content: [{ type: 'text' as const, text: outcome.text }], isError: !outcome.ok };
}

/** The `praktor-swarm` server. */
export function swarmTools(call: CallGateway): McpSdkServerConfigWithInstance {
  return createSdkMcpServer({
    name: SWARM_SERVER,
    version: '1.0.0',
    tools: [
      tool(
        'swarm_chat_send',
        'Post a message to the other agents you collaborate with in this swarm; they read it while they work. ' +
          'The reply also carries any messages they posted that you have not read yet.',
        { content: z.string().min(1).describe('What to tell the others.') },
        async (args) => text(await call({ tool: 'swarm_chat_send', content: args.content })),
        { alwaysLoad: true },
      ),
      tool(
        'swarm_chat_read',
        'Read the messages the agents you collaborate with posted since you last read. With wait_seconds, waits ' +
          'that long at most for a first message when there is none yet (never longer than 60 s, so nobody waits ' +
          'forever for someone who is waiting too).',
        {
          wait_seconds: z
            .number()
            .min(0)
            .max(60)
            .optional()
            .describe('How long to wait for a message when none is there yet (default 0).'),
        },
        async (args) => text(await call({ tool: 'swarm_chat_read', wait_seconds: args.wait_seconds })),
        { alwaysLoad: true },
      ),
    ],
  });
}
