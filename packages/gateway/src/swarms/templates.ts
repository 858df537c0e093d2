/**
 * Saved swarm graphs: checked like a launch (the same plan, the same configured agents) before they are kept, with a
 * name of their own, so a template always launches.
 */
import { randomUUID } from 'node:crypto';
import type { SwarmTemplate, SwarmTemplateInput } from '@praktor/protocol';
import type { Config } from '../config/index.js';
import type { Store } from '../store/index.js';
import { buildPlan, SwarmPlanError } from './plan.js';

/** A template that cannot be saved; the message says why. */
export class SwarmTemplateError extends Error {}

/** Saves, lists and removes templates. */
export class SwarmTemplates {
  constructor(
    private readonly store: Store,
    private readonly config: () => Config,
    private readonly now: () => number,
  ) {}

  list(): SwarmTemplate[] {
    return this.store.swarms.templates();
  }

  get(id: string): SwarmTemplate | null {
    return this.store.swarms.template(id);
  }

  /** Saves a new template (`id` null) or replaces one; throws a SwarmTemplateError naming what is wrong. */
  save(id: string | null, input: SwarmTemplateInput): SwarmTemplate {
    if (id !== null && this.store.swarms.template(id) === null)
      throw new SwarmTemplateError(`no template ${id}`);
    if (this.store.swarms.templateNameTaken(input.name, id))
      throw new SwarmTemplateError(`a template named "${input.name}" already exists`);
    const agents = this.config().agents;
    for (const member of input.request.agents) {
      if (!Object.hasOwn(agents, member.agent_id))
        throw new SwarmTemplateError(
          `role "${member.role}" names agent "${member.agent_id}", which is not configured`,
        );
    }
    try {
      buildPlan(input.request);
    } catch (err) {
      if (err instanceof SwarmPlanError) throw new SwarmTemplateError(`invalid swarm graph: ${err.message}`);
      throw err;
    }
    return this.store.swarms.saveTemplate({
      id: id ?? randomUUID(),
      name: input.name,
      request: input.request,
      updated_at: this.now(),
    });
  }

  /** Removes a template; returns whether there was one. */
  delete(id: string): boolean {
    return this.store.swarms.deleteTemplate(id);
  }
}
