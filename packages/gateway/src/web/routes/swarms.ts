/**
 * Swarms: launch a graph of agents on a task, follow and cancel its runs, and keep graphs as templates.
 */
import {
  StatusReply,
  SwarmRequest,
  SwarmRunDetail,
  SwarmRunView,
  SwarmTemplate,
  SwarmTemplateInput,
} from '@praktor/protocol';
import { z } from 'zod';
import { SwarmLaunchError } from '../../swarms/runs.js';
import { SwarmTemplateError } from '../../swarms/templates.js';
import { HttpError } from '../http-error.js';
import { type ApiDeps, type Route, route } from '../route.js';

function runOf(deps: ApiDeps, id: string): SwarmRunView {
  const run = deps.store.swarms.get(id);
  if (!run) throw new HttpError(404, `swarm run not found: ${id}`);
  return run;
}

function saveTemplate(deps: ApiDeps, id: string | null, input: SwarmTemplateInput): SwarmTemplate {
  try {
    return deps.swarmTemplates.save(id, input);
  } catch (err) {
    if (err instanceof SwarmTemplateError)
      throw new HttpError(id !== null && err.message.startsWith('no template') ? 404 : 400, err.message);
    throw err;
  }
}

/** The swarm routes. */
export const swarmRoutes: Route[] = [
  route({
    method: 'GET',
    url: '/api/swarms',
    summary: 'Swarm runs, newest first (the latest 100): status, members with their outputs, result, cost.',
    response: z.array(SwarmRunView),
    handle: (_input, deps) => deps.store.swarms.list(100),
  }),
  route({
    method: 'POST',
    url: '/api/swarms',
    summary:
      'Launch a swarm: its members (each a configured agent under a role), synapses (directed: pipeline; ' +
      'bidirectional: collaboration), lead and task. Answers at once with the run; follow it on the WebSocket.',
    body: SwarmRequest,
    status: 201,
    response: SwarmRunView,
    handle({ body }, deps) {
      try {
        return deps.swarms.launch(body);
      } catch (err) {
        if (err instanceof SwarmLaunchError) throw new HttpError(400, err.message);
        throw err;
      }
    },
  }),
  route({
    method: 'GET',
    url: '/api/swarms/templates',
    summary: 'Saved swarm graphs, by name.',
    response: z.array(SwarmTemplate),
    handle: (_input, deps) => deps.swarmTemplates.list(),
  }),
  route({
    method: 'POST',
    url: '/api/swarms/templates',
    summary: 'Save a swarm graph as a template under a name of its own; it is checked as a launch would be.',
    body: SwarmTemplateInput,
    status: 201,
    response: SwarmTemplate,
    handle: ({ body }, deps) => saveTemplate(deps, null, body),
  }),
  route({
    method: 'PUT',
    url: '/api/swarms/templates/:id',
    summary: 'Replace a template.',
    body: SwarmTemplateInput,
    response: SwarmTemplate,
    handle: ({ params, body }, deps) => saveTemplate(deps, params.id, body),
  }),
  route({
    method: 'DELETE',
    url: '/api/swarms/templates/:id',
    summary: 'Delete a template.',
    response: StatusReply,
    handle({ params }, deps) {
      if (!deps.swarmTemplates.delete(params.id))
        throw new HttpError(404, `template not found: ${params.id}`);
      return { status: 'deleted' };
    },
  }),
  route({
    method: 'GET',
    url: '/api/swarms/:id',
    summary: 'One swarm run with its members, their outputs, and its collaborative chat.',
    response: SwarmRunDetail,
    handle({ params }, deps) {
      return { ...runOf(deps, params.id), chat: deps.store.swarms.chat(params.id) };
    },
  }),
  route({
    method: 'POST',
    url: '/api/swarms/:id/cancel',
    summary:
      'Cancel a running swarm: its members’ sandboxes are stopped and it ends as cancelled, keeping what its ' +
      'members produced. 409 when it is not running.',
    response: SwarmRunView,
    async handle({ params }, deps) {
      runOf(deps, params.id);
      if (!(await deps.swarms.cancel(params.id))) throw new HttpError(409, 'the swarm is not running');
      return runOf(deps, params.id);
    },
  }),
  route({
    method: 'DELETE',
    url: '/api/swarms/:id',
    summary: 'Delete a swarm run, its members’ outputs and its chat; a running swarm is cancelled first.',
    response: StatusReply,
    async handle({ params }, deps) {
      runOf(deps, params.id);
      await deps.swarms.cancel(params.id);
      deps.store.swarms.delete(params.id);
      return { status: 'deleted' };
    },
  }),
];
