import { describe, expect, it } from 'vitest';
import { splitFieldMessage } from './field-message';

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
