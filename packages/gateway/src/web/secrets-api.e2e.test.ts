/**
 * The vault's API on a real gateway with a password: every endpoint's answer, its validation, unknown ids and
 * the login requirement — and no answer ever carries a value.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PRAKTOR_BIN, type Stack, startStack } from '@praktor/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const PASSWORD = 'mission control password';
const PASS = 'vault passphrase for the api test';
/** Every value stored in this file; none may appear in any response. */
const VALUES = ['api-value-one-0001', 'api-value-two-0002', 'api-value-new-0003', 'api-value-four-0004'];
const BINARY = Buffer.from(Array.from({ length: 300 }, (_, i) => (i * 13) % 256));

let stack: Stack;
let base: string;
const responses: string[] = [];
const basic = { authorization: `Basic ${Buffer.from(`any:${PASSWORD}`).toString('base64')}` };

async function call(method: string, path: string, opts: { body?: unknown; auth?: boolean } = {}) {
  const response = await fetch(`${base}${path}`, {
    method,
    headers: {
      ...(opts.body !== undefined ? { 'content-type': 'application/json' } : {}),
      ...(opts.auth === false ? {} : basic),
    },
    body: opts.body !== undefined ? JSON.stringify(opts.body) : undefined,
  });
  const text = await response.text();
  responses.push(text);
  return { status: response.status, json: text ? JSON.parse(text) : null };
}

/** The value as `praktor vault get` prints it, against the running gateway's database. */
function cliValue(name: string): Buffer {
  const out = join(stack.praktor.home, `${name}.out`);
  const result = spawnSync(process.execPath, [PRAKTOR_BIN, 'vault', 'get', name, '--out', out], {
    env: { PATH: process.env.PATH, PRAKTOR_DATA_DIR: stack.praktor.dataDir, PRAKTOR_VAULT_PASSPHRASE: PASS },
  });
  if (result.status !== 0) throw new Error(`vault get ${name} failed: ${result.stderr}`);
  return readFileSync(out);
}

beforeAll(async () => {
  stack = await startStack({
    config: ({ telegramApiRoot, telegramToken }) => ({
      telegram: { token: telegramToken, api_root: telegramApiRoot, allow_from: [1001] },
      agents: { general: {}, coder: {} },
      router: { default_agent: 'general' },
      web: { auth: PASSWORD },
      vault: { passphrase: PASS },
    }),
  });
  base = stack.praktor.webUrl;
});

afterAll(async () => {
  await stack?.close();
});

describe('POST /api/secrets', () => {
  it('stores a secret and answers with its description, without the value', async () => {
    const response = await call('POST', '/api/secrets', {
      body: { name: 'one', value: VALUES[0], description: 'first', agent_ids: ['coder'] },
    });
    expect(response.status).toBe(201);
    expect(response.json).toMatchObject({
      id: 'one',
      name: 'one',
      description: 'first',
      kind: 'string',
      filename: null,
      global: false,
      agent_ids: ['coder'],
    });
    expect(response.json).not.toHaveProperty('value');
    expect(cliValue('one').toString()).toBe(VALUES[0]);
  });

  it('stores a binary file sent as base64 byte for byte', async () => {
    const response = await call('POST', '/api/secrets', {
      body: {
        name: 'blob',
        kind: 'file',
        filename: 'blob.bin',
        value: BINARY.toString('base64'),
        encoding: 'base64',
      },
    });
    expect(response.status).toBe(201);
    expect(cliValue('blob').equals(BINARY)).toBe(true);
  });

  it('names a missing value', async () => {
    const response = await call('POST', '/api/secrets', { body: { name: 'x' } });
    expect(response).toEqual({ status: 400, json: { error: 'value: is required' } });
  });

  it('names an invalid name', async () => {
    const response = await call('POST', '/api/secrets', { body: { name: '../etc', value: 'v' } });
    expect(response.status).toBe(400);
    expect(response.json.error).toMatch(/^name: must be letters, digits/);
  });

  it('names an invalid kind', async () => {
    const response = await call('POST', '/api/secrets', { body: { name: 'x', value: 'v', kind: 'blob' } });
    expect(response).toEqual({ status: 400, json: { error: "kind: must be 'string' or 'file'" } });
  });

  it('names a value that is not base64', async () => {
    const response = await call('POST', '/api/secrets', {
      body: { name: 'x', value: '%%%', encoding: 'base64' },
    });
    expect(response).toEqual({ status: 400, json: { error: 'value: is not valid base64' } });
  });

  it('names an agent that is not configured', async () => {
    const response = await call('POST', '/api/secrets', {
      body: { name: 'x', value: 'v', agent_ids: ['ghost'] },
    });
    expect(response).toEqual({
      status: 400,
      json: { error: 'agent_ids.0: "ghost" is not a configured agent' },
    });
  });

  it('stores a declared HTTP credential and marks it injected', async () => {
    const inject = { hosts: ['api.github.com'], header: 'Authorization: Bearer {value}' };
    const response = await call('POST', '/api/secrets', {
      body: { name: 'gh', value: 'ghp_api_test_value', agent_ids: ['general'], inject },
    });
    expect(response.status).toBe(201);
    expect(response.json).toMatchObject({ name: 'gh', inject, uses: ['injected'] });
  });

  it('names what is wrong with an injected credential’s declaration', async () => {
    const response = await call('POST', '/api/secrets', {
      body: { name: 'x', value: 'v', inject: { hosts: ['api.github.com'], header: 'Authorization: Bearer' } },
    });
    expect(response).toEqual({
      status: 400,
      json: { error: 'inject.header: must contain {value} once, where the secret goes' },
    });
  });

  it('requires a login', async () => {
    const response = await call('POST', '/api/secrets', { body: { name: 'x', value: 'v' }, auth: false });
    expect(response.status).toBe(401);
  });
});

