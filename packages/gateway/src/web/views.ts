/**
 * How stored things look on the wire: store rows and gateway events turned into the API's shapes.
 */
import type { AgentSummary, MessageItem, MessageView, WsEvent } from '@praktor/protocol';
import { type Config, type ResolvedAgent, resolveAgent } from '../config/index.js';
import type { GatewayEvent } from '../events/bus.js';
import type { Orchestrator } from '../orchestrator/orchestrator.js';
import type { Runtime } from '../runtimes/runtime.js';
import { runItem, taskItem } from '../scheduler/views.js';
import type { Store } from '../store/index.js';

/** A stored message as the API shows it; `task` is the task whose run it is the prompt of, if any. */
export function messageItem(message: MessageView, task: MessageItem['task'] = null): MessageItem {
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
  };
}

/** Stored messages as the API shows them, each task run's prompt labelled with its task. */
export function messageItems(messages: readonly MessageView[], store: Store): MessageItem[] {
  const prompts = messages.filter((m) => m.sender === SCHEDULER).map((m) => m.id);
  const tasks = store.tasks.tasksOfPrompts(prompts);
  return messages.map((m) => messageItem(m, tasks.get(m.id) ?? null));
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
  return {
    id,
    name: id,
    description: agent.description,
    model: agent.model,
    workspace: agent.workspace,
    runtime: runtimeFor(agent).name,
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
    case 'config_reloaded':
      return { type: 'config_reloaded', timestamp, config: event.config, changes: event.changes };
  }
}
