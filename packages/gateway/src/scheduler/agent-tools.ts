/**
 * The agent's `scheduled_task_*` tools, carried out by the gateway: each request acts as the agent that made it
 * (the link it came over says which), so an agent reaches only its own tasks. The answers are written for the model.
 */
import type { MessageView, ToolRequest } from '@praktor/protocol';
import type { AgentTools } from '../orchestrator/orchestrator.js';
import type { TaskCaller, TaskService } from './tasks.js';

/** Agent tools over `tasks`; a refused request throws, and the model reads the reason. */
export function taskAgentTools(tasks: () => TaskService): AgentTools {
  return async (agentId: string, request: ToolRequest, origin: MessageView | null) => {
    const caller: TaskCaller = {
      kind: 'agent',
      agentId,
      // A task made while answering a chat reports to that chat; one made during a task run, to the run's chat.
      chat: origin ? { channel: origin.channel, chatId: origin.chatId } : null,
    };
    const service = tasks();
    switch (request.tool) {
      case 'scheduled_task_create': {
        const { name, schedule, prompt } = request;
        const task = service.create({ name, schedule, prompt }, caller);
        return `Task created successfully. ID: ${task.id}\n${describe(task)}`;
      }
      case 'scheduled_task_list': {
        const list = service.list(caller);
        if (list.length === 0) return 'No scheduled tasks found.';
        return list
          .map((task) => `- ${task.id} [${task.status}] "${task.name}" ${describe(task)}`)
          .join('\n');
      }
      case 'scheduled_task_update': {
        const { id, name, schedule, prompt } = request;
        const task = service.update(id, { name, schedule, prompt }, caller);
        return `Task updated. ${describe(task)}`;
      }
      case 'scheduled_task_delete':
        service.delete(request.id, caller);
        return 'Task deleted successfully.';
      default:
        throw new Error(`${request.tool} is not a task tool`);
    }
  };
}

function describe(task: {
  schedule_display: string;
  next_run: string | null;
  effective_timezone: string;
}): string {
  const next = task.next_run ? `next run ${task.next_run} (${task.effective_timezone})` : 'no run scheduled';
  return `Schedule: ${task.schedule_display}; ${next}.`;
}
