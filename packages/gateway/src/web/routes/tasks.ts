/**
 * The scheduled tasks' API: the original's `/api/tasks` endpoints with the original's task JSON (plus Praktor's
 * fields), and run history, pause, resume and run-now.
 */
import {
  CreateTaskRequest,
  DeleteCompletedReply,
  StatusReply,
  type TaskChat,
  TaskItem,
  TaskRunItem,
  TaskRunsQuery,
  TasksQuery,
  UpdateTaskRequest,
} from '@praktor/protocol';
import { z } from 'zod';
import { TaskError, type TaskPatch } from '../../scheduler/tasks.js';
import type { TaskChatRef } from '../../store/index.js';
import { HttpError } from '../http-error.js';
import { type Route, route } from '../route.js';

/** Mission Control's user may touch every task. */
const USER = { kind: 'user' } as const;

const STATUS_OF: Record<TaskError['reason'], number> = {
  invalid: 400,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
};

/** Runs a task service call, turning its refusals into HTTP answers. */
function taskCall<T>(fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (err instanceof TaskError) throw new HttpError(STATUS_OF[err.reason], err.message);
    throw err;
  }
}

function chatRef(chat: TaskChat | undefined): TaskChatRef | undefined {
  return chat && { channel: chat.channel, chatId: chat.chat_id };
}

/** Every route of the tasks' API. */
export const taskRoutes: Route[] = [
  route({
    method: 'GET',
    url: '/api/tasks',
    summary: 'Every scheduled task (or one agent’s, with `agent_id`), oldest first.',
    query: TasksQuery,
    response: z.array(TaskItem),
    handle: ({ query }, deps) =>
      deps.tasks.list(USER, query.agent_id === undefined ? {} : { agentId: query.agent_id }),
  }),
  route({
    method: 'POST',
    url: '/api/tasks',
    summary:
      'Create a task. `schedule`: `+30s`/`+5m`/`+2h`/`+1d`, `every 2h`, a cron expression or tag, an ISO date-time, ' +
      'or the stored JSON. `enabled: false` creates it paused.',
    body: CreateTaskRequest,
    status: 201,
    response: TaskItem,
    handle: ({ body }, deps) =>
      taskCall(() =>
        deps.tasks.create(
          {
            agentId: body.agent_id,
            name: body.name,
            schedule: body.schedule,
            prompt: body.prompt,
            enabled: body.enabled,
            timezone: body.timezone,
            catchUp: body.catch_up,
            chat: chatRef(body.chat),
          },
          USER,
        ),
      ),
  }),
  route({
    method: 'DELETE',
    url: '/api/tasks/completed',
    summary: 'Delete every completed task.',
    response: DeleteCompletedReply,
    handle: (_input, deps) => ({ status: 'deleted', count: deps.tasks.deleteCompleted(USER) }),
  }),
  route({
    method: 'GET',
    url: '/api/tasks/:id',
    summary: 'One task.',
    response: TaskItem,
    handle: ({ params }, deps) => taskCall(() => deps.tasks.get(params.id, USER)),
  }),
  route({
    method: 'PUT',
    url: '/api/tasks/:id',
    summary:
      'Change a task: what is given changes. The schedule keeps its kind unless a new one is given; `enabled` ' +
      'pauses or resumes it.',
    body: UpdateTaskRequest,
    response: TaskItem,
    handle({ params, body }, deps) {
      const patch: TaskPatch = {
        agentId: body.agent_id,
        name: body.name,
        schedule: body.schedule,
        prompt: body.prompt,
        enabled: body.enabled,
        status: body.status,
        timezone: body.timezone,
        catchUp: body.catch_up,
        chat: chatRef(body.chat),
      };
      return taskCall(() => deps.tasks.update(params.id, patch, USER));
    },
  }),
  route({
    method: 'DELETE',
    url: '/api/tasks/:id',
    summary: 'Delete a task and its history.',
    response: StatusReply,
    handle({ params }, deps) {
      taskCall(() => deps.tasks.delete(params.id, USER));
      return { status: 'deleted' };
    },
  }),
  route({
    method: 'GET',
    url: '/api/tasks/:id/runs',
    summary: 'The task’s runs, newest first: when, how each ended, its answer or error, cost and tokens.',
    query: TaskRunsQuery,
    response: z.array(TaskRunItem),
    handle: ({ params, query }, deps) => taskCall(() => deps.tasks.history(params.id, query.limit, USER)),
  }),
  route({
    method: 'POST',
    url: '/api/tasks/:id/pause',
    summary: 'Stop the task running on its schedule until it is resumed.',
    response: TaskItem,
    handle: ({ params }, deps) => taskCall(() => deps.tasks.pause(params.id, USER)),
  }),
  route({
    method: 'POST',
    url: '/api/tasks/:id/resume',
    summary:
      'Put a paused or completed task back on its schedule, from now. 409 when its schedule has no time left.',
    response: TaskItem,
    handle: ({ params }, deps) => taskCall(() => deps.tasks.resume(params.id, USER)),
  }),
  route({
    method: 'POST',
    url: '/api/tasks/:id/run',
    summary:
      'Run the task now, outside its schedule; it starts as soon as a run slot is free. The run appears in ' +
      '`/runs` and on the live feed.',
    status: 202,
    response: TaskItem,
    handle: ({ params }, deps) => taskCall(() => deps.tasks.runNow(params.id, USER)),
  }),
];