describe('GET /api/secrets', () => {
  it('lists every secret by name, without values', async () => {
    await call('POST', '/api/secrets', { body: { name: 'two', value: VALUES[1], global: true } });
    const response = await call('GET', '/api/secrets');
    expect(response.status).toBe(200);
    const names = response.json.map((s: { name: string }) => s.name);
    expect(names).toEqual([...names].sort());
    expect(names).toEqual(expect.arrayContaining(['blob', 'one', 'two']));
  });

  it('requires a login', async () => {
    expect((await call('GET', '/api/secrets', { auth: false })).status).toBe(401);
  });
});

describe('GET /api/secrets/{id}', () => {
  it('shows one secret without its value', async () => {
    const response = await call('GET', '/api/secrets/blob');
    expect(response.status).toBe(200);
    expect(response.json).toMatchObject({ name: 'blob', kind: 'file', filename: 'blob.bin' });
  });

  it('answers 404 for an unknown secret', async () => {
    expect(await call('GET', '/api/secrets/nope')).toEqual({
      status: 404,
      json: { error: 'secret not found' },
    });
  });

  it('requires a login', async () => {
    expect((await call('GET', '/api/secrets/blob', { auth: false })).status).toBe(401);
  });
});

describe('PUT /api/secrets/{id}', () => {
  it('changes the description and keeps the value when none is given', async () => {
    const response = await call('PUT', '/api/secrets/one', { body: { description: 'renamed' } });
    expect(response.status).toBe(200);
    expect(response.json).toMatchObject({ name: 'one', description: 'renamed', agent_ids: ['coder'] });
    expect(cliValue('one').toString()).toBe(VALUES[0]);
  });

  it('replaces the value when one is given', async () => {
    expect((await call('PUT', '/api/secrets/one', { body: { value: VALUES[2] } })).status).toBe(200);
    expect(cliValue('one').toString()).toBe(VALUES[2]);
  });

  it('makes an injected credential an ordinary secret again with inject: null', async () => {
    const response = await call('PUT', '/api/secrets/gh', { body: { inject: null } });
    expect(response.status).toBe(200);
    expect(response.json).toMatchObject({ name: 'gh', inject: null, uses: [] });
  });

  it('names a field of the wrong type', async () => {
    const response = await call('PUT', '/api/secrets/one', { body: { global: 'yes' } });
    expect(response).toEqual({ status: 400, json: { error: 'global: must be true or false' } });
  });

  it('answers 404 for an unknown secret', async () => {
    expect((await call('PUT', '/api/secrets/nope', { body: { description: 'x' } })).status).toBe(404);
  });

  it('requires a login', async () => {
    expect((await call('PUT', '/api/secrets/one', { body: { description: 'x' }, auth: false })).status).toBe(
      401,
    );
  });
});

describe('DELETE /api/secrets/{id}', () => {
  it('deletes a secret', async () => {
    await call('POST', '/api/secrets', { body: { name: 'doomed', value: VALUES[3] } });
    expect(await call('DELETE', '/api/secrets/doomed')).toEqual({ status: 200, json: { status: 'deleted' } });
    expect((await call('GET', '/api/secrets/doomed')).status).toBe(404);
  });

  it('answers 404 for an unknown secret', async () => {
    expect((await call('DELETE', '/api/secrets/nope')).status).toBe(404);
  });

  it('requires a login', async () => {
    expect((await call('DELETE', '/api/secrets/one', { auth: false })).status).toBe(401);
  });
});

