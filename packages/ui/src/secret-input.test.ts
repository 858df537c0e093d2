import type { SecretItem } from '@praktor/protocol';
import { describe, expect, it } from 'vitest';
import {
  type SecretFormContext,
  secretFieldOf,
  secretFormSchema,
  secretFormValues,
  secretRequestBody,
  utf8Length,
} from './secret-input';

describe('utf8Length', () => {
  it('counts bytes, not characters', () => {
    expect(utf8Length('abc')).toBe(3);
    expect(utf8Length('é')).toBe(2);
    expect(utf8Length('🔑')).toBe(4);
  });
});

const stored: SecretItem = {
  id: 'api_token',
  name: 'api_token',
  description: 'Token',
  kind: 'string',
  filename: null,
  global: false,
  agent_ids: ['general', 'gone'],
  inject: null,
  uses: [],
  created_at: 1,
  updated_at: 1,
};
const creating: SecretFormContext = { existingNames: ['api_token'], configured: ['general', 'coder'] };
const editing: SecretFormContext = { ...creating, secret: stored };
const file = { name: 'sa.json', size: 2, base64: 'e30=' };

/** The message of each field with an issue, as the form shows them. */
function issues(context: SecretFormContext, values: unknown) {
  const result = secretFormSchema(context).safeParse(values);
  return Object.fromEntries((result.error?.issues ?? []).map((issue) => [issue.path[0], issue.message]));
}

describe('secretFormSchema', () => {
  it('asks a new secret for a name and a value', () => {
    expect(issues(creating, secretFormValues(undefined))).toEqual({
      name: 'Enter a name.',
      value: 'Enter the value.',
    });
    expect(issues(creating, { ...secretFormValues(undefined), kind: 'file' })).toMatchObject({
      file: 'Choose a file.',
    });
  });

  it('never replaces a secret by creating one with a taken name', () => {
    expect(issues(creating, { ...secretFormValues(undefined), name: 'api_token', value: 'x' })).toEqual({
      name: 'A secret with this name exists already. Edit that one, or choose another name.',
    });
  });

  it('lets an edit keep the stored value, unless the kind changes', () => {
    expect(issues(editing, secretFormValues(stored))).toEqual({});
    expect(issues(editing, { ...secretFormValues(stored), kind: 'file' })).toEqual({
      file: 'Choose the file that replaces the text value.',
    });
  });

  it('refuses a text value over the limit, in bytes', () => {
    const values = { ...secretFormValues(undefined), name: 'big', value: 'é'.repeat(600 * 1024) };
    expect(issues(creating, values)).toEqual({ value: 'The value is 1.2 MB; a secret holds at most 1 MB.' });
  });

  it('checks the request with the API’s own schema, showing its message by the field as a sentence', () => {
    const values = {
      ...secretFormValues(undefined),
      name: 'long',
      value: 'x',
      description: 'd'.repeat(2001),
    };
    expect(issues(creating, values)).toEqual({ description: 'Is longer than 2000 characters' });
  });

  it('leaves the pattern of a name to the gateway', () => {
    expect(
      issues(creating, { ...secretFormValues(undefined), name: 'not a valid name!', value: 'x' }),
    ).toEqual({});
  });
});

describe('secretRequestBody', () => {
  it('sends a new file as base64 with its name, to the configured agents chosen', () => {
    const values = {
      ...secretFormValues(undefined),
      name: 'sa',
      kind: 'file' as const,
      file,
      agent_ids: ['coder'],
    };
    expect(secretRequestBody(values, creating)).toEqual({
      name: 'sa',
      description: '',
      kind: 'file',
      global: false,
      agent_ids: ['coder'],
      value: 'e30=',
      encoding: 'base64',
      filename: 'sa.json',
    });
  });

  it('sends an edit without a value, dropping agents no longer configured', () => {
    expect(secretRequestBody(secretFormValues(stored), editing)).toEqual({
      description: 'Token',
      kind: 'string',
      global: false,
      agent_ids: ['general'],
      encoding: 'utf8',
    });
  });

  it('keeps the assignments as they are when the agents could not be loaded', () => {
    const body = secretRequestBody(secretFormValues(stored), { ...editing, configured: undefined });
    expect(body).not.toHaveProperty('agent_ids');
  });
});

describe('secretFieldOf', () => {
  it('shows a message about the value, its encoding or file name by the value the kind shows', () => {
    expect(secretFieldOf('filename', 'file')).toBe('file');
    expect(secretFieldOf('encoding', 'string')).toBe('value');
    expect(secretFieldOf('agent_ids', 'string')).toBe('agent_ids');
  });
});
