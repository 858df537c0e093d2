import { describe, expect, it } from 'vitest';
import { CreateSecretRequest, parseInjectHeader, SecretInject } from './secrets.js';

const problems = (value: unknown) => {
  const parsed = SecretInject.safeParse(value);
  return parsed.success
    ? []
    : parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
};

describe('an injected credential declaration', () => {
  it('splits the header into its name and the template the secret goes into', () => {
    expect(parseInjectHeader('Authorization: Bearer {value}')).toEqual({
      name: 'Authorization',
      template: 'Bearer {value}',
    });
    expect(parseInjectHeader('X-Api-Key:{value}')).toEqual({ name: 'X-Api-Key', template: '{value}' });
  });

  it('accepts hosts as host patterns and a header with {value}', () => {
    expect(
      problems({ hosts: ['api.github.com', '*.example.com:8443'], header: 'Authorization: token {value}' }),
    ).toEqual([]);
  });

  it('names each mistake: no host, a bad pattern, no header name, no {value}, two lines', () => {
    expect(problems({ hosts: [], header: 'Authorization: {value}' })).toEqual([
      'hosts: must name at least one host',
    ]);
    expect(problems({ hosts: ['https://x.example'], header: 'Authorization: {value}' })[0]).toMatch(
      /^hosts\.0: "https:\/\/x\.example" is not a host pattern/,
    );
    expect(problems({ hosts: ['x.example'], header: 'Bearer {value}' })).toEqual([
      'header: must start with a header name and a colon, such as "Authorization: Bearer {value}"',
    ]);
    expect(problems({ hosts: ['x.example'], header: 'Authorization: Bearer' })).toEqual([
      'header: must contain {value} once, where the secret goes',
    ]);
    expect(problems({ hosts: ['x.example'], header: 'Authorization: {value}\r\nX-Evil: 1' })).toEqual([
      'header: must be one line',
    ]);
  });

  it('is optional when a secret is created', () => {
    expect(CreateSecretRequest.parse({ name: 'plain', value: 'v' }).inject).toBeUndefined();
  });
});
