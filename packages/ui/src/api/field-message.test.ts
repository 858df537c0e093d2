import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { afterFormChecks, checkRequest, splitFieldMessage, splitMemberMessage } from './field-message';

describe('splitFieldMessage', () => {
  const fields = ['name', 'value', 'agent_ids'];

  it('splits a message at the field it names', () => {
    expect(splitFieldMessage('name: must be letters, digits', fields)).toEqual({
      field: 'name',
      message: 'Must be letters, digits',
    });
  });

  it('takes an entry of a list as the list', () => {
    expect(splitFieldMessage('agent_ids.0: "ghost" is not a configured agent', fields)).toEqual({
      field: 'agent_ids',
      message: '"ghost" is not a configured agent',
    });
  });

  it('leaves messages about other fields, or about no field, to the form', () => {
    expect(splitFieldMessage('global: must be true or false', fields)).toBeNull();
    expect(splitFieldMessage('the vault is locked: no passphrase is set', fields)).toBeNull();
    expect(splitFieldMessage('secret not found', fields)).toBeNull();
  });
});

describe('splitMemberMessage', () => {
  it('splits a message about a member at the field it names', () => {
    expect(
      splitMemberMessage('mcp_servers.web.url: is required for an http server', 'mcp_servers.web'),
    ).toEqual({
      field: 'url',
      message: 'Is required for an http server',
    });
  });

  it('keeps what lies deeper than the field at the start of the message', () => {
    expect(splitMemberMessage('skills.s.files.x.sh: must be standard base64', 'skills.s')).toEqual({
      field: 'files',
      message: 'x.sh: must be standard base64',
    });
  });

  it('gives a message about the member itself the empty field', () => {
    expect(
      splitMemberMessage('mcp_servers.praktor-x: a server name must not be empty', 'mcp_servers.praktor-x'),
    ).toEqual({
      field: '',
      message: 'A server name must not be empty',
    });
  });

  it('leaves messages about other members to the form', () => {
    expect(splitMemberMessage('mcp_servers.webhook.url: is required', 'mcp_servers.web')).toBeNull();
    expect(splitMemberMessage('plugins.0.name: must be "plugin@marketplace"', 'mcp_servers.web')).toBeNull();
  });
});

describe('checkRequest', () => {
  const Request = z.object({ agent_ids: z.array(z.string(), { error: 'must be a list of agent ids' }) });
  const Form = z
    .object({ agents: z.string().min(1, 'Choose an agent.') })
    .superRefine(
      (values, ctx) =>
        checkRequest(
          ctx,
          Request,
          { agent_ids: values.agents === 'none' ? null : [values.agents] },
          () => 'agents',
        ),
      afterFormChecks,
    );

  it('puts the API schema’s message at the form field of the request field, as a sentence', () => {
    expect(Form.safeParse({ agents: 'none' }).error?.issues).toMatchObject([
      { path: ['agents'], message: 'Must be a list of agent ids' },
    ]);
  });

  it('checks the request only once the form’s own checks pass, so a field shows one message', () => {
    expect(Form.safeParse({ agents: '' }).error?.issues).toMatchObject([
      { path: ['agents'], message: 'Choose an agent.' },
    ]);
    expect(Form.safeParse({ agents: 'coder' }).success).toBe(true);
  });
});
