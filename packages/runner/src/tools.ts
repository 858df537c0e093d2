/**
 * The agent's built-in tools that the gateway carries out: its scheduled tasks. Each is an in-process MCP tool whose
 * handler sends a `call` over the link and waits for the gateway's `reply`; the gateway knows which agent is asking,
 * so an agent can only reach its own tasks.
 */
import {
  createSdkMcpServer,
  type McpSdkServerConfigWithInstance,
  tool,
} from '@anthropic-ai/claude-agent-sdk';
import { praktorToolNames, type ToolRequest } from '@praktor/protocol';
import { z } from 'zod';

/** Carries a tool request to the gateway: resolves with the text for the model, and whether it succeeded. */
export type CallGateway = (request: ToolRequest) => Promise<{ ok: boolean; text: string }>;

/** The MCP server's name; the model sees the tools as `mcp__praktor-tasks__<tool>`. */
export const TASKS_SERVER = 'praktor-tasks';

/** Every tool name as the model and `allowedTools` spell it. */
export const TASK_TOOL_NAMES = praktorToolNames(TASKS_SERVER);

const SCHEDULE_HELP = `When the task runs. All times are the user's local time (never convert to UTC).
- "in X" requests: a relative delay +30s, +5m, +2h or +1d (runs once).
- A fixed moment: an ISO date-time such as 2026-12-01T09:00 (runs once).
- Repeating every so often: "every 30m", "every 2h".
- Cron, 5 fields "min hour day-of-month month day-of-week" (e.g. "0 9 * * 1-5" = weekdays at 9:00); 6 fields with a
  trailing 4-digit year for a one-off date (e.g. "20 10 17 2 * 2027"); 7 fields "sec min hour dom month dow year".
- Presets: @yearly @monthly @weekly @daily @hourly @5minutes @10minutes @15minutes @30minutes.
- Month and weekday names (JAN, MON), and L (last), W (nearest weekday), # (e.g. 1#2 = second Monday).`;

const PROMPT_HELP = `The instruction you will be given each time the task runs, in a new conversation that does not
remember this one. Write it as a directive, complete in itself (e.g. "Reply with: time to stretch!" or "Summarise
today's weather in Berlin"). Your answer is delivered to the user's chat automatically; do not ask to "send a message".`;

function text(outcome: { ok: boolean; text: string }) {
  return { content: [{ type: 'text' as const, text: outcome.text }], isError: !outcome.ok };
}

/** The `praktor-tasks` server for one Claude Code process. */
export function taskTools(call: CallGateway): McpSdkServerConfigWithInstance {
  return createSdkMcpServer({
    name: TASKS_SERVER,
    version: '1.0.0',
    tools: [
      tool(
        'scheduled_task_create',
        'Schedule a task: a prompt you will be given at the scheduled time(s); your answer then reaches the user. ' +
          'Use it for reminders ("remind me tomorrow at 9"), recurring reports and checks. One-off tasks end after ' +
          'their run.',
        {
          name: z.string().min(1).describe('A short name the user will recognise, e.g. "Morning brief".'),
          schedule: z.string().min(1).describe(SCHEDULE_HELP),
          prompt: z.string().min(1).describe(PROMPT_HELP),
        },
        async (args) => text(await call({ tool: 'scheduled_task_create', ...args })),
        { alwaysLoad: true },
      ),
      tool(
        'scheduled_task_list',
        'List your scheduled tasks with their ids, schedules, next run and status.',
        {},
        async () => text(await call({ tool: 'scheduled_task_list' })),
        { alwaysLoad: true },
      ),
      tool(
        'scheduled_task_update',
        'Change one of your scheduled tasks: its name, schedule or prompt. Fields left out stay as they are.',
        {
          id: z.string().min(1).describe('The task id, as scheduled_task_list shows it.'),
          name: z.string().min(1).optional(),
          schedule: z.string().min(1).optional().describe(SCHEDULE_HELP),
          prompt: z.string().min(1).optional().describe(PROMPT_HELP),
        },
        async (args) => text(await call({ tool: 'scheduled_task_update', ...args })),
        { alwaysLoad: true },
      ),
      tool(
        'scheduled_task_delete',
        'Delete one of your scheduled tasks for good.',
        { id: z.string().min(1).describe('The task id, as scheduled_task_list shows it.') },
        async (args) => text(await call({ tool: 'scheduled_task_delete', id: args.id })),
        { alwaysLoad: true },
      ),
    ],
  });
}