describe('GET /api/agents/definitions/{id}/secrets', () => {
  it('lists the secrets the agent may use: assigned and global', async () => {
    const response = await call('GET', '/api/agents/definitions/coder/secrets');
    expect(response.status).toBe(200);
    expect(response.json.map((s: { name: string }) => s.name)).toEqual(['one', 'two']);
  });

  it('answers 404 for an unknown agent', async () => {
    expect((await call('GET', '/api/agents/definitions/ghost/secrets')).status).toBe(404);
  });

  it('requires a login', async () => {
    expect((await call('GET', '/api/agents/definitions/coder/secrets', { auth: false })).status).toBe(401);
  });
});

describe('PUT /api/agents/definitions/{id}/secrets', () => {
  it('replaces the agent’s assignments', async () => {
    const response = await call('PUT', '/api/agents/definitions/general/secrets', {
      body: { secret_ids: ['blob'] },
    });
    expect(response).toEqual({ status: 200, json: { status: 'updated' } });
    const listed = await call('GET', '/api/agents/definitions/general/secrets');
    expect(listed.json.map((s: { name: string }) => s.name)).toEqual(['blob', 'two']);
  });

  it('names the missing list', async () => {
    const response = await call('PUT', '/api/agents/definitions/general/secrets', { body: {} });
    expect(response).toEqual({ status: 400, json: { error: 'secret_ids: is required' } });
  });

  it('names an unknown secret', async () => {
    const response = await call('PUT', '/api/agents/definitions/general/secrets', {
      body: { secret_ids: ['nope'] },
    });
    expect(response).toEqual({ status: 400, json: { error: 'secret_ids.0: no secret named "nope"' } });
  });

  it('answers 404 for an unknown agent', async () => {
    const response = await call('PUT', '/api/agents/definitions/ghost/secrets', { body: { secret_ids: [] } });
    expect(response.status).toBe(404);
  });

  it('requires a login', async () => {
    const response = await call('PUT', '/api/agents/definitions/general/secrets', {
      body: { secret_ids: [] },
      auth: false,
    });
    expect(response.status).toBe(401);
  });
});

describe('POST and DELETE /api/agents/definitions/{id}/secrets/{secretId}', () => {
  it('assigns a secret to an agent, and takes it away again', async () => {
    expect(await call('POST', '/api/agents/definitions/general/secrets/one')).toEqual({
      status: 200,
      json: { status: 'added' },
    });
    expect((await call('GET', '/api/secrets/one')).json.agent_ids).toEqual(['coder', 'general']);
    expect(await call('DELETE', '/api/agents/definitions/general/secrets/one')).toEqual({
      status: 200,
      json: { status: 'removed' },
    });
    expect((await call('GET', '/api/secrets/one')).json.agent_ids).toEqual(['coder']);
  });

  it('answers 404 for an unknown secret or agent', async () => {
    expect((await call('POST', '/api/agents/definitions/general/secrets/nope')).json).toEqual({
      error: 'secret not found',
    });
    expect((await call('POST', '/api/agents/definitions/ghost/secrets/one')).status).toBe(404);
    expect((await call('DELETE', '/api/agents/definitions/general/secrets/nope')).status).toBe(404);
  });

  it('requires a login', async () => {
    expect((await call('POST', '/api/agents/definitions/general/secrets/one', { auth: false })).status).toBe(
      401,
    );
    expect(
      (await call('DELETE', '/api/agents/definitions/general/secrets/one', { auth: false })).status,
    ).toBe(401);
  });
});

describe('the vault API as a whole', () => {
  it('is described in the OpenAPI document', async () => {
    const doc = await call('GET', '/api/openapi.json');
    expect(Object.keys(doc.json.paths)).toEqual(
      expect.arrayContaining([
        '/api/secrets',
        '/api/secrets/{id}',
        '/api/agents/definitions/{id}/secrets/{secretId}',
      ]),
    );
    expect(doc.json.paths['/api/secrets/{id}']).toHaveProperty('delete');
  });

  it('never answered with a value', () => {
    expect(responses.length).toBeGreaterThan(30);
    const all = responses.join('\n');
    for (const value of VALUES) expect(all).not.toContain(value);
    expect(all).not.toContain(BINARY.toString('base64'));
  });
});
