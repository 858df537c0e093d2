/**
 * The vault's API: secrets and which agents may use them. Values are write-only — no response carries one.
 */
import {
  AgentSecretsRequest,
  CreateSecretRequest,
  type SecretEncoding,
  SecretItem,
  StatusReply,
  UpdateSecretRequest,
} from '@praktor/protocol';
import { z } from 'zod';
import type { Config } from '../../config/index.js';
import type { SecretInfo } from '../../store/index.js';
import { MAX_SECRET_BYTES, VaultError } from '../../vault/vault.js';
import { HttpError } from '../http-error.js';
import { type ApiDeps, configuredAgent, type Route, route } from '../route.js';

/** How the configured agents get the secret `info`. */
function usesOf(info: SecretInfo, config: Config): SecretItem['uses'] {
  const agents = Object.values(config.agents);
  const uses: SecretItem['uses'] = [];
  if (info.inject !== null) uses.push('injected');
  if (agents.some((agent) => Object.values(agent.env).includes(`secret:${info.name}`))) uses.push('env');
  if (agents.some((agent) => agent.files.some((file) => file.secret === info.name))) uses.push('file');
  return uses;
}

function item(info: SecretInfo, config: Config): SecretItem {
  return {
    id: info.name,
    name: info.name,
    description: info.description,
    kind: info.kind,
    filename: info.filename,
    global: info.global,
    agent_ids: info.agentIds,
    inject: info.inject,
    uses: usesOf(info, config),
    created_at: info.createdAt,
    updated_at: info.updatedAt,
  };
}

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** The bytes of a request's value; 400 naming `value` when they are not what `encoding` says. */
function valueBytes(value: string, encoding: SecretEncoding): Buffer {
  if (encoding === 'base64' && !BASE64.test(value)) throw new HttpError(400, 'value: is not valid base64');
  const bytes = Buffer.from(value, encoding);
  if (bytes.length > MAX_SECRET_BYTES) throw new HttpError(400, 'value: is larger than 1 MiB');
  return bytes;
}

/** 400 naming the entry of `agent_ids` that is not a configured agent. */
function checkAgents(deps: ApiDeps, ids: readonly string[] | undefined): void {
  const agents = deps.config().agents;
  ids?.forEach((id, index) => {
    if (!Object.hasOwn(agents, id))
      throw new HttpError(400, `agent_ids.${index}: "${id}" is not a configured agent`);
  });
}

function secretOr404(deps: ApiDeps, name: string): SecretInfo {
  const found = deps.vault.info(name);
  if (!found) throw new HttpError(404, 'secret not found');
  return found;
}

/** Runs a vault operation, turning its errors into HTTP answers. */
async function vaultCall<T>(fn: () => T | Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (!(err instanceof VaultError)) throw err;
    const status = {
      not_found: 404,
      invalid: 400,
      no_passphrase: 503,
      stale: 503,
      wrong_passphrase: 503,
      corrupt: 500,
    }[err.reason];
    throw new HttpError(status, err.message);
  }
}

/** Every route of the vault's API. */
export const secretRoutes: Route[] = [
  route({
    method: 'GET',
    url: '/api/secrets',
    summary: 'Every secret, ordered by name — without values.',
    response: z.array(SecretItem),
    handle: (_input, deps) => deps.vault.list().map((info) => item(info, deps.config())),
  }),
  route({
    method: 'POST',
    url: '/api/secrets',
    summary: 'Create a secret, or replace the one with that name. `encoding: base64` for binary files.',
    body: CreateSecretRequest,
    status: 201,
    response: SecretItem,
    async handle({ body }, deps) {
      checkAgents(deps, body.agent_ids);
      const value = valueBytes(body.value, body.encoding);
      const saved = await vaultCall(() =>
        deps.vault.set({
          name: body.name,
          kind: body.kind,
          value,
          filename: body.filename ?? null,
          ...(body.description !== undefined ? { description: body.description } : {}),
          ...(body.global !== undefined ? { global: body.global } : {}),
          ...(body.agent_ids !== undefined ? { agentIds: body.agent_ids } : {}),
          ...(body.inject !== undefined ? { inject: body.inject } : {}),
        }),
      );
      return item(saved, deps.config());
    },
  }),
  route({
    method: 'GET',
    url: '/api/secrets/:id',
    summary: 'One secret — without its value.',
    response: SecretItem,
    handle: ({ params }, deps) => item(secretOr404(deps, params.id), deps.config()),
  }),
  route({
    method: 'PUT',
    url: '/api/secrets/:id',
    summary:
      'Change a secret: what is given changes, the rest (the value too) stays. The name cannot change.',
    body: UpdateSecretRequest,
    response: SecretItem,
    async handle({ params, body }, deps) {
      const found = secretOr404(deps, params.id);
      checkAgents(deps, body.agent_ids);
      const value = body.value !== undefined ? valueBytes(body.value, body.encoding) : undefined;
      const saved = await vaultCall(() =>
        deps.vault.update(found.name, {
          ...(value !== undefined ? { value } : {}),
          ...(body.description !== undefined ? { description: body.description } : {}),
          ...(body.kind !== undefined ? { kind: body.kind } : {}),
          ...(body.filename !== undefined ? { filename: body.filename } : {}),
          ...(body.global !== undefined ? { global: body.global } : {}),
          ...(body.agent_ids !== undefined ? { agentIds: body.agent_ids } : {}),
          ...(body.inject !== undefined ? { inject: body.inject } : {}),
        }),
      );
      return item(saved, deps.config());
    },
  }),
  route({
    method: 'DELETE',
    url: '/api/secrets/:id',
    summary: 'Delete a secret and its assignments.',
    response: StatusReply,
    handle({ params }, deps) {
      const found = secretOr404(deps, params.id);
      deps.vault.delete(found.name);
      return { status: 'deleted' };
    },
  }),
  route({
    method: 'GET',
    url: '/api/agents/definitions/:id/secrets',
    summary: 'The secrets the agent may use (assigned to it, or global) — without values.',
    response: z.array(SecretItem),
    handle({ params }, deps) {
      const id = configuredAgent(deps, params.id);
      return deps.vault.accessible(id).map((info) => item(info, deps.config()));
    },
  }),
  route({
    method: 'PUT',
    url: '/api/agents/definitions/:id/secrets',
    summary: 'Replace the secrets assigned to the agent.',
    body: AgentSecretsRequest,
    response: StatusReply,
    handle({ params, body }, deps) {
      const id = configuredAgent(deps, params.id);
      body.secret_ids.forEach((name, index) => {
        if (!deps.vault.info(name))
          throw new HttpError(400, `secret_ids.${index}: no secret named "${name}"`);
      });
      deps.vault.setSecretsOf(id, body.secret_ids);
      return { status: 'updated' };
    },
  }),
  route({
    method: 'POST',
    url: '/api/agents/definitions/:id/secrets/:secretId',
    summary: 'Let the agent use a secret (no change when it already may).',
    response: StatusReply,
    handle({ params }, deps) {
      const id = configuredAgent(deps, params.id);
      const found = secretOr404(deps, params.secretId);
      deps.vault.assign(found.name, id);
      return { status: 'added' };
    },
  }),
  route({
    method: 'DELETE',
    url: '/api/agents/definitions/:id/secrets/:secretId',
    summary: 'Take a secret away from the agent (a global secret stays usable by every agent).',
    response: StatusReply,
    handle({ params }, deps) {
      const id = configuredAgent(deps, params.id);
      const found = secretOr404(deps, params.secretId);
      deps.vault.unassign(found.name, id);
      return { status: 'removed' };
    },
  }),
];
