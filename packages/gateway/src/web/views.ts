/**
 * How stored things look on the wire: store rows and gateway events turned into the API's shapes.
 */
import type {
  ActivityItem,
  ActivityView,
  AgentSummary,
  ApprovalItem,
  MessageItem,
  MessageSpend,
  MessageView,
  ModelSpend,
  WsEvent,
} from '@praktor/protocol';
import { type Config, type ResolvedAgent, resolveAgent } from '../config/index.js';
import type { GatewayEvent } from '../events/bus.js';
import type { Orchestrator } from '../orchestrator/orchestrator.js';
import { nixFor, type Runtime } from '../runtimes/runtime.js';
import { runItem, taskItem } from '../scheduler/views.js';
import type { ApprovalRecord, Store } from '../store/index.js';

/**
 * A stored message as the API shows it; `task` is the task whose run it is the prompt of, if any, `file` the file it
 * carries, and `spend` what the turn that wrote it spent.
 */
export function messageItem(
  message: MessageView,
  task: MessageItem['task'] = null,
  file: MessageItem['file'] = null,
  spend: ModelSpend | null = null,
): MessageItem {
  return {
    id: message.id,
    agent_id: message.agentId,
    role: message.direction === 'in' ? 'user' : message.sender === 'agent' ? 'assistant' : 'system',
    text: message.text,
    channel: message.channel,
    chat_id: message.chatId,
    sender: message.sender,
    state: message.state,
    error: message.error,
    in_reply_to: message.inReplyTo,
    routing: message.routing,
    created_at: message.createdAt,
    task,
    file,
    spend: spend && spendItem(spend),
  };
}

function spendItem(spend: ModelSpend): MessageSpend {
  return {
    cost_usd: spend.costUsd,
    input_tokens: spend.inputTokens,
    output_tokens: spend.outputTokens,
    cache_read_tokens: spend.cacheReadTokens,
    cache_write_tokens: spend.cacheWriteTokens,
  };
}

/** An approval request as the API shows it. */
export function approvalItem(approval: ApprovalRecord): ApprovalItem {
  return {
    id: approval.id,
    agent_id: approval.agentId,
    message_id: approval.messageId,
    channel: approval.channel,
    chat_id: approval.chatId,
    tool_name: approval.toolName,
    input: approval.input,
    swarm: approval.swarm && {
      run_id: approval.swarm.runId,
      name: approval.swarm.name,
      role: approval.swarm.role,
    },
    state: approval.state,
    always: approval.always,
    decided_by: approval.decidedBy,
    decided_at: approval.decidedAt,
    created_at: approval.createdAt,
    expires_at: approval.expiresAt,
  };
}

/**
 * Stored messages as the API shows them: each task run's prompt labelled with its task, files described, and each
 * agent's answer with what its turn spent.
 */
export function messageItems(messages: readonly MessageView[], store: Store): MessageItem[] {
  const prompts = messages.filter((m) => m.sender === SCHEDULER).map((m) => m.id);
  const tasks = store.tasks.tasksOfPrompts(prompts);
  const files = store.messageFiles.describe(messages.filter((m) => m.direction === 'out').map((m) => m.id));
  const answered = messages.flatMap((m) =>
    m.direction === 'out' && m.inReplyTo !== null ? [m.inReplyTo] : [],
  );
  const spend = store.spend.forMessages(answered);
  return messages.map((m) =>
    messageItem(
      m,
      tasks.get(m.id) ?? null,
      files.get(m.id) ?? null,
      m.inReplyTo === null ? null : (spend.get(m.inReplyTo) ?? null),
    ),
  );
}

/** A stored activity line as the API shows it. */
export function activityItem(activity: ActivityView): ActivityItem {
  return {
    id: activity.id,
    message_id: activity.messageId,
    agent_id: activity.agentId,
    kind: activity.kind,
    tool: activity.tool,
    summary: activity.summary,
    detail: activity.detail,
    created_at: activity.createdAt,
  };
}

/** The sender of a scheduled task's prompt. */
const SCHEDULER = 'scheduler';

/** An agent as the API lists it, with the runtime that actually runs it (`auto` resolved to where it runs). */
export function agentSummary(
  config: Config,
  id: string,
  store: Store,
  orchestrator: Orchestrator,
  runtimeFor: (agent: ResolvedAgent) => Runtime,
): AgentSummary {
  const agent = resolveAgent(config, id);
  const stats = store.messages.statsForAgent(id);
  const runner = runtimeFor(agent);
  const runtime = runner.name;
  const nix = nixFor(agent, runner);
  return {
    id,
    name: id,
    description: agent.description,
    model: agent.model,
    workspace: agent.workspace,
    runtime,
    image: runtime === 'docker' ? agent.image : null,
    nix_enabled: nix.enabled,
    nix_problem: nix.problem,
    workbench: orchestrator.workbench(id),
    agent_status: orchestrator.status(id),
    default_agent: id === config.router.default_agent,
    message_count: stats.count,
    last_active: stats.lastAt,
  };
}

/**
 * A gateway event as the WebSocket sends it: tasks shown as the configuration `config` reads them, a task run's
 * prompt labelled with its task from `store`.
 */
export function wsEvent(event: GatewayEvent, config: Config, store: Store, timestamp = Date.now()): WsEvent {
  switch (event.type) {
    case 'message':
      return {
        type: 'message',
        timestamp,
        agent_id: event.message.agentId,
        message: messageItems([event.message], store)[0] as MessageItem,
      };
    case 'agent_status':
      return {
        type: 'agent_status',
        timestamp,
        agent_id: event.agentId,
        status: event.status,
        reason: event.reason,
      };
    case 'delta':
      return {
        type: 'delta',
        timestamp,
        agent_id: event.agentId,
        message_id: event.messageId,
        text: event.text,
      };
    case 'error':
      return { type: 'error', timestamp, agent_id: event.agentId, message: event.message };
    case 'task':
      return {
        type: 'task',
        timestamp,
        task_id: event.taskId,
        task: event.task && taskItem(event.task, config, timestamp),
      };
    case 'task_run':
      return { type: 'task_run', timestamp, task_id: event.taskId, run: runItem(event.run) };
    case 'telegram':
      return { type: 'telegram', timestamp, telegram: event.status };
    case 'egress_refused':
      return { type: 'egress_refused', timestamp, agent_id: event.refusal.agent_id, refusal: event.refusal };
    case 'memory':
      return { type: 'memory', timestamp, agent_id: event.agentId };
    case 'extensions':
      return { type: 'extensions', timestamp, agent_id: event.agentId };
    case 'user_profile':
      return { type: 'user_profile', timestamp, content: event.content };
    case 'activity':
      return { type: 'activity', timestamp, activity: activityItem(event.activity) };
    case 'approval':
      return { type: 'approval', timestamp, approval: approvalItem(event.approval) };
    case 'config_reloaded':
      return { type: 'config_reloaded', timestamp, config: event.config, changes: event.changes };
    case 'swarm_run':
      return { type: 'swarm_run', timestamp, run: event.run };
    case 'swarm_output':
      return { type: 'swarm_output', timestamp, run_id: event.runId, role: event.role, text: event.text };
    case 'swarm_chat':
      return { type: 'swarm_chat', timestamp, run_id: event.runId, message: event.message };
  }
}
